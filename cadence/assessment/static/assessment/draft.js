// An assignment's answer is saved as a draft a moment after each change, so nothing typed is lost.
// Without this script, "Save draft" does the same; submitting never depends on it.
(function () {
  "use strict";
  var form = document.getElementById("assignment-form");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var last = "";

  function fields() {
    var data = new FormData();
    ["text", "url"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) { data.append(name, field.value); }
    });
    return data;
  }

  function save() {
    var data = fields();
    var snapshot = String(data.get("text") || "") + "\u0000" + String(data.get("url") || "");
    if (snapshot === last) { return; }
    fetch(form.dataset.draftUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        last = snapshot;
        status.textContent = form.dataset.textSaved + " " + result.body.saved_at;
      } else {
        status.textContent = result.body.detail || form.dataset.textFailed;
      }
    }).catch(function () { status.textContent = form.dataset.textFailed; });
  }

  form.addEventListener("input", function (event) {
    if (event.target.name !== "text" && event.target.name !== "url") { return; }
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
})();
