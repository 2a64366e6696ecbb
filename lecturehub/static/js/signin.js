/* Sign-in: the phone page posts the QR token to the API; the projector screen polls for the
   next QR code and the live counts. Plain DOM, no third-party code. */
(function () {
  "use strict";
  var POLL_MS = 3000;

  function text(el, value) { if (el) { el.textContent = value; } }

  function hhmm(iso) { return iso ? iso.substring(11, 16) : ""; }

  function checkinPage(card) {
    var result = card.querySelector(".checkin-result");
    var fallback = card.querySelector(".checkin-fallback");
    if (fallback) { fallback.hidden = true; }
    LectureHub.api(card.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(card.dataset.token ? { token: card.dataset.token } : { grant: card.dataset.grant })
    }).then(function (body) {
      var p = document.createElement("p");
      p.className = "verdict ok";
      if (body.already) { p.textContent = "已签到"; }
      else if (body.status === "late") { p.textContent = "签到成功（迟到 " + body.late_minutes + " 分钟）"; }
      else { p.textContent = "签到成功"; }
      var when = document.createElement("p");
      when.className = "muted";
      when.textContent = "签到时间 " + hhmm(body.checked_in_at);
      result.replaceChildren(p, when);
    }).catch(function (err) {
      var p = document.createElement("p");
      p.className = "verdict over";
      p.textContent = err.message;
      result.replaceChildren(p);
    });
  }

  function fillNames(list, people) {
    if (!list) { return; }
    list.replaceChildren.apply(list, people.map(function (person) {
      var li = document.createElement("li");
      li.className = person.status;
      li.textContent = person.name;
      return li;
    }));
  }

  function render(screen, state) {
    document.getElementById("qr").innerHTML = state.qr_svg; // SVG made by the server (segno)
    screen.dataset.checkinUrl = state.checkin_url;
    screen.dataset.state = state.state;
    text(document.getElementById("count-signed"), String(state.counts.present + state.counts.late));
    text(document.getElementById("count-missing"), String(state.missing.length));
    text(document.getElementById("count-excused"), String(state.excused.length));
    fillNames(document.getElementById("names-signed"), state.signed_in);
    fillNames(document.getElementById("names-missing"), state.missing);
    var status = { before: "签到尚未开始", closed: "签到已结束", open: "" }[state.state];
    text(document.getElementById("screen-status"), status);
  }

  function screenPage(screen) {
    function poll() {
      LectureHub.api(screen.dataset.pollUrl).then(function (state) {
        render(screen, state);
      }).catch(function (err) {
        text(document.getElementById("screen-status"), "连接中断，正在重试…（" + err.message + "）");
      });
    }
    setInterval(poll, POLL_MS);
  }

  var card = document.getElementById("checkin");
  if (card && card.dataset.auto === "1") { checkinPage(card); }
  var screen = document.getElementById("screen");
  if (screen) { screenPage(screen); }
})();
