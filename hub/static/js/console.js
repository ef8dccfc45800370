/* motcua staff console: one key per action, live state over Socket.IO /counter.
 *
 * Everything the page needs comes from the JSON data-config of #console (the
 * Content-Security-Policy forbids inline script). Actions are POSTed as JSON
 * with the session's CSRF token; the hub answers the new state and a message
 * in the page's language, so this file holds no user-facing text.
 *
 * Keys (event.code, so NumLock and the keyboard layout do not matter):
 *   Enter / Numpad Enter / N  call next       Numpad + / R   recall
 *   Numpad - / V              no-show          Numpad * / H   complete
 *   Numpad / / C              transfer field   Numpad 0 / P   pause / resume
 * In the transfer chooser: 1–9 pick a field, Esc or Numpad . cancels.
 * "No-show" within cfg.no_show_confirm_s of the call (the hub's time) asks first:
 * Numpad - / V again confirms, Esc or Numpad . keeps waiting.
 * Held keys (auto-repeat) and presses while a request is in flight are ignored.
 *
 * The dossier codes listed (dossiers.js: typed, or scanned by a keyboard-wedge
 * scanner) go with "complete" or "call next".
 */
(() => {
  "use strict";

  const root = document.getElementById("console");
  if (!root) return;
  const cfg = JSON.parse(root.dataset.config);
  const T = cfg.text;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const serviceNames = Object.fromEntries(cfg.services.map((s) => [s.id, s.name]));

  const KEYS = {
    "call-next": { codes: ["Enter", "NumpadEnter", "KeyN"], keys: [] },
    recall: { codes: ["NumpadAdd", "KeyR"], keys: ["+"] },
    "no-show": { codes: ["NumpadSubtract", "KeyV"], keys: ["-"] },
    complete: { codes: ["NumpadMultiply", "KeyH"], keys: ["*"] },
    transfer: { codes: ["NumpadDivide", "KeyC"], keys: ["/"] },
    "toggle-pause": { codes: ["Numpad0", "KeyP"], keys: [] },
  };

  let state = cfg.state;
  let clockOffset = 0;
  let busy = false;
  let toastTimer = 0;
  let socket = null;

  function syncClock(serverTime) {
    const at = Date.parse(serverTime);
    if (!Number.isNaN(at)) clockOffset = at - Date.now();
  }
  syncClock(state.server_time);

  // ------------------------------------------------------------ rendering
  function normaliseCounter(view) {
    // Socket "counter" events carry service ids; the console's state carries {id, name}.
    const ref = (s) => (typeof s === "string" ? { id: s, name: serviceNames[s] || s } : s);
    const current = view.current
      ? { number: view.current.number, service: ref(view.current.service), called_at: view.current.called_at }
      : null;
    return {
      id: view.id,
      name: view.name,
      status: view.status,
      paused: !!view.paused,
      staff: view.staff || null,
      services: (view.services || []).map(ref),
      current,
    };
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function elapsed(calledAt) {
    const start = Date.parse(calledAt);
    if (Number.isNaN(start)) return "--:--";
    const s = Math.max(0, Math.floor((Date.now() + clockOffset - start) / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
  }

  function renderTimer() {
    const current = state.counter.current;
    $("timer").textContent = current ? elapsed(current.called_at) : "--:--";
  }

  function render() {
    const c = state.counter;
    const current = c.current;
    root.dataset.current = current ? current.number : "";
    root.dataset.paused = c.paused ? "1" : "0";
    $("now-number").textContent = current ? current.number : "—";
    $("now-field").textContent = current ? current.service.name : "\u00a0";
    const chip = $("now-status");
    chip.textContent = c.paused ? T.paused : current ? T.serving : T.idle;
    chip.className = "chip " + (c.paused ? "chip-warn" : current ? "chip-ok" : "chip-idle");
    $("timer-label").textContent = T.served_for;
    renderTimer();
    dossiers.sync(current ? current.number : null);
    if (noShowDialog.open && (!current || current.number !== noShowFor)) noShowDialog.close();

    const pause = $("pause-btn");
    pause.dataset.action = c.paused ? "resume" : "pause";
    $("pause-label").textContent = c.paused ? T.resume : T.pause;
    pause.classList.toggle("is-paused", c.paused);

    document.querySelectorAll(".act").forEach((btn) => {
      const needsCurrent = btn.dataset.needs === "current";
      // Not disabled while busy: a request takes milliseconds and a flicker on
      // every key press would distract; act() drops presses while one is in flight.
      btn.disabled = (needsCurrent && !current) || (btn.dataset.action === "call-next" && c.paused);
    });

    let total = 0;
    document.querySelectorAll("#waiting-list li").forEach((li) => {
      const n = state.waiting[li.dataset.service] || 0;
      total += n;
      li.querySelector(".count").textContent = String(n);
      li.classList.toggle("has-waiting", n > 0);
    });
    $("waiting-total").textContent = String(total);
    $("today-served").textContent = String(state.today.served);
    $("today-noshow").textContent = String(state.today.no_show);

    if (c.status !== "open") {
      toast(T.closed, "error");
      window.setTimeout(() => window.location.assign(cfg.urls.pick), 1500);
    }
  }

  function toast(message, kind) {
    const el = $("toast");
    el.textContent = message || "";
    el.className = "toast toast-" + (kind || "info") + (message ? " is-shown" : "");
    window.clearTimeout(toastTimer);
    if (message) toastTimer = window.setTimeout(() => el.classList.remove("is-shown"), 6000);
  }

  function setConn(kind) {
    const el = $("conn");
    el.dataset.state = kind;
    el.querySelector(".conn-text").textContent = T[kind];
  }

  // -------------------------------------------------------------- actions
  async function request(url, options) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
      ...options,
    });
    if (response.status === 401) {
      window.location.assign(cfg.urls.pick); // the server sends us to the login page
      return null;
    }
    const data = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, data };
  }

  function apply(data) {
    state = { counter: data.counter, waiting: data.waiting, today: data.today, server_time: data.server_time };
    syncClock(data.server_time);
    render();
  }

  async function refresh() {
    try {
      const answer = await request(cfg.urls.state, { method: "GET" });
      if (answer && answer.ok) apply(answer.data);
      return !!(answer && answer.ok);
    } catch (err) {
      return false;
    }
  }

  async function act(action, body) {
    if (busy) return;
    busy = true;
    root.classList.add("is-busy");
    const sent = action === "complete" || action === "call-next" ? dossiers.list() : [];
    try {
      const answer = await request(cfg.urls.actions[action], {
        method: "POST",
        body: JSON.stringify(sent.length ? { ...(body || {}), dossiers: sent } : body || {}),
      });
      if (!answer) return;
      if (answer.ok) {
        if (sent.length) dossiers.clear();
        apply(answer.data);
        toast(answer.data.message, "ok");
      } else {
        const message = answer.data && answer.data.error ? answer.data.error.message : T.error;
        toast(message, "error");
        if (answer.status === 409 || answer.status === 403) await refresh();
      }
    } catch (err) {
      toast(T.error, "error");
    } finally {
      busy = false;
      root.classList.remove("is-busy");
    }
  }

  // ------------------------------------------------------------- dossiers
  const dossiers = window.MotcuaDossiers({
    settings: cfg.dossiers,
    text: T,
    toast,
    current: () => state.counter.current,
    root,
  });

  // ------------------------------------------------------------- transfer
  const dialog = $("transfer-dialog");
  function transferChoices() {
    return Array.from(dialog.querySelectorAll(".choice")).filter((b) => !b.disabled);
  }

  function openTransfer() {
    const current = state.counter.current;
    if (!current || busy) return;
    $("transfer-title").textContent = T.choose_field.replace("%(number)s", current.number);
    let n = 0;
    dialog.querySelectorAll(".choice").forEach((btn) => {
      const same = btn.dataset.service === current.service.id;
      btn.disabled = same;
      btn.querySelector("kbd").textContent = same ? "" : String(++n);
    });
    dialog.showModal();
    const first = transferChoices()[0];
    if (first) first.focus();
  }

  function chooseTransfer(serviceId) {
    dialog.close();
    act("transfer", { service: serviceId });
  }

  dialog.addEventListener("click", (event) => {
    const btn = event.target.closest(".choice");
    if (btn && !btn.disabled) chooseTransfer(btn.dataset.service);
  });

  function onDialogKey(event) {
    const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
    if (digit) {
      event.preventDefault();
      const btn = transferChoices()[Number(digit[1]) - 1];
      if (btn) chooseTransfer(btn.dataset.service);
    } else if (event.code === "NumpadDecimal" || event.code === "Backspace") {
      event.preventDefault();
      dialog.close();
    }
  }

  // -------------------------------------------------------------- no-show
  // Right after a call the citizen is still walking to the counter: a no-show then is
  // most likely a slip of the finger, so the page asks (the API itself does not).
  const noShowDialog = $("noshow-dialog");
  let noShowFor = null;

  function secondsSinceCall(current) {
    const at = Date.parse(current.called_at);
    return Number.isNaN(at) ? Infinity : (Date.now() + clockOffset - at) / 1000;
  }

  function noShow() {
    const current = state.counter.current;
    if (!current || busy) return;
    const since = secondsSinceCall(current);
    if (since >= cfg.no_show_confirm_s) return act("no-show");
    noShowFor = current.number;
    $("noshow-title").textContent = T.no_show_soon
      .replace("%(number)s", current.number)
      .replace("%(seconds)s", String(Math.max(0, Math.floor(since))));
    noShowDialog.showModal();
    $("noshow-cancel").focus();
  }

  function confirmNoShow() {
    const current = state.counter.current;
    const same = current && current.number === noShowFor;
    noShowDialog.close();
    if (same) act("no-show");
  }

  noShowDialog.addEventListener("close", () => {
    noShowFor = null;
  });
  $("noshow-confirm").addEventListener("click", confirmNoShow);
  $("noshow-cancel").addEventListener("click", () => noShowDialog.close());

  function onNoShowKey(event) {
    if (KEYS["no-show"].codes.includes(event.code) || KEYS["no-show"].keys.includes(event.key)) {
      event.preventDefault();
      if (!event.repeat) confirmNoShow();
    } else if (event.code === "NumpadDecimal" || event.code === "Backspace") {
      event.preventDefault();
      noShowDialog.close();
    }
  }

  // ------------------------------------------------------------- keyboard
  function actionFor(event) {
    for (const [action, spec] of Object.entries(KEYS)) {
      if (spec.codes.includes(event.code) || spec.keys.includes(event.key)) return action;
    }
    return null;
  }

  function run(action) {
    if (action === "transfer") return openTransfer();
    if (action === "toggle-pause") return act(state.counter.paused ? "resume" : "pause");
    const btn = document.querySelector(`.act[data-action="${action}"]`);
    if (btn && btn.disabled) return;
    if (action === "no-show") return noShow();
    return act(action);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return; // browser shortcuts stay
    if (dialog.open) return onDialogKey(event);
    if (noShowDialog.open) return onNoShowKey(event);
    if (event.target === dossiers.input) return; // typed into the field: no shortcuts
    if (dossiers.scanned(event)) return;
    const action = actionFor(event);
    if (!action) return;
    event.preventDefault(); // also stops Enter from "clicking" a focused button
    if (event.repeat) return;
    if (event.key.length !== 1) return run(action);
    // A character may be the first of a scanned code: run it unless another follows fast.
    dossiers.later(() => run(action));
  });

  document.querySelectorAll(".act").forEach((btn) => {
    btn.addEventListener("click", () => {
      btn.blur();
      run(btn.dataset.action === "pause" || btn.dataset.action === "resume" ? "toggle-pause" : btn.dataset.action);
    });
  });

  $("close-form").addEventListener("submit", (event) => {
    if (!window.confirm($("close-form").dataset.confirm)) event.preventDefault();
  });

  // --------------------------------------------------------------- live
  function startSocket() {
    if (typeof window.io !== "function") return false;
    // WebSocket only (no sticky sessions across server processes); it reconnects by itself.
    socket = window.io("/counter", { transports: ["websocket"] });
    socket.on("connect", () => {
      setConn("online");
      socket.emit("watch", { counter: cfg.counter });
      refresh(); // catch up on whatever happened while disconnected
    });
    socket.on("disconnect", () => setConn("offline"));
    socket.on("connect_error", () => setConn("offline"));
    socket.on("counter", (view) => {
      if (view.id !== cfg.counter) return;
      state = { ...state, counter: normaliseCounter(view) };
      render();
    });
    socket.on("queue", (payload) => {
      state = { ...state, waiting: { ...state.waiting, ...(payload.waiting || {}) } };
      render();
    });
    return true;
  }

  async function poll() {
    setConn((await refresh()) ? "online" : "offline");
  }

  render();
  window.setInterval(renderTimer, 500);
  if (!startSocket()) {
    poll();
    window.setInterval(poll, 3000);
  } else {
    // A slow safety net: the socket pushes every change, this only heals drift.
    window.setInterval(refresh, 30000);
  }
})();
