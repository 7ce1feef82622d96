// gvckit workbench: draw the charts whose figure JSON the server put in data-figure, and make
// the chain map's actors open their accounts. No inline scripts (the CSP forbids them); htmx
// swaps fragments, this draws what arrives.
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
  function actors(root) {
    root.querySelectorAll(".chain-map[data-actor-url]").forEach(function (map) {
      var url = map.dataset.actorUrl;
      map.querySelectorAll("g.actor[data-id]").forEach(function (g) {
        if (g.dataset.wired) return;
        g.dataset.wired = "1";
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        var open = function () {
          if (window.htmx) window.htmx.ajax("GET", url + encodeURIComponent(g.dataset.id), "#actor-panel");
        };
        g.addEventListener("click", open);
        g.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); }
        });
      });
    });
  }
  // a range slider shows its value in its <output>
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (el && el.type === "range" && el.id) {
      var out = document.querySelector('output[for="' + el.id + '"]');
      if (out) out.textContent = el.value + " %";
    }
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); actors(document); });
  // htmx:load fires on every piece of content htmx swaps in (attached, so it bubbles here)
  document.addEventListener("htmx:load", function () { draw(document); actors(document); });
})();
