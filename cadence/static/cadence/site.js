// Cadence's only script of its own. Everything works without it; it adds small conveniences.
(function () {
  "use strict";
  function preselectBrowserTimeZone() {
    // On sign-up, default the time zone to the browser's own, unless the user already chose one.
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    document.querySelectorAll("select[data-browser-time-zone]").forEach(function (select) {
      if (select.dataset.touched || !zone) { return; }
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (option && select.value === "UTC") { select.value = zone; }
    });
  }
  function confirmDangerousForms(event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  }
  document.addEventListener("DOMContentLoaded", preselectBrowserTimeZone);
  document.addEventListener("submit", confirmDangerousForms, true);
  document.addEventListener("htmx:afterSwap", function (event) {
    // Keep keyboard users where they were after a fragment is swapped in.
    var focusId = event.detail.requestConfig && event.detail.requestConfig.elt && event.detail.requestConfig.elt.id;
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) { again.focus(); }
    }
  });
})();
