// Running total for the ballot page. Progressive enhancement: without this script the form
// still works and the server validates it; with it, voters see the total as they choose and
// cannot submit a ballot that is over the budget.
(function () {
  "use strict";
  const form = document.getElementById("ballot-form");
  const limitsNode = document.getElementById("ballot-limits");
  if (!form || !limitsNode) return;
  const limits = JSON.parse(limitsNode.textContent);
  const boxes = Array.from(form.querySelectorAll('input[type="checkbox"][name="projects"]'));
  const totalLine = form.querySelector("[data-total-line]");
  const remainingLine = form.querySelector("[data-remaining-line]");
  const meter = form.querySelector(".pb-meter");
  const fill = form.querySelector(".pb-meter-fill");
  const liveError = document.getElementById("ballot-live-error");
  const submit = document.getElementById("ballot-submit");
  const lang = document.documentElement.lang || "en";
  const currency = form.dataset.currency || "";
  // The same format as the server's |money filter: "€70,000.00" (en), "70.000,00 €" (it).
  const numbers = currency
    ? new Intl.NumberFormat(lang, { style: "currency", currency: currency })
    : new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function money(amount) {
    return numbers.format(amount);
  }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  }
  function state() {
    const chosen = boxes.filter((b) => b.checked);
    const total = chosen.reduce((sum, b) => sum + Number(b.dataset.cost || 0), 0);
    return { count: chosen.length, total: total };
  }
  // Problems shown while choosing (over budget, too many) and on submit (too few, too little).
  function problems(s, submitting) {
    const found = [];
    if (limits.knapsack && s.total > limits.budget) {
      found.push(fmt(form.dataset.msgOver, { amount: money(s.total - limits.budget) }));
    }
    if (limits.max_count !== null && s.count > limits.max_count) {
      found.push(fmt(form.dataset.msgTooMany, { n: limits.max_count }));
    }
    if (submitting && s.count < limits.min_count) {
      found.push(fmt(form.dataset.msgTooFew, { n: limits.min_count }));
    }
    if (submitting && limits.knapsack && s.count && s.total < limits.min_total) {
      found.push(fmt(form.dataset.msgUnder, { amount: money(limits.min_total) }));
    }
    return found;
  }
  function render(submitting) {
    const s = state();
    if (limits.knapsack) {
      totalLine.textContent = fmt(form.dataset.msgTotal, {
        total: money(s.total),
        budget: money(limits.budget),
      });
      const over = s.total > limits.budget;
      remainingLine.textContent = over
        ? fmt(form.dataset.msgOverShort, { amount: money(s.total - limits.budget) })
        : fmt(form.dataset.msgRemaining, { amount: money(limits.budget - s.total) });
      const pct = limits.budget ? Math.min(100, Math.round((100 * s.total) / limits.budget)) : 0;
      fill.style.width = pct + "%";
      meter.classList.toggle("over", over);
    } else {
      totalLine.textContent = fmt(form.dataset.msgCount, { n: s.count });
    }
    const found = problems(s, submitting);
    liveError.textContent = found.join(" ");
    liveError.hidden = found.length === 0;
    return found;
  }
  boxes.forEach((box) => box.addEventListener("change", () => render(false)));
  form.addEventListener("submit", (event) => {
    if (render(true).length) {
      event.preventDefault();
      liveError.setAttribute("tabindex", "-1");
      liveError.focus();
      return;
    }
    if (submit) {
      // The submission key makes a second click harmless; this only avoids confusion.
      setTimeout(() => { submit.disabled = true; }, 0);
    }
  });
  render(false);
})();
