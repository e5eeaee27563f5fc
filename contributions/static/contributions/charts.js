/* Charts of "what the commons give back": each <canvas data-chart="ID"> draws the numbers in
   the <script type="application/json" id="ID"> next to it (json_script). The same numbers are in
   the table beside every chart, for screen readers and without JavaScript. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.labels || !data.labels.length) { return; }
    var style = getComputedStyle(document.documentElement);
    var accent = style.getPropertyValue("--accent").trim() || "#1d5c4d";
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: canvas.dataset.label || "",
          data: data.hours,
          backgroundColor: accent
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true } }
      }
    });
  });
})();
