// Keyline's own small behaviours. No inline scripts: the content-security policy forbids them.
(function () {
  "use strict";

  // The header's menu button (narrow screens) shows and hides the navigation and account links.
  function setupNavToggle() {
    var button = document.querySelector("[data-nav-toggle]");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !menu) return;
    button.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The header's menus (the programme pages, the account) close on Escape and on a click elsewhere,
  // as menus do; opening one closes the other.
  function setupHeaderMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("[data-account-menu], [data-nav-menu]"));
    if (!menus.length) return;
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    menus.forEach(function (menu) {
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  // A box that scrolls sideways (wide tables, the org chart) says so while part of it is hidden.
  function markScrollable(root) {
    root.querySelectorAll("[data-scroll-cue]").forEach(function (box) {
      function update() {
        var hidden = box.scrollWidth - box.clientWidth;
        box.classList.toggle("can-scroll-left", box.scrollLeft > 2);
        box.classList.toggle("can-scroll-right", hidden - box.scrollLeft > 2);
      }
      if (!box.dataset.scrollCueReady) {
        box.dataset.scrollCueReady = "1";
        box.addEventListener("scroll", update, { passive: true });
        window.addEventListener("resize", update);
      }
      update();
    });
  }

  // A box whose content is wider than it must be reachable by keyboard, to scroll it with the arrow
  // keys (WCAG 2.1.1): while it overflows it is a named tab stop; when it fits, it is not one.
  function keyboardScrollable(root) {
    root.querySelectorAll(".table-wrap, .org-scroll").forEach(function (box) {
      if (box.hasAttribute("tabindex") && !box.dataset.kbdScroll) return; // the template made it one
      var overflows = box.scrollWidth - box.clientWidth > 1;
      if (overflows && !box.dataset.kbdScroll) {
        var section = box.closest("section, article");
        var heading = section && section.querySelector("h1, h2, h3");
        var name = (heading ? heading.textContent.trim() : "Table") + " (scrolls sideways)";
        box.dataset.kbdScroll = "1";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name);
      } else if (!overflows && box.dataset.kbdScroll) {
        delete box.dataset.kbdScroll;
        ["tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  window.addEventListener("resize", function () { keyboardScrollable(document); });

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
    setupHeaderMenus();
    autohide(document);
    markScrollable(document);
    keyboardScrollable(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    autohide(event.target);
    markScrollable(document);
    keyboardScrollable(document);
  });
})();
