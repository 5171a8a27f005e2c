// Org chart: expand/collapse every branch, and print with every branch open.
(function () {
  "use strict";

  function branches() { return document.querySelectorAll(".org-tree details"); }
  function setAll(open) { branches().forEach(function (d) { d.open = open; }); }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-chart-expand], [data-chart-collapse], [data-print]");
    if (!target) return;
    if (target.hasAttribute("data-chart-expand")) setAll(true);
    if (target.hasAttribute("data-chart-collapse")) setAll(false);
    if (target.hasAttribute("data-print")) { setAll(true); window.print(); }
  });
  window.addEventListener("beforeprint", function () { setAll(true); });

  // Keep the tree item's aria-expanded in step with its <details>.
  document.addEventListener("toggle", function (event) {
    var item = event.target.closest && event.target.closest(".org-node");
    if (item && event.target.tagName === "DETAILS") item.setAttribute("aria-expanded", event.target.open ? "true" : "false");
  }, true);
})();
