/* 消息: opening an unread message marks it read (the form button does the same without JS). */
(function () {
  "use strict";
  var list = document.querySelector(".inbox");
  if (!list || !window.LectureHub) { return; }
  list.addEventListener("click", function (event) {
    var link = event.target.closest(".message-link");
    var item = link && link.closest(".message.unread");
    if (!item) { return; }
    // keepalive: the request finishes even though the page navigates away at once
    window.LectureHub.api(item.dataset.readUrl, { method: "POST", keepalive: true }).catch(function () {});
    item.classList.remove("unread");
  });
})();
