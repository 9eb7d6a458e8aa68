// A timed quiz attempt: the time left, counted down. The server decides when time is up; this is only a guide.
// Saving the answers is autosave.js's work.
(function () {
  "use strict";
  var countdown = document.querySelector(".countdown[data-ends]");
  if (!countdown) { return; }
  var ends = Date.parse(countdown.dataset.ends);
  countdown.hidden = false;
  var timer = null;
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    countdown.textContent = "(" + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + " " + countdown.dataset.textLeft + ")";
    if (left === 0 && timer !== null) { clearInterval(timer); }
  }
  timer = setInterval(tick, 1000);
  tick();
})();
