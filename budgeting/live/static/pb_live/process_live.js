// Live turnout (and standings) of a process: the projector and the public process page.
(function () {
  "use strict";
  const lang = document.documentElement.lang || "en";
  const numbers = new Intl.NumberFormat(lang);
  const plural = new Intl.PluralRules(lang);

  function text(node, value) {
    if (node && node.textContent !== value) node.textContent = value;
  }

  function districts(list, rows) {
    list.replaceChildren(
      ...rows.map(function (row) {
        const item = document.createElement("li");
        const name = document.createElement("span");
        name.textContent = row.district;
        const bar = document.createElement("span");
        bar.className = "live-bar";
        const fill = document.createElement("span");
        fill.style.width = Math.round(row.turnout || 0) + "%";
        bar.append(fill);
        const count = document.createElement("span");
        count.textContent =
          numbers.format(row.participants) + (row.turnout === null ? "" : " (" + row.turnout + "%)");
        item.append(name, bar, count);
        return item;
      }),
    );
  }

  function results(box, data, messages) {
    const body = box.querySelector("[data-results-body]");
    box.hidden = !data;
    if (!data) return;
    body.replaceChildren(
      ...data.envelopes.map(function (envelope) {
        const wrap = document.createElement("div");
        if (data.envelopes.length > 1 || envelope.district) {
          const title = document.createElement("h4");
          title.textContent = envelope.district || messages.msgCity;
          wrap.append(title);
        }
        const list = document.createElement("ol");
        list.className = "live-standings";
        envelope.projects.forEach(function (project) {
          const item = document.createElement("li");
          if (project.selected) item.className = "selected";
          const name = document.createElement("span");
          name.textContent = project.title;
          const votes = document.createElement("span");
          const word = plural.select(project.votes) === "one" ? messages.msgVote : messages.msgVotes;
          votes.textContent = numbers.format(project.votes) + " " + word;
          item.append(name, votes);
          if (project.selected) {
            const badge = document.createElement("span");
            badge.className = "badge ok";
            badge.textContent = messages.msgSelected;
            item.append(badge);
          }
          list.append(item);
        });
        wrap.append(list);
        return wrap;
      }),
    );
  }

  function start(root) {
    const messages = root.dataset;
    const showStatus = window.PBLive.statusShower(root, messages);
    const districtList = root.querySelector('[data-live-list="districts"]');
    const resultsBox = root.querySelector('[data-live-list="results"]');
    function render(state) {
      if (state.missing) return;
      text(root.querySelector('[data-live="ballots"]'), numbers.format(state.ballots));
      text(
        root.querySelector("[data-live-unit]"),
        plural.select(state.ballots) === "one" ? messages.msgBallot : messages.msgBallots,
      );
      text(
        root.querySelector('[data-live="turnout"]'),
        state.turnout === null ? "—" : state.turnout + "%",
      );
      text(root.querySelector('[data-live="sessions_open"]'), numbers.format(state.sessions_open));
      Object.keys(state.by_channel).forEach(function (channel) {
        text(
          root.querySelector('[data-channel="' + channel + '"]'),
          numbers.format(state.by_channel[channel]),
        );
      });
      if (districtList) districts(districtList, state.by_district);
      if (resultsBox) results(resultsBox, state.results, messages);
      root.dataset.seq = String(state.ballots);
    }
    window.PBLive.connect(messages.ws, { state: render, status: showStatus });
  }

  document.querySelectorAll("[data-live-process]").forEach(start);
})();
