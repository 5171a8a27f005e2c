// In-place editing on the plan page: keyboard shortcuts and focus. No inline scripts (CSP).
(function () {
  "use strict";

  function focusFirstField(root) {
    var form = root.matches && root.matches("[data-inline-edit]") ? root : root.querySelector("[data-inline-edit]");
    if (!form) return;
    var field = form.querySelector(".has-error input, .has-error select, .has-error textarea") ||
      form.querySelector("input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  }

  // Where the keyboard goes back to once an in-place form closes (saved or cancelled): the row's
  // (or section's) Edit link, found again by the element's id after htmx has swapped it in.
  var returnFocusTo = null;

  function rememberReturn(form) {
    var holder = form.closest("tr[id], section[id]");
    returnFocusTo = holder ? holder.id : null;
  }

  function focusEditLink() {
    if (!returnFocusTo) return;
    var holder = document.getElementById(returnFocusTo);
    if (!holder || holder.querySelector("[data-inline-edit]")) return; // still editing (a field error)
    returnFocusTo = null;
    var link = holder.querySelector("[data-edit]");
    if (link) link.focus();
  }

  // Esc inside an inline form cancels it; a new, unsaved row is simply removed. Esc inside an open
  // picker only closes the picker's list (the picker handles that key itself).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    var picker = event.target.closest && event.target.closest(".ts-wrapper");
    if (picker && picker.classList.contains("dropdown-active")) return;
    var form = event.target.closest && event.target.closest("[data-inline-edit]");
    if (!form) return;
    var cancel = form.querySelector("[data-cancel]");
    if (cancel) { event.preventDefault(); cancel.click(); }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-inline-edit]");
    if (form) rememberReturn(form);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-row]");
    if (button) {
      var row = button.closest("tr");
      if (row) row.remove();
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.isConnected) {
      // outerHTML swaps replace the target: look at what replaced it.
      target = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document;
    }
    focusFirstField(target);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    focusEditLink();
    var tbody = event.detail.target;
    if (tbody && tbody.tagName === "TBODY") {
      var placeholder = tbody.querySelector(".empty-row");
      if (placeholder && tbody.rows.length > 1) placeholder.remove();
      focusFirstField(tbody.lastElementChild || tbody);
    }
  });
})();
