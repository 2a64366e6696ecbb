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
  // Prevent double submits: disable a form's buttons once it is submitted.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    setTimeout(function () { form.dataset.submitting = ""; }, 4000);
  }, true);
})();
