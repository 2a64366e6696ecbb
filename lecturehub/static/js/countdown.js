/* Courseware deadlines: "还剩 2 天 3 小时 5 分" beside every [data-deadline], every 30 s.
   Included by several partials of one page: it runs once. */
(function () {
  "use strict";
  if (window.LectureHubCountdown) { return; }
  function left(ms) {
    if (ms <= 0) { return "已截止"; }
    var minutes = Math.floor(ms / 60000), days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60), rest = minutes % 60;
    return "还剩 " + (days ? days + " 天 " : "") + (days || hours ? hours + " 小时 " : "") + rest + " 分";
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var ms = new Date(el.getAttribute("data-deadline")) - new Date();
      var out = el.querySelector(".countdown-left");
      if (out) { out.textContent = "（" + left(ms) + "）"; }
      el.classList.toggle("passed", ms <= 0);
    });
  }
  window.LectureHubCountdown = tick;
  tick();
  setInterval(tick, 30000);
})();
