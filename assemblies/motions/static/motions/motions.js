// Meeting motions, live (docs/live-protocol.md, "Motions in meetings"): the chair's console,
// the projector and the members' page render the tally of ws/motions/meetings/<id>/ (or the
// chair's ws/motions/chair/<id>/) without reloading; the room tablet follows its own socket
// and reloads when the chair hands it a ballot. Ballot forms work without this script; with
// it they are sent with fetch and the page stays where it is.
(function () {
  "use strict";
  const live = window.PBLive;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function card(m, t) {
    const article = el("article", "card motion-card");
    article.dataset.motion = m.id;
    article.dataset.state = m.state;
    article.append(el("h3", "", m.title));
    const meta = el("p");
    meta.append(el("span", "badge motion-state-" + m.state, m.state_label));
    meta.append(" · " + (m.secret ? t.msgSecret : t.msgNamed));
    if (m.outcome) {
      meta.append(" · ");
      const outcome = el("strong", "badge " + (m.outcome === "adopted" ? "ok" : "err"), m.outcome_label);
      outcome.dataset.field = "outcome";
      meta.append(outcome);
    }
    article.append(meta);
    const counts = el("ul", "motion-counts");
    m.choices.forEach(function (c) {
      const item = el("li", "", c.label + ": ");
      const n = el("strong", "", String(c.votes));
      n.dataset.count = c.key;
      item.append(n);
      counts.append(item);
    });
    m.options.forEach(function (o) {
      const item = el("li", "", o.label + ": ");
      const n = el("strong", "", String(o.votes));
      n.dataset.count = "option:" + o.id;
      item.append(n);
      counts.append(item);
    });
    article.append(counts);
    if (m.eligible !== null) {
      let line =
        live.format(t.msgVoters, { voters: m.voters, eligible: m.eligible }) +
        " · " + live.format(t.msgQuorum, { needed: m.quorum_needed });
      if (m.quorum_reached) line += " · " + t.msgQuorumOk;
      const voters = el("p", "help", line);
      voters.dataset.field = "voters";
      article.append(voters);
    }
    if (m.objections.length) {
      const list = el("ul", "motion-objections");
      m.objections.forEach(function (o) {
        const item = el(
          "li",
          "",
          live.format(t.msgObjection, { member: o.member, reason: o.reason }) +
            " (" + (t["msgObjection" + o.state.charAt(0).toUpperCase() + o.state.slice(1)] || o.state) + ")",
        );
        item.dataset.objectionState = o.state;
        list.append(item);
      });
      article.append(list);
    }
    return article;
  }

  function names(list, rows, empty, render) {
    if (!list) return;
    list.replaceChildren(
      ...(rows.length ? rows.map(render) : [el("li", "", empty)]),
    );
  }

  function startTally(root) {
    const t = root.dataset;
    const show = live.statusShower(root, t);
    const list = root.querySelector("[data-motion-list]");
    const reloadOn = t.reloadOnOpen;
    let touched = false;
    document.addEventListener("input", function () { touched = true; });
    live.connect(t.ws, {
      status: show,
      state: function (state) {
        if (state.missing) return;
        list.replaceChildren(
          ...(state.motions.length ? state.motions.map(function (m) { return card(m, t); }) : [el("p", "", t.msgNoMotions)]),
        );
        names(root.querySelector("[data-present]"), state.present || [], t.msgNobody, function (p) {
          return el("li", "", p.name);
        });
        names(root.querySelector("[data-tablets]"), state.tablets || [], t.msgNoTablets, function (tab) {
          return el("li", "", tab.label + (tab.waiting_for ? " · " + live.format(t.msgWaitingFor, { member: tab.waiting_for }) : ""));
        });
        // The members' page: a vote opened or closed. Its ballots come from the server.
        if (reloadOn !== undefined && state.open.join(",") !== reloadOn && !touched) {
          window.location.reload();
        }
      },
    });
  }

  function startKiosk(root) {
    const t = root.dataset;
    const show = live.statusShower(root, t);
    live.connect(t.ws, {
      status: show,
      state: function (state) {
        const token = state.token ? state.token.token : "";
        if (token !== (t.token || "")) window.location.reload();
      },
      error: function (message) {
        if (message.code === "revoked") window.location.reload();
      },
    });
  }

  function enhanceBallot(form) {
    const feedback = form.querySelector("[data-feedback]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
        credentials: "same-origin",
      })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          feedback.textContent = body.message || "";
          if (body.ok) {
            form.querySelector("fieldset").disabled = true;
            form.dataset.voted = "1";
            if (document.querySelector("[data-room-kiosk]")) {
              window.setTimeout(function () { window.location.reload(); }, 1500);
            }
          } else {
            button.disabled = false;
          }
        })
        .catch(function () {
          form.submit(); // no answer: send it the plain way
        });
    });
  }

  document.querySelectorAll("[data-motions-live]").forEach(startTally);
  document.querySelectorAll("[data-room-kiosk]").forEach(startKiosk);
  document.querySelectorAll("[data-vote-form]").forEach(enhanceBallot);
})();
