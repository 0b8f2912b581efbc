// Keep keyboard users where they were when htmx swaps a fragment (mixed panel, run-of-show):
// an edit form gets the focus on its first field, otherwise focus returns to the same item.
(function () {
  "use strict";
  var key = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    var item = active && active.closest ? active.closest("[data-focus-key]") : null;
    key = item ? item.getAttribute("data-focus-key") : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var field = document.querySelector("form[data-autofocus] input:not([type=hidden]), form[data-autofocus] textarea");
    if (field) {
      field.focus();
      return;
    }
    if (key) {
      var item = document.querySelector('[data-focus-key="' + key + '"]');
      var target = item && item.querySelector("button, a");
      if (target) {
        target.focus();
      }
    }
  });
})();
