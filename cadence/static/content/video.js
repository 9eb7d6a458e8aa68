// Cadence's video player additions. The page works without this script: the native controls play the
// video and its captions, and transcript lines are links to the media fragment (#t=seconds).
// With it: resume where the learner left off (?t= overrides), playback speed, transcript lines that
// seek, and activity sent to the progress beacon (POST /api/v1/progress/events):
//   progressed every 5 s while playing, paused on pause and when the page is hidden or left, and a
//   heartbeat every 15 s while the page is visible and the learner was active in the last minute.
// Each event carries the stretch [from, to] actually played since the last one; seeking starts a new one.
(function () {
  "use strict";
  var PROGRESS_EVERY = 5000;
  var HEARTBEAT_EVERY = 15000;
  var ACTIVE_WINDOW = 60000;
  var SEEK_JUMP = 1.5; // seconds between two time updates that mean a seek, not playback
  var MAX_BATCH = 100;
  var RATE_KEY = "cadence-video-rate";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function round(seconds) { return Math.round(seconds * 1000) / 1000; }

  // "75", "75.5", "1:15" or "1:02:03" → seconds; anything else → null.
  function parseClock(value) {
    if (!value) { return null; }
    if (/^\d+(\.\d+)?s?$/.test(value)) { return parseFloat(value); }
    var match = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(value);
    if (!match) { return null; }
    return (parseInt(match[1] || "0", 10) * 60 + parseInt(match[2], 10)) * 60 + parseFloat(match[3]);
  }

  function formatClock(seconds) {
    var total = Math.round(seconds);
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  // --- The beacon: events queue up and are sent in batches; a batch that fails for the network stays queued
  // and goes with the next one (ids make a resent event count once).
  function Beacon(url) {
    this.url = url;
    this.queue = [];
    this.sending = false;
  }
  Beacon.prototype.push = function (event, urgent) {
    this.queue.push(event);
    this.flush(urgent);
  };
  Beacon.prototype.flush = function (urgent) {
    if (!this.queue.length || (this.sending && !urgent)) { return; }
    var batch = this.queue.slice(0, MAX_BATCH);
    var self = this;
    this.sending = true;
    var done = function (keep) {
      self.sending = false;
      if (keep) { return; }
      self.queue = self.queue.slice(batch.length);
      if (self.queue.length) { self.flush(false); } // what was queued while this batch was on its way
    };
    try {
      window.fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ events: batch })
      }).then(function (response) {
        // Server errors may pass; a refused batch (4xx) would be refused again, so it is dropped.
        done(response.status >= 500);
      }, function () { done(true); });
    } catch (e) {
      done(true);
    }
  };

  function setUpPlayer(video) {
    var item = parseInt(video.dataset.item, 10);
    var tracked = video.dataset.tracked === "true" && !!video.dataset.beaconUrl;
    var beacon = tracked ? new Beacon(video.dataset.beaconUrl) : null;
    var segmentStart = null; // where the stretch being played began, or null when not playing
    var last = 0; // the last time seen while playing
    var pending = []; // stretches closed by a seek, not sent yet
    var lastActive = Date.now();
    var started = false;
    var restored = false;

    function duration() {
      if (isFinite(video.duration) && video.duration > 0) { return round(video.duration); }
      var given = parseFloat(video.dataset.duration || "");
      return isFinite(given) && given > 0 ? given : null;
    }

    function event(verb, watched) {
      var data = { id: newId(), verb: verb, item: item, timestamp: new Date().toISOString(), position: round(video.currentTime || 0) };
      var length = duration();
      if (length) { data.duration = length; }
      if (watched) { data.watched = [round(watched[0]), round(watched[1])]; }
      return data;
    }

    function cut() {
      // Close the stretch played so far at `last`; playback goes on from there.
      if (segmentStart !== null && last > segmentStart + 0.05) { pending.push([segmentStart, last]); }
      segmentStart = video.paused ? null : last;
    }

    function send(verb, urgent) {
      if (!beacon) { return; }
      cut();
      var stretches = pending;
      pending = [];
      for (var i = 0; i < stretches.length - 1; i++) { beacon.push(event("progressed", stretches[i]), urgent); }
      beacon.push(event(verb, stretches.length ? stretches[stretches.length - 1] : null), urgent);
    }

    function restore() {
      if (restored) { return; }
      restored = true;
      var wanted = parseClock(new URLSearchParams(window.location.search).get("t"));
      if (wanted === null) { wanted = parseFloat(video.dataset.resume || "0") || 0; }
      var length = duration();
      if (wanted > 0 && (!length || wanted < length - 1)) { video.currentTime = wanted; }
      last = video.currentTime;
    }

    if (video.readyState >= 1) { restore(); } else { video.addEventListener("loadedmetadata", restore); }

    video.addEventListener("play", function () {
      if (!started && beacon) { started = true; beacon.push(event("started", null)); }
    });
    video.addEventListener("playing", function () {
      last = video.currentTime;
      segmentStart = last;
    });
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (segmentStart !== null && !video.seeking) {
        if (now < last || now - last > SEEK_JUMP) { // a jump the seeking events did not announce
          if (last > segmentStart + 0.05) { pending.push([segmentStart, last]); }
          segmentStart = now;
        }
        last = now;
      }
      highlightCue(video, now);
    });
    video.addEventListener("seeking", function () {
      if (segmentStart !== null && last > segmentStart + 0.05) { pending.push([segmentStart, last]); }
      segmentStart = null;
    });
    video.addEventListener("seeked", function () {
      last = video.currentTime;
      segmentStart = video.paused ? null : last;
    });
    video.addEventListener("pause", function () {
      if (segmentStart !== null) { last = Math.max(last, video.currentTime); }
      send("paused", false);
      segmentStart = null;
    });

    window.setInterval(function () {
      if (!video.paused && !video.seeking) { send("progressed", false); }
    }, PROGRESS_EVERY);

    ["pointermove", "pointerdown", "keydown", "scroll", "wheel", "touchstart"].forEach(function (name) {
      document.addEventListener(name, function () { lastActive = Date.now(); }, { passive: true, capture: true });
    });
    window.setInterval(function () {
      if (!beacon || document.visibilityState !== "visible") { return; }
      if (Date.now() - lastActive < ACTIVE_WINDOW || !video.paused) { beacon.push(event("heartbeat", null)); }
    }, HEARTBEAT_EVERY);

    // Hiding the page and leaving it often come together: the place is sent once for both.
    var away = false;
    function leaving() {
      if (away) { return; }
      away = true;
      if (segmentStart !== null) { last = Math.max(last, video.currentTime); }
      send("paused", true);
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { leaving(); } else { away = false; }
    });
    window.addEventListener("pagehide", leaving);
    window.addEventListener("pageshow", function () { away = false; });

    // Playback speed: shown only when this script runs; the choice is remembered on this device.
    var control = document.querySelector('[data-speed-for="' + video.id + '"]');
    if (control) {
      var select = control.querySelector("select");
      control.hidden = false;
      var saved = null;
      try { saved = window.localStorage.getItem(RATE_KEY); } catch (e) { saved = null; }
      if (saved && select.querySelector('option[value="' + saved + '"]')) {
        select.value = saved;
        video.playbackRate = parseFloat(saved);
      }
      video.addEventListener("loadedmetadata", function () { video.playbackRate = parseFloat(select.value); });
      select.addEventListener("change", function () {
        video.playbackRate = parseFloat(select.value);
        try { window.localStorage.setItem(RATE_KEY, select.value); } catch (e) { /* private mode */ }
      });
    }
  }

  // --- The transcript: a line seeks the video instead of opening the media file.
  function highlightCue(video, now) {
    var box = document.querySelector('[data-video="' + video.id + '"]');
    if (!box) { return; }
    var current = null;
    var cues = box.querySelectorAll("a.cue");
    for (var i = 0; i < cues.length; i++) {
      if (parseFloat(cues[i].dataset.start) <= now + 0.05) { current = cues[i]; }
    }
    for (var j = 0; j < cues.length; j++) {
      if (cues[j] === current) { cues[j].setAttribute("aria-current", "true"); } else { cues[j].removeAttribute("aria-current"); }
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.cue") : null;
    if (!link) { return; }
    var box = link.closest("[data-video]");
    var video = box && document.getElementById(box.dataset.video);
    if (!video) { return; }
    event.preventDefault();
    video.currentTime = parseFloat(link.dataset.start) || 0;
    highlightCue(video, video.currentTime);
  });

  // --- The editor: a preview fills in an empty running time from the file itself.
  function fillDuration(video) {
    var input = document.getElementById(video.dataset.fillDuration);
    var fill = function () {
      if (input && !input.value && isFinite(video.duration) && video.duration > 0) { input.value = formatClock(video.duration); }
    };
    if (video.readyState >= 1) { fill(); } else { video.addEventListener("loadedmetadata", fill); }
  }

  function init() {
    document.querySelectorAll("video[data-item]").forEach(setUpPlayer);
    document.querySelectorAll("video[data-fill-duration]").forEach(fillDuration);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
