/* Live session: conditional polling (304 keeps the page as it is), lost-connection notice,
   and the timers that tick between polls. No inline script (strict CSP). */
(function () {
  "use strict";
  if (!window.htmx) { return; }

  // htmx takes over the forms of swapped-in content when the swap settles (20 ms later by
  // default). A second tap or Enter on a freshly swapped ballot row within that window posted the
  // plain form: the page reloaded and keyboard focus went back to the top. No settle transitions
  // are used here.
  htmx.config.defaultSettleDelay = 0;

  // An unchanged state answers 304 with no body: never swap it in. Refusals (409, 422) carry the
  // form again, with what was typed and the reason: swap them like a success. A lost place (403)
  // is retargeted to the alert area by the server.
  htmx.config.responseHandling.unshift(
    { code: "304", swap: false },
    { code: "40[39]|422", swap: true, error: false }
  );

  function alertArea() { return document.getElementById("live-alert"); }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    // The console's live area is not refreshed while the facilitator types in it.
    if (elt.hasAttribute("data-hold-while-focused") && elt.contains(document.activeElement)) {
      event.preventDefault();
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    var area = alertArea();
    if (!area) { return; }
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
      area.textContent = area.getAttribute("data-offline-post");
    } else if (!area.textContent) {
      area.textContent = area.getAttribute("data-offline");
    }
  });

  // A 304 may carry a newer ETag than the one sent (the versions moved but nothing this screen
  // shows did): send that one next time, so the server answers from its versions alone.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr, elt = event.detail.elt;
    if (!xhr || xhr.status !== 304 || !elt.hasAttribute("hx-headers")) { return; }
    var etag = xhr.getResponseHeader("ETag");
    if (etag) { elt.setAttribute("hx-headers", JSON.stringify({ "If-None-Match": etag })); }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var area = alertArea();
    if (area && event.detail.successful && event.detail.elt.id !== "live-alert" &&
        event.detail.xhr && event.detail.xhr.status !== 403) {
      area.textContent = "";
    }
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function label(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  // Each timer starts from the elapsed time the server computed when it rendered the fragment.
  var started = new WeakMap();
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-timer]").forEach(function (timer) {
      if (!started.has(timer)) { started.set(timer, now); }
      if (timer.getAttribute("data-running") !== "1") { return; }
      var elapsed = parseInt(timer.getAttribute("data-elapsed"), 10) +
        Math.floor((now - started.get(timer)) / 1000);
      var value = timer.querySelector("[data-timer-value]");
      if (value) { value.textContent = label(elapsed); }
      var over = elapsed > parseInt(timer.getAttribute("data-planned"), 10) * 60;
      timer.classList.toggle("is-over", over);
      var warning = timer.querySelector("[data-timer-warning]");
      if (warning) { warning.hidden = !over; }
    });
  }
  setInterval(tick, 1000);
})();
