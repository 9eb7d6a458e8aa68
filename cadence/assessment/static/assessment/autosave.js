// Autosave for quiz answers and assignment drafts: the one script both pages use. Nothing typed is lost.
//
// - Each change is saved shortly after it is made; until the server confirms it, a copy is kept in this
//   browser (localStorage, per account and page), and put back on request after a reload or a crash.
// - A session that has ended answers 401: the page stays, says so, and offers sign-in in a dialog (or a
//   new tab). After sign-in it fetches a fresh CSRF token, saves the work, and if a button had been
//   pressed (Submit, Save), presses it once more, with the form's idempotency key unchanged.
// - Work is only ever sent for the account that opened the page; signing out clears that account's copies.
// Without this script the page still works: the buttons post the form, and the server keeps work sent
// while signed out until its writer has signed in again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  var texts = document.getElementById("autosave-texts");
  if (!form || !texts) { return; }
  var t = texts.dataset;
  var user = t.user;
  var status = document.getElementById(form.dataset.status);
  var storageKey = "cadence:work:" + user + ":" + form.dataset.localKey;
  var unitParam = form.dataset.unitParam || "";
  var sequence = Date.now() * 1000; // increasing across reloads: the server drops an overtaken autosave
  var dirty = {}; // unit id -> true while the server does not have its latest values
  var timers = {};
  var inflight = null; // the save in flight: one at a time, so they arrive in order
  var retryTimer = null;
  var halted = ""; // "signed-out", "closed", "wrong-account", "rejected": saving waits for a fix
  var pressed = null; // the button pressed while the work could not be sent
  var bypass = false; // the next submit is the one this script makes itself
  var tokenRetried = false; // a refused CSRF token is renewed once, not in a loop

  // --- Messages ------------------------------------------------------------------------------------
  function say(text) { if (status) { status.textContent = text; } }
  function show(id, shown) { var el = document.getElementById(id); if (el) { el.hidden = !shown; } }
  function time(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }); }

  // --- Units: a quiz question, or the whole assignment form -----------------------------------------
  function units() {
    var list = form.querySelectorAll("[data-autosave-unit]");
    return list.length ? Array.prototype.slice.call(list) : [form];
  }
  function unitId(el) { return el === form ? "all" : el.dataset.autosaveUnit; }
  function unitById(id) {
    return id === "all" ? form : form.querySelector('[data-autosave-unit="' + String(id).replace(/"/g, "") + '"]');
  }
  function fieldsOf(el) {
    return Array.prototype.filter.call(el.querySelectorAll("input, select, textarea"), function (field) {
      return field.name && !field.disabled && field.name !== "for_user" &&
        ["file", "hidden", "submit", "button", "reset"].indexOf(field.type) === -1;
    });
  }
  function valuesOf(el) {
    return fieldsOf(el).map(function (field) {
      var checkable = field.type === "radio" || field.type === "checkbox";
      return [field.name, field.value, checkable ? field.checked : null];
    });
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function apply(el, values) {
    fieldsOf(el).forEach(function (field) {
      var checkable = field.type === "radio" || field.type === "checkbox";
      var match = values.filter(function (v) { return v[0] === field.name && (!checkable || v[1] === field.value); })[0];
      if (!match) { return; }
      if (checkable) { field.checked = !!match[2]; } else { field.value = match[1]; }
    });
  }

  // --- The copy kept in this browser -----------------------------------------------------------------
  function readLocal() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "null") || { units: {} }; } catch (e) { return { units: {} }; }
  }
  function writeLocal(copy) {
    try {
      if (Object.keys(copy.units).length) { window.localStorage.setItem(storageKey, JSON.stringify(copy)); }
      else { window.localStorage.removeItem(storageKey); }
      return true;
    } catch (e) { say(t.noStorage); return false; }
  }
  function keepLocally(id, values) {
    var copy = readLocal();
    copy.units[id] = { values: values, at: Date.now() };
    writeLocal(copy);
  }
  function confirmed(id, values) {
    var copy = readLocal();
    if (copy.units[id] && same(copy.units[id].values, values)) { delete copy.units[id]; writeLocal(copy); }
  }

  // --- Saving --------------------------------------------------------------------------------------
  function csrf() { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }
  function setCsrf(token) {
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) { input.value = token; });
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      headers["X-CSRFToken"] = token;
      document.body.setAttribute("hx-headers", JSON.stringify(headers));
    } catch (e) { /* no htmx headers on this page */ }
  }
  function parse(response) {
    var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    return (json ? response.json() : Promise.resolve({})).then(function (body) {
      return {
        status: response.status, ok: response.ok && json && !response.redirected,
        redirected: response.redirected, body: body || {}, json: json
      };
    });
  }
  function post(id, values) {
    var data = new FormData();
    values.forEach(function (v) { if (v[2] !== false) { data.append(v[0], v[1]); } });
    data.append("for_user", user);
    if (unitParam && id !== "all") { data.append(unitParam, id); }
    sequence += 1;
    data.append("sequence", String(sequence));
    return fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Autosave": "1", "Accept": "application/json" }
    }).then(parse);
  }

  function schedule(id, delay) {
    clearTimeout(timers[id]);
    timers[id] = setTimeout(flush, delay);
  }
  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, 30000);
  }
  function pendingIds() { return Object.keys(dirty).filter(function (id) { return dirty[id]; }); }

  // Send every unit the server does not have yet, one at a time; resolves true when all are saved.
  function flush() {
    if (inflight) { return inflight.then(function () { return flush(); }); }
    if (halted) { return Promise.resolve(false); }
    var ids = pendingIds();
    if (!ids.length) { return Promise.resolve(true); }
    var id = ids[0];
    var el = unitById(id);
    if (!el) { dirty[id] = false; return flush(); }
    var values = valuesOf(el);
    say(t.saving);
    inflight = post(id, values).then(function (result) {
      inflight = null;
      return handle(id, values, result);
    }, function () {
      inflight = null;
      say(t.offline);
      retryLater();
      return false;
    });
    return inflight;
  }

  function handle(id, values, result) {
    var body = result.body;
    if (result.ok) {
      tokenRetried = false;
      if (same(valuesOf(unitById(id)), values)) { dirty[id] = false; }
      confirmed(id, values);
      say((form.dataset.savedText || t.saved) + " " + (body.saved_at || time(Date.now())));
      return flush();
    }
    if (result.status === 401 || body.signed_out || result.redirected) { return signedOut(); }
    if (result.status === 403 && !result.json && !tokenRetried) {
      tokenRetried = true;
      return refreshToken().then(function (renewed) { return renewed ? flush() : false; });
    }
    if (result.status === 409 && body.closed) { halted = "closed"; say((body.detail || "") + " " + t.closed); return false; }
    if (result.status === 409 && body.wrong_account) { halted = "wrong-account"; say(body.detail + " " + t.kept); return false; }
    if (result.status === 413 || (result.status === 400 && !result.json)) { halted = "rejected"; say(t.tooLarge); return false; }
    if (result.status >= 500 || !result.json) { say(t.server); retryLater(); return false; }
    halted = "rejected"; // the server refused this content (too long, not open): it waits for the next change
    say((body.detail || t.server) + " " + t.kept);
    return false;
  }

  function refreshToken() {
    return fetch(t.sessionUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (!state.signed_in) { signedOut(); return false; }
        if (String(state.user) !== user) { halted = "wrong-account"; say(t.otherUser); return false; }
        setCsrf(state.csrf_token);
        return true;
      }, function () { say(t.offline); retryLater(); return false; });
  }

  function changed(event) {
    var el = event.target.closest("[data-autosave-unit]") || (event.target.form === form ? form : null);
    if (!el || fieldsOf(el).indexOf(event.target) === -1) { return; }
    var id = unitId(el);
    dirty[id] = true;
    keepLocally(id, valuesOf(el));
    if (halted === "rejected") { halted = ""; }
    if (halted === "signed-out") { say(t.signedOut); return; }
    schedule(id, event.type === "change" ? 100 : 800);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { flush(); });

  // --- Signed out: sign in without leaving the page --------------------------------------------------
  var dialog = document.getElementById("signin-dialog");
  var dialogError = document.getElementById("signin-dialog-error");
  function dialogSays(text) { dialogError.textContent = text; dialogError.hidden = !text; }

  function signedOut() {
    halted = "signed-out";
    say(t.signedOut);
    show("work-signed-out", true);
    return false;
  }
  function openDialog() {
    dialogSays("");
    if (!dialog.open) { dialog.showModal(); }
  }
  document.getElementById("work-signed-out-button").addEventListener("click", openDialog);
  document.getElementById("signin-dialog-close").addEventListener("click", function () { dialog.close(); });

  // Signed in again (here or in another tab): check it is the same person, take the new token, save, resume.
  function resumeAs(state) {
    if (!state.signed_in) { dialogSays(t.notYet); return; }
    if (String(state.user) !== user) { dialogSays(t.otherUser); return; }
    setCsrf(state.csrf_token);
    dialog.close();
    show("work-signed-out", false);
    halted = "";
    say(t.signedIn);
    flush().then(function (saved) {
      var button = pressed;
      pressed = null;
      if (saved && button) { bypass = true; form.requestSubmit(button); }
    });
  }
  function sessionState() {
    return fetch(t.sessionUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); });
  }
  document.getElementById("signin-dialog-continue").addEventListener("click", function () {
    sessionState().then(resumeAs, function () { dialogSays(t.offline); });
  });
  document.getElementById("signin-dialog-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var fields = event.target;
    var submitButton = document.getElementById("signin-dialog-submit");
    submitButton.disabled = true;
    sessionState().then(function (state) {
      var data = new URLSearchParams();
      data.append("csrfmiddlewaretoken", state.csrf_token);
      data.append("username", fields.elements.namedItem("username").value);
      data.append("password", fields.elements.namedItem("password").value);
      data.append("next", t.sessionUrl);
      return fetch(t.signinUrl, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": state.csrf_token }
      });
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (json) { return response.json().then(resumeAs); }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var problem = page.querySelector(".form-errors, .errorlist, main p");
        dialogSays(problem && response.status !== 200 ? problem.textContent.trim() : t.signinFailed);
      });
    }).catch(function () { dialogSays(t.offline); }).then(function () {
      submitButton.disabled = false;
      fields.elements.namedItem("password").value = "";
    });
  });

  // --- Buttons: send the work first; never leave the page for the sign-in page -----------------------
  form.addEventListener("submit", function (event) {
    if (bypass) { bypass = false; return; }
    var button = event.submitter || null;
    event.preventDefault();
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) { return; }
    units().forEach(function (el) {
      var id = unitId(el);
      var copy = readLocal().units[id];
      if (dirty[id] || copy) { dirty[id] = true; keepLocally(id, valuesOf(el)); }
    });
    pressed = button;
    if (halted === "closed") { bypass = true; form.requestSubmit(button); return; } // the server shows the result
    if (halted === "signed-out") { openDialog(); return; }
    sessionState().then(function (state) {
      if (!state.signed_in) { signedOut(); openDialog(); return; }
      if (String(state.user) !== user) { halted = "wrong-account"; say(t.otherUser); return; }
      setCsrf(state.csrf_token);
      if (halted === "rejected") { halted = ""; }
      flush().then(function (saved) {
        if (halted === "signed-out") { openDialog(); return; }
        if (!saved) { return; }
        var again = pressed;
        pressed = null;
        bypass = true;
        form.requestSubmit(again);
      });
    }, function () { say(t.notSent); });
  });

  // --- On load: offer back what this browser kept and the server does not have ----------------------
  (function offerKept() {
    var copy = readLocal();
    var offered = [];
    var latest = 0;
    Object.keys(copy.units).forEach(function (id) {
      var el = unitById(id);
      var kept = copy.units[id];
      var serverAt = el ? Number(el.dataset.savedAt || 0) * 1000 : 0;
      if (!el || same(valuesOf(el), kept.values) || kept.at <= serverAt) { delete copy.units[id]; return; }
      offered.push(id);
      latest = Math.max(latest, kept.at);
    });
    writeLocal(copy);
    if (!offered.length) { return; }
    document.getElementById("work-restore-text").textContent = t.restore.replace("%(time)s", time(latest));
    show("work-restore", true);
    document.getElementById("work-restore-keep").addEventListener("click", function () {
      var now = readLocal();
      offered.forEach(function (id) {
        if (!now.units[id]) { return; }
        apply(unitById(id), now.units[id].values);
        dirty[id] = true;
      });
      show("work-restore", false);
      flush();
    });
    document.getElementById("work-restore-discard").addEventListener("click", function () {
      var now = readLocal();
      offered.forEach(function (id) { delete now.units[id]; });
      writeLocal(now);
      show("work-restore", false);
    });
  })();
})();
