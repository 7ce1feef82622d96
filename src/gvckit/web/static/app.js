// gvckit workbench: draw the charts whose figure JSON the server put in data-figure.
// No inline scripts (the CSP forbids them); htmx swaps fragments, this draws what arrives.
(function () {
  "use strict";
  function draw(root) {
    if (typeof window.Plotly === "undefined") return;
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var fig = JSON.parse(el.dataset.figure);
      window.Plotly.newPlot(el, fig.data, fig.layout, {
        responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"]
      });
      el.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // htmx:load fires on every piece of content htmx swaps in (attached, so it bubbles here)
  document.addEventListener("htmx:load", function () { draw(document); });
})();
