// Cadence's only script of its own. Everything works without it; it adds small conveniences.
(function () {
  "use strict";
  function preselectBrowserTimeZone() {
    // On sign-up, default the time zone to the browser's own, unless the user already chose one.
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    document.querySelectorAll("select[data-browser-time-zone]").forEach(function (select) {
      if (select.dataset.touched || !zone) { return; }
      select.addEventListener("change", function () { select.dataset.touched = "true"; });
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (option && select.value === "UTC") { select.value = zone; }
    });
  }
  function confirmDangerousForms(event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  }
  function forgetLocalCopies(event) {
    // Signing out clears the work this browser kept for that account (autosave's local copies).
    var prefix = event.target.dataset && event.target.dataset.forgetLocal;
    if (!prefix) { return; }
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) { window.localStorage.removeItem(key); }
      }
    } catch (e) { /* storage unavailable: nothing was kept */ }
  }
  function signedOutNotice(event) {
    // An htmx request after the session ended gets 401 (not the sign-in page): say so, leave the page as it is.
    var xhr = event.detail && event.detail.xhr;
    var region = document.getElementById("messages");
    if (!xhr || xhr.status !== 401 || !region) { return; }
    var notice = document.getElementById("signed-out-notice") || document.createElement("p");
    notice.id = "signed-out-notice";
    notice.className = "message message-error";
    var detail = "";
    try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (e) { detail = ""; }
    notice.textContent = detail || "You have been signed out. Sign in again, then try once more.";
    region.appendChild(notice);
  }
  document.addEventListener("DOMContentLoaded", preselectBrowserTimeZone);
  document.addEventListener("submit", confirmDangerousForms, true);
  document.addEventListener("submit", forgetLocalCopies);
  document.addEventListener("htmx:responseError", signedOutNotice);
  // Keep keyboard users where they were after a fragment is swapped in. The swap replaces the focused
  // control, so remember its id first. A move button vanishes when its entry reaches the top or the
  // bottom (`item-7-up`); the opposite button of the same entry (`item-7-down`) then takes the focus.
  var focusedId = "";
  document.addEventListener("htmx:beforeSwap", function () {
    focusedId = (document.activeElement && document.activeElement.id) || "";
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!focusedId) { return; }
    var opposite = focusedId.replace(/-(up|down)$/, function (match, way) { return way === "up" ? "-down" : "-up"; });
    var again = document.getElementById(focusedId) || document.getElementById(opposite);
    focusedId = "";
    if (again && again !== document.activeElement) { again.focus(); }
  });
})();
