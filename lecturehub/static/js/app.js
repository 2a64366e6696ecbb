/* LectureHub — small helpers shared by the pages. No third-party code. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.LectureHub = {
    csrfToken: meta ? meta.content : "",
    /** fetch() with the CSRF header and JSON parsing; rejects with the API's Chinese message. */
    api: function (url, options) {
      options = options || {};
      options.headers = Object.assign({ "X-CSRFToken": this.csrfToken, "Accept": "application/json" }, options.headers || {});
      options.credentials = "same-origin";
      return fetch(url, options).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var err = new Error((body.error && body.error.message) || ("请求失败（" + response.status + "）"));
            err.status = response.status; err.body = body; throw err;
          }
          return body;
        });
      });
    }
  };
  // Forms: ask first where the form says so (data-confirm), then prevent double submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    setTimeout(function () { form.dataset.submitting = ""; }, 4000);
  }, true);

  // Behaviours the templates ask for with data attributes: the Content-Security-Policy allows
  // no inline script and no on* attribute, so every page's script lives in static/js/.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest(".nav-toggle")) { document.body.classList.toggle("nav-open"); }
    if (target.closest("[data-print]")) { window.print(); }
    if (target.matches("input.copy")) { target.select(); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-autosubmit]") && target.form) { target.form.submit(); }
  });
})();
