// The facilitator console: counters, tablets and tokens follow ws/live/sessions/<id>/.
// The page works without it (every action is a plain form); this keeps it current.
(function () {
  "use strict";
  const root = document.getElementById("console");
  if (!root || !window.PBLive) return;
  const d = root.dataset;
  const lang = document.documentElement.lang || "en";
  const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  const csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  const statesNode = document.getElementById("tablet-states");
  const tabletStates = statesNode ? JSON.parse(statesNode.textContent) : {};
  const showStatus = window.PBLive.statusShower(root, d);
  const REFRESH_EVERY = 30000; // tablets that go quiet are shown offline

  function get(object, path) {
    return path.split(".").reduce(function (value, key) {
      return value == null ? undefined : value[key];
    }, object);
  }
  function node(tag, className, content) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (content !== undefined) element.textContent = content;
    return element;
  }
  function postForm(url, label, extra) {
    const form = node("form", "inline");
    form.method = "post";
    form.action = url;
    if (csrfInput) {
      const csrf = node("input");
      csrf.type = "hidden";
      csrf.name = "csrfmiddlewaretoken";
      csrf.value = csrfInput.value;
      form.append(csrf);
    }
    if (extra) form.append(extra);
    const button = node("button", "button small secondary", label);
    button.type = "submit";
    form.append(button);
    return form;
  }
  function url(template, id) {
    return template.replace(/\/0\/(void|reissue|revoke)\/$/, "/" + id + "/$1/");
  }

  function renderTablets(tablets) {
    const list = document.getElementById("tablet-rows");
    if (!list) return;
    if (!tablets.length) {
      list.replaceChildren(node("li", "empty", d.msgNoTablets));
      return;
    }
    list.replaceChildren(
      ...tablets.map(function (tablet) {
        const item = node("li");
        item.dataset.tablet = tablet.id;
        item.append(node("span", "", tablet.label), document.createTextNode(" "));
        item.append(node("span", "badge tablet-" + tablet.state, tabletStates[tablet.state] || tablet.state));
        if (d.canRevoke) item.append(document.createTextNode(" "), postForm(url(d.revokeUrl, tablet.id), d.msgRevoke));
        return item;
      }),
    );
    refreshTabletChoice(tablets);
  }

  function refreshTabletChoice(tablets) {
    const select = document.getElementById("id_tablet");
    if (!select) return;
    const chosen = select.value;
    const first = select.options[0];
    const options = [first].concat(
      tablets.map(function (tablet) {
        const option = node(
          "option",
          "",
          tablet.state === "idle" ? tablet.label : tablet.label + " (" + (tabletStates[tablet.state] || tablet.state).toLowerCase() + ")",
        );
        option.value = String(tablet.id);
        option.disabled = tablet.state === "voting";
        return option;
      }),
    );
    select.replaceChildren(...options);
    select.value = Array.from(select.options).some(function (o) { return o.value === chosen && !o.disabled; }) ? chosen : "";
  }

  function reissueControls(tablets) {
    const select = node("select");
    select.name = "tablet";
    select.setAttribute("aria-label", d.msgReissueTo);
    const code = node("option", "", d.msgAsCode);
    code.value = "";
    select.append(code);
    tablets.filter(function (t) { return t.state === "idle"; }).forEach(function (tablet) {
      const option = node("option", "", tablet.label);
      option.value = String(tablet.id);
      select.append(option);
    });
    return select;
  }

  function renderTokens(tokens, tablets) {
    const body = document.getElementById("token-rows");
    if (!body) return;
    if (!tokens.length) {
      const row = node("tr");
      const cell = node("td", "empty", d.msgNoTokens);
      cell.colSpan = 5;
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(
      ...tokens.map(function (token) {
        const row = node("tr");
        row.dataset.token = token.id;
        const state = node("td");
        state.append(node("span", "badge token-" + token.state, token.state_label));
        if (token.reason) state.append(document.createTextNode(" "), node("span", "help", token.reason));
        const actions = node("td");
        if (token.can_void && d.canVoid) actions.append(postForm(url(d.voidUrl, token.id), d.msgVoid));
        if (token.can_reissue && d.canReissue) {
          actions.append(postForm(url(d.reissueUrl, token.id), d.msgReissue, reissueControls(tablets)));
        }
        row.append(
          node("td", "", String(token.id)),
          state,
          node("td", "", token.tablet || d.msgCode),
          node("td", "", time.format(new Date(token.issued_at))),
          actions,
        );
        return row;
      }),
    );
  }

  // Wrong short codes (budgeting/live/throttles.py): the alert and its reset buttons.
  function renderCodeAlerts(alerts) {
    const box = document.getElementById("code-alerts");
    const rows = document.getElementById("code-alert-rows");
    if (!box || !rows || !alerts) return;
    box.hidden = !alerts.alert && !Number(box.dataset.pairingAlerts || 0);
    if (!alerts.alert) {
      rows.replaceChildren();
      return;
    }
    const list = node("ul");
    alerts.tablets.forEach(function (tablet) {
      const item = node("li", "", window.PBLive.format(d.msgTabletCodes, { tablet: tablet.label, n: tablet.failures }));
      item.dataset.tablet = tablet.id;
      if (d.canRevoke) {
        const which = node("input");
        which.type = "hidden";
        which.name = "tablet";
        which.value = String(tablet.id);
        item.append(document.createTextNode(" "), postForm(d.resetUrl, d.msgReset, which));
      }
      list.append(item);
    });
    const children = [node("p", "badge warn", window.PBLive.format(d.msgCodesAlert, { n: alerts.failures })), list];
    if (d.canRevoke) children.push(postForm(d.resetUrl, d.msgResetAll));
    rows.replaceChildren(...children);
  }

  function render(state) {
    if (state.missing) return;
    root.querySelectorAll("[data-count]").forEach(function (element) {
      const value = get(state, element.dataset.count);
      if (value !== undefined && element.textContent !== String(value)) element.textContent = String(value);
    });
    const badge = root.querySelector('[data-live="state"]');
    if (badge && badge.dataset.state !== state.state) {
      badge.dataset.state = state.state;
      badge.textContent = state.state_label;
      // The state changed elsewhere (another facilitator): the buttons must follow. At most
      // one reload in ten seconds, in case this page and the socket disagree for a moment.
      const last = Number(window.sessionStorage.getItem("pb_live.reloaded") || 0);
      if (Date.now() - last > 10000) {
        window.sessionStorage.setItem("pb_live.reloaded", String(Date.now()));
        window.location.reload();
        return;
      }
    }
    renderTablets(state.tablets);
    renderTokens(state.recent_tokens, state.tablets);
    renderCodeAlerts(state.code_alerts);
  }

  const live = window.PBLive.connect(d.ws, { state: render, status: showStatus });
  window.setInterval(function () { live.send({ type: "refresh" }); }, REFRESH_EVERY);
})();
