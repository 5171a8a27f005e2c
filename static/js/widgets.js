// Shared page behaviours: type-ahead pickers, length counters, fresh pages on Back. No inline scripts (CSP).
// Both run on the first load and on every htmx swap (htmx:load fires for each new element).
(function () {
  "use strict";

  // <select data-picker-source="/api/…/">: the page holds only the chosen option; what is typed is
  // looked up in that API list (?search=), which answers with what the reader may see.
  function searchOptions(source) {
    return {
      shouldLoad: function (query) { return query.length > 0; },
      load: function (query, callback) {
        var url = source + (source.indexOf("?") < 0 ? "?" : "&") + "page_size=20&search=" + encodeURIComponent(query);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (page) {
            callback(page.results.map(function (row) {
              return { value: String(row.id), text: row.name || row.full_name || row.email };
            }));
          })
          .catch(function () { callback(); });
      },
    };
  }

  // <select data-picker>: Tom Select when its script is there; the plain select otherwise.
  function setupPickers(root) {
    if (typeof window.TomSelect === "undefined") return;
    root.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.tomselect) return;
      var multiple = select.multiple;
      var source = select.getAttribute("data-picker-source");
      var picker = new window.TomSelect(select, Object.assign(source ? searchOptions(source) : {}, {
        plugins: multiple ? ["remove_button"] : [],
        maxOptions: null,
        hidePlaceholder: true,
        closeAfterSelect: !multiple,
        selectOnTab: true,
        placeholder: multiple ? "Type a name…" : undefined,
        render: {
          no_results: function () { return '<div class="no-results">No match among the people you may choose</div>'; },
        },
        onItemAdd: function () {
          // Clear what was typed, so the next name can be typed straight away.
          this.setTextboxValue("");
          this.refreshOptions(false);
        },
      }));
      // Tom Select points the field's <label> at its own text box, which leaves the kept (hidden)
      // <select> without a name: give it the label's name too, so every control is named.
      var typed = picker.focus_node || picker.control_input;
      var labelId = typed && typed.getAttribute("aria-labelledby");
      if (labelId) select.setAttribute("aria-labelledby", labelId);
    });
  }

  // Text fields with a length limit: say the limit before saving, and never cut pasted text.
  // The browser's maxlength would drop the end of a long paste without a word, so the limit moves
  // to a counter that turns red; the server answers an over-long value with a field error.
  function setupCounters(root) {
    var fields = root.querySelectorAll(
      "textarea[maxlength], input[maxlength]:not([type=hidden]):not([type=password]):not([type=number])"
    );
    fields.forEach(function (field) {
      var limit = parseInt(field.getAttribute("maxlength"), 10);
      if (!limit || field.dataset.maxlength) return;
      field.dataset.maxlength = String(limit);
      field.removeAttribute("maxlength");
      var counter = document.createElement("small");
      counter.className = "char-count";
      counter.id = (field.id || field.name) + "-count";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);
      var update = function () {
        var used = field.value.length;
        var over = used - limit;
        counter.textContent = over > 0
          ? used + " / " + limit + " characters: " + over + " too many"
          : used + " / " + limit + " characters";
        counter.classList.toggle("over", over > 0);
        field.classList.toggle("over-limit", over > 0);
      };
      field.addEventListener("input", update);
      update();
    });
  }

  function setup(root) {
    if (!root || !root.querySelectorAll) return;
    setupPickers(root);
    setupCounters(root);
  }

  document.addEventListener("htmx:load", function (event) { setup(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
})();

// A page the browser kept whole in memory (back/forward cache) shows figures from when it was left:
// fetch it again, so Back after an edit elsewhere never shows an old value.
(function () {
  "use strict";
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
})();
