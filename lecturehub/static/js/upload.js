/* Courseware upload: file picker or drag-and-drop, XMLHttpRequest with a progress bar,
   posting multipart to the API with the X-CSRFToken header. Without JS the form posts to
   the page route instead. */
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData) { return; }
  var MB = 1024 * 1024;

  function show(el, on) { if (el) { el.hidden = !on; } }

  function setup(form) {
    if (form.dataset.ready === "1") { return; }
    form.dataset.ready = "1";
    document.body.classList.add("js-upload");
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector(".dropzone");
    var wrap = form.querySelector(".progress-wrap");
    var bar = form.querySelector("progress");
    var text = form.querySelector(".progress-text");
    var error = form.querySelector(".upload-error");
    var maxBytes = parseInt(form.dataset.maxBytes, 10) || 0;
    var busy = false;

    function fail(message) {
      busy = false;
      show(wrap, false);
      error.textContent = message;
      show(error, true);
    }

    function send(file) {
      if (!file || busy) { return; }
      show(error, false);
      if (file.size === 0) { return fail("文件是空的（0 字节），请重新导出课件后上传。"); }
      if (maxBytes && file.size > maxBytes) {
        return fail("课件文件超过 " + Math.round(maxBytes / MB) + " MB 的上限。请压缩图片和视频（或删去视频）后再上传。");
      }
      busy = true;
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.api);
      xhr.setRequestHeader("X-CSRFToken", window.LectureHub ? window.LectureHub.csrfToken : "");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (event) {
        if (!event.lengthComputable) { return; }
        var pct = Math.round(event.loaded * 100 / event.total);
        bar.value = pct;
        text.textContent = pct < 100 ? "正在上传 " + pct + "%" : "上传完成，正在分析课件…";
      };
      xhr.onload = function () { done(xhr); };
      xhr.onerror = function () { fail("网络中断，上传失败，请重试。"); };
      bar.value = 0;
      text.textContent = "正在上传 0%";
      show(wrap, true);
      xhr.send(data);
    }

    function done(xhr) {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 200 && body.duplicate) {
        busy = false;
        text.textContent = "与第 " + body.version + " 版内容相同，未新建版本。";
        input.value = "";
        return;
      }
      if (xhr.status === 201) {
        text.textContent = "已上传第 " + body.version + " 版，正在刷新…";
        window.location.hash = "courseware";
        window.location.reload();
        return;
      }
      input.value = "";
      fail((body.error && body.error.message) || ("上传失败（" + xhr.status + "）"));
    }

    input.addEventListener("change", function () { send(input.files[0]); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(input.files[0]);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragover"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) { send(files[0]); }
    });
  }

  function init() { Array.prototype.forEach.call(document.querySelectorAll("form.upload[data-api]"), setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
