/* The counter tablet (/rate/<counter>): a rating pad with a screen.
 *
 * Steps: idle (three big buttons) -> reasons (after a negative level) -> thanks, or a
 * notice when the hub refuses. The tablet's device token comes once in the address's
 * fragment (#token=...), is kept in local storage and dropped from the address bar.
 * The hub says on Socket.IO /devices when the counter's rating window opens and
 * closes; without the Socket.IO client the page asks every 20 s instead.
 */
(function () {
  "use strict";
  var page = JSON.parse(document.body.getAttribute("data-page"));
  var t = page.t;
  var STORE = "motcua.tablet.token";
  var $ = function (id) { return document.getElementById(id); };
  var token = takeToken();
  var chosen = null;
  var reasonTimer = null;
  var backTimer = null;

  function takeToken() {
    var match = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
    if (match) {
      try { window.localStorage.setItem(STORE, decodeURIComponent(match[1])); } catch (e) { /* private mode */ }
      history.replaceState(null, "", window.location.pathname + window.location.search);
      return decodeURIComponent(match[1]);
    }
    try { return window.localStorage.getItem(STORE); } catch (e) { return null; }
  }

  function headers() {
    return { Accept: "application/json", "Content-Type": "application/json", Authorization: "Bearer " + token };
  }

  function show(step, text) {
    document.body.setAttribute("data-step", step);
    $("levels").hidden = step !== "idle";
    $("prompt").hidden = step !== "idle";
    $("reasons").hidden = step !== "reasons";
    $("thanks").hidden = step !== "thanks";
    $("notice").hidden = step !== "notice" && step !== "blocked";
    if (step === "thanks") { $("thanks").textContent = t.thanks; }
    if (step === "notice" || step === "blocked") { $("notice").textContent = text; }
    clearTimeout(backTimer);
    if (step === "thanks" || step === "notice") {
      backTimer = setTimeout(function () { show("idle"); }, step === "thanks" ? 3000 : 6000);
    }
  }

  // ------------------------------------------------------------- the state
  function setOpen(open) {
    document.body.classList.toggle("open", open);
    $("prompt").textContent = open ? t.invite : t.idle;
  }

  function refresh() {
    if (!token) { show("blocked", t.setup); return; }
    fetch(page.state_api, { headers: headers(), cache: "no-store" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) { show("blocked", t.bad_token); return; }
        var code = data && data.error && data.error.code;
        if (r.status === 403) { show("blocked", code === "not_your_counter" ? t.wrong_counter : t.bad_token); return; }
        if (!r.ok) { return; }
        $("counter").textContent = data.counter.name;
        $("officer").textContent = data.officer || t.no_officer;
        setOpen(!!data.rating_until);
        if (document.body.getAttribute("data-step") === "blocked") { show("idle"); }
      });
    }).catch(function () { /* the next event or poll tries again */ });
  }

  function listen() {
    if (!token) { return; }
    if (typeof window.io !== "function") { setInterval(refresh, 20000); return; }
    var socket = window.io("/devices", { auth: { token: token }, transports: ["websocket"] });
    socket.on("connect", function () { socketUp = true; refresh(); });
    socket.on("disconnect", function () { socketUp = false; });
    socket.on("rating_open", function (data) {
      if (data && String(data.counter) === page.counter) { setOpen(true); refresh(); }
    });
    socket.on("rating_close", function (data) {
      if (data && String(data.counter) === page.counter) { setOpen(false); }
    });
  }

  // A heartbeat a minute: administrators see the tablet online like any device.
  var socketUp = false;
  function beat() {
    if (!token) { return; }
    fetch(page.heartbeat_api, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ version: page.version, status: { socket: socketUp ? "connected" : "down" } })
    }).catch(function () { /* the next beat tries again */ });
  }

  // ------------------------------------------------------------- rating
  function newKey() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return "tablet." + page.counter.replace(/[^A-Za-z0-9_-]/g, "") + "." + Date.now() + "." + hex;
  }

  function choose(level) {
    if (!token) { return; }
    if (!level.positive && page.reasons.length) {
      chosen = level;
      show("reasons");
      clearTimeout(reasonTimer);
      reasonTimer = setTimeout(function () { send(level, []); }, page.reason_s * 1000);
      return;
    }
    send(level, []);
  }

  function send(level, reasons) {
    clearTimeout(reasonTimer);
    chosen = null;
    fetch(page.rating_api, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ key: newKey(), level: level.id, reasons: reasons })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) { show("thanks"); return; }
        var code = data && data.error && data.error.code;
        if (r.status === 401) { show("blocked", t.bad_token); return; }
        show("notice", t[code] || (data && data.error && data.error.message) || t.refused);
      });
    }).catch(function () { show("notice", t.offline); });
  }

  function build() {
    var styles = ["best", "good"];
    page.levels.forEach(function (level, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "level " + (level.positive ? (styles[i] || "good") : "bad");
      button.setAttribute("data-level", level.id);
      button.textContent = level.label;
      button.addEventListener("click", function () { choose(level); });
      $("levels").appendChild(button);
    });
    $("reasons-title").textContent = t.reasons;
    page.reasons.forEach(function (reason) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "reason";
      button.setAttribute("data-reason", reason.id);
      button.textContent = reason.label;
      button.addEventListener("click", function () { if (chosen) { send(chosen, [reason.id]); } });
      $("reason-list").appendChild(button);
    });
    $("skip").textContent = t.skip;
    $("skip").addEventListener("click", function () { if (chosen) { send(chosen, []); } });
  }

  // A new token typed after the address (#token=...) sets the tablet up again.
  window.addEventListener("hashchange", function () {
    if (/(?:^|[#&])token=/.test(window.location.hash)) { takeToken(); window.location.reload(); }
  });

  build();
  show("idle");
  setOpen(false);
  refresh();
  listen();
  beat();
  setInterval(beat, 60000);
})();
