/* A talk's slide texts: open the list when the address names a slide (#slide-N), also in
   browsers whose <details> do not open by themselves for a fragment. */
(function () {
  "use strict";
  function reveal() {
    var el = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var box = el && el.closest && el.closest(".slide-texts details");
    if (box && !box.open) { box.open = true; el.scrollIntoView(); }
  }
  reveal();
  window.addEventListener("hashchange", reveal);
})();
