// Dashboard behaviours. The URL already carries the view (hx-push-url); this keeps the
// save-view form and keyboard focus in step after in-place updates.
(function () {
  "use strict";

  // After a table update, put keyboard focus back on the sort header that was used.
  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || !trigger.dataset || !trigger.dataset.sort) return;
    var again = document.querySelector('[data-sort="' + trigger.dataset.sort + '"]');
    if (again) again.focus();
  });
})();
