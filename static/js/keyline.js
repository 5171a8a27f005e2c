// Keyline's own small behaviours. No inline scripts: the content-security policy forbids them.
(function () {
  "use strict";

  function setupNavToggle() {
    var button = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("main-nav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Forms and buttons carrying data-confirm ask before they submit.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // Elements with data-autohide fade out after a few seconds (flash messages).
  function autohide(root) {
    root.querySelectorAll(".flash-success").forEach(function (el) {
      setTimeout(function () { el.classList.add("fade"); }, 6000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupNavToggle();
    autohide(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) { autohide(event.target); });
})();
