/* Slide images: while the server converts a deck or renders its images (生成中), ask the
   small previews endpoint now and then and reload the page once there is news (the verdict
   of a converted deck, the images, or the reason it failed). On the large view of a slide,
   the arrow keys turn the pages. No inline script: loaded from a file (CSP). */
(function () {
  "use strict";
  var LIMIT_MS = 30 * 60 * 1000;

  function watch(el, url) {
    var analysed = el.getAttribute("data-analysed") === "1";
    var until = Date.now() + LIMIT_MS;
    function again(delay) { if (Date.now() < until) { setTimeout(ask, delay); } }
    var delay = 1500;
    function ask() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && (body.status !== "pending" || body.analysed !== analysed)) {
            window.location.reload();
            return;
          }
          delay = Math.min(delay * 1.5, 15000);
          again(delay);
        })
        .catch(function () { again(15000); });
    }
    again(delay);
  }

  function init() {
    var seen = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-previews-poll]"), function (el) {
      var url = el.getAttribute("data-previews-poll");
      if (url && !seen[url]) { seen[url] = true; watch(el, url); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) { return; }
      var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
      var link = rel && document.querySelector(".slide-pager a[rel=" + rel + "]");
      if (link) { window.location.href = link.href; }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
