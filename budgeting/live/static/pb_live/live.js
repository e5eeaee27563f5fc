// PBLive.connect(path, handlers): a live socket that keeps itself up to date.
// Protocol (docs/live-protocol.md): a "snapshot" on every (re)connection, then "delta"
// messages that apply to the state with seq == base. A gap (or a lost message) makes the
// client ask for a "resync"; a dropped connection is retried with exponential backoff and
// jitter (0.5 s doubling up to 15 s). The server's refusals are final: application close
// codes 4000-4999 (4401 not logged in or not paired, 4403 not allowed, 4404 not found,
// 4410 closed) and 1003/1007/1008/1009 (it could not read what this page sent): the page
// stops reconnecting and says why instead of retrying every 15 s forever.
(function () {
  "use strict";
  const PROTOCOL_ERRORS = new Set([1003, 1007, 1008, 1009]);
  function isFinal(code) {
    return (code >= 4000 && code < 5000) || PROTOCOL_ERRORS.has(code);
  }
  const PING_EVERY = 25000;

  function wsUrl(path) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + path;
  }

  function connect(path, handlers) {
    const on = Object.assign(
      { state() {}, status() {}, error() {}, message() {} },
      handlers || {},
    );
    let socket = null;
    let seq = 0;
    let state = null;
    let attempt = 0;
    let retry = null;
    let ping = null;
    let stopped = false;
    let resyncing = false;

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(message));
        return true;
      }
      return false;
    }
    function resync() {
      if (!resyncing && send({ type: "resync" })) resyncing = true;
    }
    function handle(message) {
      if (message.type === "snapshot") {
        if (state !== null && message.seq < seq) return;
        seq = message.seq;
        state = message.data;
        resyncing = false;
        on.state(state, { full: true, seq: seq });
      } else if (message.type === "delta") {
        if (message.seq <= seq) return;
        if (state === null || message.base !== seq) {
          resync();
          return;
        }
        Object.assign(state, message.data);
        seq = message.seq;
        on.state(state, { full: false, seq: seq, changed: message.data });
      } else if (message.type === "error") {
        if (message.code === "too_fast") resyncing = false;
        on.error(message);
      }
      on.message(message);
    }
    function schedule() {
      const delay = Math.min(15000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() / 2);
      attempt += 1;
      retry = window.setTimeout(open, delay);
    }
    function open() {
      if (stopped) return;
      on.status("connecting");
      socket = new WebSocket(wsUrl(path));
      socket.addEventListener("open", function () {
        attempt = 0;
        seq = 0; // a new connection starts with a snapshot
        state = null;
        resyncing = false;
        on.status("open");
        ping = window.setInterval(function () { send({ type: "ping" }); }, PING_EVERY);
      });
      socket.addEventListener("message", function (event) {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        handle(message);
      });
      socket.addEventListener("close", function (event) {
        window.clearInterval(ping);
        socket = null;
        if (isFinal(event.code)) {
          stopped = true;
          on.status("gone", event.code);
          return;
        }
        on.status("closed", event.code);
        schedule();
      });
    }
    // Come back at once when the browser says the network is back.
    window.addEventListener("online", function () {
      if (!stopped && socket === null) {
        window.clearTimeout(retry);
        attempt = 0;
        open();
      }
    });
    open();
    return {
      send: send,
      resync: resync,
      close: function () {
        stopped = true;
        window.clearTimeout(retry);
        if (socket) socket.close();
      },
    };
  }

  // Shows "Live" / "Reconnecting…" / why it stopped in every [data-live-status] inside
  // container, with the texts of messages (a dataset with msgLive, msgReconnecting, msgGone,
  // and msgGone4401, msgGone4403, … for the close codes the page explains).
  function statusShower(container, messages) {
    const nodes = Array.from(container.querySelectorAll("[data-live-status]"));
    return function (status, code) {
      const text =
        status === "open"
          ? messages.msgLive
          : status === "gone"
            ? messages["msgGone" + code] || messages.msgGone
            : messages.msgReconnecting;
      nodes.forEach(function (node) {
        node.textContent = text || "";
        node.dataset.state = status;
        if (status === "gone" && code) node.dataset.code = String(code);
      });
    };
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name];
    });
  }

  window.PBLive = {
    connect: connect,
    wsUrl: wsUrl,
    statusShower: statusShower,
    format: format,
    isFinal: isFinal,
  };
})();
