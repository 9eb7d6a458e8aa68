// A quiz attempt: each question's answer is saved shortly after it changes, and the time left is shown.
// Without this script the page still works: "Save my answers" and "Submit the attempt" post the form.
// The server decides when time is up; the countdown is only a guide.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var url = form.dataset.autosaveUrl;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Increasing across reloads of this page, so the server can drop an autosave overtaken by a newer one.
  var sequence = Date.now() * 1000;
  var timers = {};

  function say(text) { if (status) { status.textContent = text; } }

  function save(block) {
    var data = new FormData();
    block.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (!field.name || field.disabled) { return; }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      data.append(field.name, field.value);
    });
    sequence += 1;
    data.append("position", block.dataset.position);
    data.append("sequence", String(sequence));
    fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        say(form.dataset.textSaved + " " + result.body.saved_at);
      } else if (result.status === 409) {
        window.location.reload(); // the attempt was closed: show its result
      } else {
        say(result.body.detail || form.dataset.textFailed);
      }
    }).catch(function () {
      say(form.dataset.textOffline);
    });
  }

  function schedule(event) {
    var block = event.target.closest(".question-block");
    if (!block) { return; }
    var key = block.dataset.position;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { save(block); }, event.type === "change" ? 100 : 800);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
  });

  var countdown = document.querySelector(".countdown[data-ends]");
  if (countdown) {
    var ends = Date.parse(countdown.dataset.ends);
    countdown.hidden = false;
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      countdown.textContent = "(" + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + " " + countdown.dataset.textLeft + ")";
      if (left === 0) { clearInterval(timer); }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
})();
