// Notes on an item page: a text selection in the lesson becomes the note's highlight, the video's
// current moment fills "Moment in the video", and a note's moment seeks the video on this page.
(function () {
  "use strict";
  function noteForm() { return document.querySelector("form.note-form"); }
  function video() { return document.querySelector("video"); }
  function formatMoment(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }
  document.addEventListener("mouseup", function () {
    var selection = window.getSelection(), form = noteForm();
    if (!form || !selection || selection.isCollapsed) { return; }
    var anchor = selection.anchorNode && selection.anchorNode.parentElement;
    if (!anchor || !anchor.closest(".prose, .lesson-body")) { return; }
    var quote = form.querySelector("[name=quote]");
    if (quote) { quote.value = selection.toString().trim().slice(0, 2000); }
  });
  document.addEventListener("focusin", function (event) {
    var form = noteForm(), player = video();
    if (!form || !player || !form.contains(event.target)) { return; }
    var at = form.querySelector("[name=at]");
    if (at && !at.value && player.currentTime > 0) { at.value = formatMoment(player.currentTime); }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-seek]"), player = video();
    if (!link || !player) { return; }
    event.preventDefault();
    player.currentTime = Number(link.dataset.seek);
    player.focus();
  });
})();
