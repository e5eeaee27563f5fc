// The voting tablet. It waits for a ballot token (pushed on ws/live/kiosk/ or claimed with a
// short code), shows the same ballot and running total as online (budgeting's ballot.js),
// and casts over HTTP.
//
// Wi-Fi loss: a cast ballot goes into an outbox in localStorage, with a key generated on
// the tablet, BEFORE it is sent. The outbox is sent again (backoff 1 s doubling to 15 s, and
// at once when the browser comes back online or the page reloads) until the server answers.
// The server counts a (token, key) pair once and answers a resend with the same success, so
// a ballot is never lost and never counted twice. A refusal that cannot change (token used,
// voided or expired, session closed) drops the ballot from the outbox and says so on screen.
(function () {
  "use strict";
  const root = document.getElementById("kiosk");
  if (!root || !window.PBLive) return;
  const d = root.dataset;
  const OUTBOX = "pb_live.outbox";
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const idleLimit = Number(d.idle || 120) * 1000;
  const WARN_BEFORE = 20000;
  const showStatus = window.PBLive.statusShower(document, d);
  const format = window.PBLive.format;

  let token = null; // the token whose ballot is on screen
  let snapshotToken = null; // the token the server says waits on this tablet
  let loading = false;
  let lastTouch = Date.now();
  let backoff = 1000;
  let retryTimer = null;
  let flushing = false;
  let thanksTimer = null;
  let sessionState = null;

  // Screens -------------------------------------------------------------------------------
  function show(name) {
    root.querySelectorAll("[data-screen]").forEach(function (section) {
      section.hidden = section.dataset.screen !== name;
    });
    root.dataset.screen = name;
  }
  function notice(message) {
    const box = document.getElementById("kiosk-notice");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function idleScreen() {
    if (sessionState === "planned") show("planned");
    else if (sessionState === "paused") show("paused");
    else show("waiting");
  }

  // Outbox --------------------------------------------------------------------------------
  function outbox() {
    try {
      const items = JSON.parse(window.localStorage.getItem(OUTBOX) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }
  function saveOutbox(items) {
    window.localStorage.setItem(OUTBOX, JSON.stringify(items));
    renderOutbox();
  }
  function removeFromOutbox(key) {
    saveOutbox(outbox().filter(function (item) { return item.key !== key; }));
  }
  function renderOutbox() {
    const pending = outbox().length;
    const line = document.getElementById("kiosk-outbox");
    line.hidden = pending === 0;
    line.textContent = pending ? format(d.msgPending, { n: pending }) : "";
    root.dataset.pending = String(pending);
  }
  function pendingTokens() {
    return new Set(outbox().map(function (item) { return item.token; }));
  }
  function newKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    window.clearTimeout(retryTimer);
    try {
      for (const item of outbox()) {
        let response;
        try {
          response = await post(d.castUrl, { token: item.token, key: item.key, projects: item.projects });
        } catch (error) {
          retryLater(); // offline: keep it and try again
          return;
        }
        if (response.ok) {
          removeFromOutbox(item.key);
          backoff = 1000;
          counted();
          continue;
        }
        if (retryable(response.status)) {
          retryLater();
          return;
        }
        // Any other 4xx (409 refused, 413/422 unreadable, 401/403 unpaired) can never be
        // accepted as sent: resending it forever would only load the server.
        let body = {};
        try {
          body = await response.json();
        } catch (error) {
          body = {};
        }
        removeFromOutbox(item.key);
        const reason = (body.errors || []).join(" ");
        notice(format(d.msgRejected, { reason: reason }));
        if (response.status === 400 && body.code !== "bad_key") {
          // The ballot broke a rule the page did not catch: the token is still good, so the
          // voter gets the ballot back to correct it.
          loadBallot(item.token);
        }
      }
    } finally {
      flushing = false;
      renderOutbox();
    }
  }
  // Worth sending again: the server was busy or failed (429, 408, 5xx), or the network did.
  function retryable(status) {
    return status === 429 || status === 408 || status >= 500;
  }
  function retryLater() {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, backoff);
    backoff = Math.min(backoff * 2, 15000);
  }
  function counted() {
    const text = document.getElementById("thanks-text");
    if (root.dataset.screen === "thanks" && outbox().length === 0) text.textContent = d.msgCounted;
  }

  // The ballot ------------------------------------------------------------------------------
  async function loadBallot(value) {
    if (loading) return;
    loading = true;
    notice("");
    try {
      const response = await window.fetch(d.ballotUrl, { credentials: "same-origin" });
      if (!response.ok) {
        if (response.status !== 409) notice(d.msgLoadFailed);
        return;
      }
      const box = document.getElementById("kiosk-ballot");
      box.innerHTML = await response.text();
      token = value;
      const old = document.getElementById("kiosk-ballot-script");
      if (old) old.remove();
      const script = document.createElement("script");
      script.id = "kiosk-ballot-script";
      script.src = d.ballotJs; // budgeting's running total, run again on the new form
      script.addEventListener("load", attachBallot);
      document.body.append(script);
      touch();
      show("ballot");
      root.focus();
    } catch (error) {
      notice(d.msgLoadFailed);
      window.setTimeout(function () { if (!token && snapshotToken) loadBallot(snapshotToken); }, 3000);
    } finally {
      loading = false;
    }
  }
  function attachBallot() {
    const form = document.getElementById("ballot-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return; // ballot.js found a problem and shows it
      event.preventDefault();
      cast(form);
    });
  }
  function cast(form) {
    if (!token) return;
    const projects = Array.from(form.querySelectorAll('input[name="projects"]:checked')).map(
      function (box) { return Number(box.value); },
    );
    const item = { token: token, key: newKey(), projects: projects, at: Date.now() };
    const items = outbox();
    items.push(item);
    saveOutbox(items); // first on the tablet, then on the network
    token = null;
    document.getElementById("kiosk-ballot").replaceChildren();
    document.getElementById("thanks-text").textContent = d.msgSaved;
    show("thanks");
    hideIdleWarning();
    window.clearTimeout(thanksTimer);
    thanksTimer = window.setTimeout(function () {
      if (root.dataset.screen === "thanks") idleScreen();
    }, 6000);
    backoff = 1000;
    flush();
  }
  function drop(message) {
    token = null;
    document.getElementById("kiosk-ballot").replaceChildren();
    hideIdleWarning();
    idleScreen();
    notice(message);
  }

  // Inactivity ------------------------------------------------------------------------------
  function touch() {
    lastTouch = Date.now();
    hideIdleWarning();
  }
  function hideIdleWarning() {
    const warning = document.getElementById("kiosk-idle");
    warning.hidden = true;
  }
  function checkIdle() {
    if (!token || root.dataset.screen !== "ballot") return;
    const left = idleLimit - (Date.now() - lastTouch);
    const warning = document.getElementById("kiosk-idle");
    if (left <= 0) {
      const expired = token;
      drop(d.msgTimeout);
      post(d.voidUrl, { token: expired }).catch(function () {}); // the server also expires it
    } else if (left <= WARN_BEFORE) {
      warning.textContent = format(d.msgIdle, { n: Math.ceil(left / 1000) });
      warning.hidden = false;
    }
  }
  ["pointerdown", "keydown", "change", "scroll"].forEach(function (name) {
    root.addEventListener(name, touch, { passive: true });
  });
  window.setInterval(checkIdle, 1000);

  // Short code ------------------------------------------------------------------------------
  document.getElementById("claim-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const input = document.getElementById("claim-code");
    const error = document.getElementById("claim-error");
    error.hidden = true;
    let response;
    try {
      response = await post(d.claimUrl, { code: input.value });
    } catch (failure) {
      error.textContent = d.msgLoadFailed;
      error.hidden = false;
      return;
    }
    const body = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      error.textContent = (body.errors || []).join(" ");
      error.hidden = false;
      return;
    }
    input.value = "";
    snapshotToken = body.token;
    loadBallot(body.token);
  });

  // Live state ------------------------------------------------------------------------------
  function onState(state) {
    if (state.revoked) return;
    sessionState = state.session.state;
    if (sessionState === "closed" || sessionState === "reconciled") {
      token = null;
      show("closed");
      return;
    }
    const waiting = state.token && !pendingTokens().has(state.token.token) ? state.token.token : null;
    snapshotToken = waiting;
    if (waiting && waiting !== token) {
      loadBallot(waiting);
    } else if (!waiting && token) {
      drop(d.msgCancelled); // voided by the facilitator, or expired
    } else if (!waiting && root.dataset.screen !== "thanks") {
      idleScreen();
    }
  }
  function onError(message) {
    if (message.code === "revoked") show("revoked");
  }
  function onStatus(status, code) {
    showStatus(status, code);
    if (status === "gone" && code === 4410) show("closed");
    else if (status === "gone" && (code === 4403 || code === 4401)) show("revoked");
    if (status === "open") flush();
  }

  window.addEventListener("online", function () {
    backoff = 1000;
    flush();
  });
  renderOutbox();
  flush(); // anything left from before a reload or a power cut
  window.PBLive.connect(d.ws, { state: onState, status: onStatus, error: onError });
})();
