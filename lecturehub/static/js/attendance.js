/* Attendance pages: "全选 / 全不选" on the 补录 form. Plain DOM, no inline handlers. */
(function () {
  "use strict";

  function setAll(name, checked) {
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = checked;
    });
  }

  document.querySelectorAll("[data-check-all]").forEach(function (button) {
    button.addEventListener("click", function () { setAll(button.dataset.checkAll, true); });
  });
  document.querySelectorAll("[data-check-none]").forEach(function (button) {
    button.addEventListener("click", function () { setAll(button.dataset.checkNone, false); });
  });
})();
