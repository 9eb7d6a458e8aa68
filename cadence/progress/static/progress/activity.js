// Time on task for item pages without a video (video.js keeps its own): a heartbeat to the progress beacon
// every few seconds while the page is visible and the learner was active in the last minute. The server
// counts at most 30 seconds a beat, so a forgotten open tab adds nothing.
(function () {
  "use strict";
  var ACTIVE_WINDOW = 60000;
  var tracker = document.querySelector("[data-track-item]");
  if (!tracker || document.querySelector("video[data-item]") || !window.fetch) { return; }
  var every = Number(tracker.dataset.heartbeatMs) || 15000;
  var lastActive = Date.now();
  ["pointermove", "pointerdown", "keydown", "scroll", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { lastActive = Date.now(); }, { passive: true, capture: true });
  });
  function token() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  window.setInterval(function () {
    if (document.visibilityState !== "visible" || Date.now() - lastActive > ACTIVE_WINDOW) { return; }
    var id = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now()) + Math.random().toString(36).slice(2);
    window.fetch("/api/v1/progress/events", {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
      body: JSON.stringify({ events: [{ id: id.replace(/[^A-Za-z0-9_.:-]/g, ""), verb: "heartbeat",
        item: Number(tracker.dataset.trackItem), timestamp: new Date().toISOString() }] })
    }).catch(function () { /* a missed beat is a few seconds of uncounted time, nothing more */ });
  }, every);
})();
