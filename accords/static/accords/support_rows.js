// "Add another row" on the accord edit form: clones the formset's empty row in place of the
// no-JavaScript button (which posts the form back with one more row and saves nothing).
(function () {
  "use strict";

  function setUp() {
    const button = document.querySelector("[data-add-support-row]");
    const rows = document.querySelector("[data-support-rows]");
    const template = document.getElementById("support-row-template");
    const total = document.getElementById("id_support-TOTAL_FORMS");
    if (!button || !rows || !template || !total) return;
    const max = Number(button.dataset.max || 1000);
    const fallback = document.querySelector("[data-add-row-fallback]");
    if (fallback) fallback.hidden = true;
    button.hidden = false;

    function refresh() {
      button.disabled = Number(total.value) >= max;
    }

    button.addEventListener("click", function () {
      const index = Number(total.value);
      if (index >= max) return;
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      refresh();
      const added = rows.lastElementChild;
      const first = added && added.querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    });
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
