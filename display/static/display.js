/*
 * motcua call screen (the TV in the waiting hall).
 *
 * Live data comes over Socket.IO namespace /display: a `snapshot` on every
 * (re)connect, then `call` and `queue` pushes. After a reconnect the page asks
 * for the calls after the last `seq` it saw (`since`), shows every one it missed
 * and announces, once, those made less than `recent_s` ago.
 *
 * Announcements play one after another from a queue, never cutting each other,
 * `repeat` times each. The page reports `shown` when a call is on screen and
 * `spoken` when its announcement has played; a call whose audio fails is still
 * shown and still reported shown.
 *
 * Tests read window.motcuaDisplay (state, audioLog, audioQueue) and the body's
 * data-last-seq / data-last-number / data-connected attributes.
 *
 * A TV plays sound without a tap only when Chromium runs with
 * --autoplay-policy=no-user-gesture-required (see the kiosk-mode notes).
 */
(function () {
  "use strict";

  const body = document.body;
  const cfg = JSON.parse(body.dataset.config);
  const $ = (id) => document.getElementById(id);

  const REPEAT_GAP_MS = 700; // between two readings of the same call
  const NEXT_GAP_MS = 400; // between two different calls
  const MAX_PLAY_MS = 30000; // give up on a stalled announcement
  const SINCE_OVERLAP = 20; // re-ask a few seen seqs: live calls may arrive out of order
  const SINCE_LIMIT = 200; // the hub answers at most this many calls per `since`
  const SEEN_KEEP = 1000;

  // ------------------------------------------------------------------ clock
  // The TV's own clock may be wrong (a Pi has no RTC): use the server's time.
  const clockOffsetMs = cfg.server_time_ms - Date.now();
  const serverNow = () => Date.now() + clockOffsetMs;
  const WEEKDAYS = {
    Mon: "Thứ Hai", Tue: "Thứ Ba", Wed: "Thứ Tư", Thu: "Thứ Năm",
    Fri: "Thứ Sáu", Sat: "Thứ Bảy", Sun: "Chủ Nhật",
  };
  const fmtTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.timezone, hour: "2-digit", minute: "2-digit", hour12: false,
  });
  const fmtDate = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.timezone, day: "2-digit", month: "2-digit", year: "numeric",
  });
  const fmtDay = new Intl.DateTimeFormat("en-US", { timeZone: cfg.timezone, weekday: "short" });

  function tickClock() {
    const now = new Date(serverNow());
    $("clock-time").textContent = fmtTime.format(now);
    $("clock-date").textContent = `${WEEKDAYS[fmtDay.format(now)] || ""}, ${fmtDate.format(now)}`;
  }

  const callTime = (call) => fmtTime.format(new Date(Date.parse(call.at)));
  const ageS = (call) => (serverNow() - Date.parse(call.at)) / 1000;

  // ------------------------------------------------------------------ state
  const callCounters = new Set(cfg.calls.counters);
  const callServices = new Set(cfg.calls.services);
  const everything = callCounters.size === 0 && callServices.size === 0;
  const showsCall = (call) =>
    everything || callCounters.has(call.counter.id) || callServices.has(call.service.id);

  const state = {
    lastSeq: 0,
    seen: new Set(),
    history: [], // shown calls, newest first
    synced: false,
    catchingUp: false,
    pendingLive: [],
    connected: false,
  };
  const audioLog = [];
  const audioQueue = [];
  const acks = [];
  const api = { state, audioLog, audioQueue, acks, playing: null, soundBlocked: false };
  window.motcuaDisplay = api;

  function publish() {
    body.dataset.lastSeq = String(state.lastSeq);
    body.dataset.lastNumber = state.history.length ? state.history[0].number : "";
  }

  // The same TV keeps its name across reloads, so managers can tell screens apart.
  function ackScreen() {
    const wanted = new URLSearchParams(location.search).get("tv");
    let tv = wanted && /^[A-Za-z0-9_-]{1,20}$/.test(wanted) ? wanted : null;
    if (!tv) {
      try {
        tv = localStorage.getItem("motcua.display.tv");
        if (!tv) {
          tv = Math.random().toString(36).slice(2, 8);
          localStorage.setItem("motcua.display.tv", tv);
        }
      } catch (err) {
        tv = "tv";
      }
    }
    return `${cfg.screen.id}-${tv}`.slice(0, 64);
  }
  const screenName = ackScreen();

  // ------------------------------------------------------------------ rendering
  const tiles = new Map();
  const counterSeq = new Map(); // counter id -> seq of the call its tile shows
  document.querySelectorAll(".counter").forEach((el) => tiles.set(el.dataset.counter, el));

  function setCounter(counterId, number, serviceName, fresh) {
    const tile = tiles.get(counterId);
    if (!tile) return;
    tile.querySelector(".counter-number").textContent = number || "—";
    tile.querySelector(".counter-service").textContent = number ? serviceName || "" : "";
    tile.classList.toggle("idle", !number);
    if (fresh) blink(tile);
  }

  function applyCounters(counters) {
    for (const c of counters || []) {
      const cur = c.current;
      setCounter(c.id, cur ? cur.number : "", cur ? cfg.service_names[cur.service] : "", false);
    }
  }

  function applyWaiting(waiting) {
    if (!waiting) return;
    document.querySelectorAll("#waiting li").forEach((li) => {
      const n = waiting[li.dataset.service];
      if (typeof n === "number") li.querySelector(".waiting-count").textContent = String(n);
    });
  }

  const blinkTimers = new WeakMap();
  function blink(el) {
    clearTimeout(blinkTimers.get(el));
    el.classList.remove("fresh");
    void el.offsetWidth; // restart the animation for a second call in a row
    el.classList.add("fresh");
    blinkTimers.set(el, setTimeout(() => el.classList.remove("fresh"), cfg.blink_s * 1000));
  }

  function counterPhrase(counter) {
    return /^\d+$/.test(counter.id) ? `đến quầy số ${counter.id}` : `đến ${counter.name}`;
  }

  function renderCalls(freshSeq) {
    const latest = state.history[0];
    const card = $("latest");
    if (latest) {
      card.classList.remove("idle");
      card.dataset.seq = String(latest.seq);
      $("latest-number").textContent = latest.number;
      $("latest-counter").textContent = counterPhrase(latest.counter);
      if (latest.seq === freshSeq) blink(card);
    }
    const list = $("history");
    list.replaceChildren(
      ...state.history.slice(1, cfg.history + 1).map((call) => {
        const li = document.createElement("li");
        li.dataset.seq = String(call.seq);
        for (const [cls, text] of [
          ["h-number", call.number],
          ["h-counter", call.counter.name],
          ["h-time", callTime(call)],
        ]) {
          const span = document.createElement("span");
          span.className = cls;
          span.textContent = text;
          li.append(span);
        }
        return li;
      }),
    );
    fitHistory();
  }

  // Show only the rows that fit whole: a half-cut number is worse than none.
  function fitHistory() {
    const list = $("history");
    const box = list.parentElement;
    const limit = box.getBoundingClientRect().bottom;
    for (const li of list.children) {
      li.hidden = false;
      if (li.getBoundingClientRect().bottom > limit + 1) li.hidden = true;
    }
  }

  function remember(call) {
    if (state.history.some((c) => c.seq === call.seq)) return;
    state.history.push(call);
    state.history.sort((a, b) => b.seq - a.seq);
    state.history.length = Math.min(state.history.length, cfg.history + 1);
  }

  // ------------------------------------------------------------------ acks
  // Only a screen opened with its display device's token (?token=…) acknowledges:
  // the hub counts no one else's. data-acks says which: "on", "off", or "refused"
  // (the hub does not know the token: re-keyed or revoked).
  body.dataset.acks = cfg.token ? "on" : "off";
  function ack(seq, kind) {
    acks.push({ seq, kind, at: performance.now() });
    if (!cfg.token) return;
    // Socket.IO buffers emits while disconnected and sends them on reconnect.
    socket.emit("ack", { seq, kind, screen: screenName }, (answer) => {
      const code = answer && answer.error && answer.error.code;
      if (code === "unauthorized" || code === "bad_token") {
        if (body.dataset.acks !== "refused") console.warn(`motcua: acknowledgement refused (${code})`);
        body.dataset.acks = "refused";
      }
    });
  }

  function ackWhenPainted(seq) {
    requestAnimationFrame(() => setTimeout(() => ack(seq, "shown"), 0));
  }

  // ------------------------------------------------------------------ calls
  function markSeen(seq) {
    state.seen.add(seq);
    if (seq > state.lastSeq) state.lastSeq = seq;
    if (state.seen.size > SEEN_KEEP * 2) {
      for (const old of state.seen) if (old < state.lastSeq - SEEN_KEEP) state.seen.delete(old);
    }
  }

  function isCall(call) {
    return call && typeof call.seq === "number" && call.counter && call.service;
  }

  function handleCall(call, fresh) {
    if (!isCall(call) || state.seen.has(call.seq)) return;
    markSeen(call.seq);
    if (showsCall(call)) {
      remember(call);
      // Calls may arrive out of order: a tile only ever moves forward.
      if (call.seq > (counterSeq.get(call.counter.id) || 0)) {
        counterSeq.set(call.counter.id, call.seq);
        setCounter(call.counter.id, call.number, call.service.name, fresh);
      }
      renderCalls(fresh ? call.seq : null);
      ackWhenPainted(call.seq);
      if (fresh) announce(call);
    }
    publish();
  }

  function onLiveCall(call) {
    if (state.catchingUp) state.pendingLive.push(call);
    else handleCall(call, true);
  }

  function onSnapshot(snap) {
    if (!snap || !Array.isArray(snap.counters)) return;
    // A smaller last_seq means a new database: start again from this snapshot.
    if (state.synced && (snap.last_seq || 0) < state.lastSeq - SINCE_OVERLAP) {
      state.synced = false;
      state.seen.clear();
      state.history = [];
      state.lastSeq = 0;
      counterSeq.clear();
    }
    applyCounters(snap.counters);
    applyWaiting(snap.waiting);
    if (!state.synced) {
      // Calls made before the page opened are history, not news.
      state.synced = true;
      for (const call of snap.recent || []) {
        if (!isCall(call) || state.seen.has(call.seq)) continue;
        markSeen(call.seq);
        if (showsCall(call)) remember(call);
      }
      if (typeof snap.last_seq === "number") state.lastSeq = Math.max(state.lastSeq, snap.last_seq);
      renderCalls(null);
      publish();
      return;
    }
    catchUp(Math.max(0, state.lastSeq - SINCE_OVERLAP));
  }

  function catchUp(fromSeq) {
    state.catchingUp = true;
    socket.timeout(5000).emit("since", { seq: fromSeq }, (err, answer) => {
      if (err || !answer || !Array.isArray(answer.calls)) {
        // Timed out or refused: try again while connected; the next snapshot will too.
        if (socket.connected) setTimeout(() => catchUp(fromSeq), 2000);
        return;
      }
      for (const call of answer.calls) {
        if (isCall(call)) handleCall(call, cfg.recent_s > 0 && ageS(call) <= cfg.recent_s);
      }
      const last = answer.calls.length ? answer.calls[answer.calls.length - 1].seq : fromSeq;
      if (answer.calls.length >= SINCE_LIMIT) {
        catchUp(last);
        return;
      }
      state.catchingUp = false;
      const live = state.pendingLive.splice(0);
      live.sort((a, b) => a.seq - b.seq).forEach((call) => handleCall(call, true));
    });
  }

  // ------------------------------------------------------------------ audio
  function announce(call) {
    audioQueue.push(call);
    pump();
  }

  function pump() {
    if (api.playing !== null || !audioQueue.length) return;
    const call = audioQueue.shift();
    // After a long backlog, a call made minutes ago is only shown, not read out.
    if (cfg.recent_s > 0 && ageS(call) > cfg.recent_s * 2) {
      audioLog.push({ seq: call.seq, number: call.number, skipped: "stale" });
      pump();
      return;
    }
    api.playing = call.seq;
    play(call, 1);
  }

  function play(call, round) {
    const entry = {
      seq: call.seq, number: call.number, round,
      requested: performance.now(), start: null, end: null, ok: null, error: null,
    };
    audioLog.push(entry);
    const audio = new Audio(`${cfg.audio_url}${call.seq}.wav`);
    let done = false;
    const finish = (ok, error) => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      entry.end = performance.now();
      entry.ok = ok;
      entry.error = error;
      audio.pause();
      audio.removeAttribute("src");
      if (ok && round === 1) ack(call.seq, "spoken");
      if (ok && round < cfg.repeat) {
        setTimeout(() => play(call, round + 1), REPEAT_GAP_MS);
        return;
      }
      setTimeout(() => {
        api.playing = null;
        pump();
      }, NEXT_GAP_MS);
    };
    const guard = setTimeout(() => finish(false, "timeout"), MAX_PLAY_MS);
    audio.addEventListener("playing", () => {
      if (entry.start === null) entry.start = performance.now();
    });
    audio.addEventListener("ended", () => finish(true, null));
    audio.addEventListener("error", () => finish(false, `media_error_${audio.error ? audio.error.code : 0}`));
    audio.play().then(
      () => soundBlocked(false),
      (err) => {
        if (err && err.name === "NotAllowedError") soundBlocked(true);
        finish(false, err ? err.name : "play_failed");
      },
    );
  }

  function soundBlocked(blocked) {
    api.soundBlocked = blocked;
    $("sound-off").hidden = !blocked;
  }

  // A tap (or key press) on a TV whose browser blocks autoplay unlocks sound.
  function unlockSound() {
    if (!api.soundBlocked) return;
    const probe = new Audio();
    probe.play().catch(() => {});
    soundBlocked(false);
  }
  document.addEventListener("pointerdown", unlockSound);
  document.addEventListener("keydown", unlockSound);

  // ------------------------------------------------------------------ layout
  // Widths, in em, of the widest number and counter name, measured with the page's
  // own styles (vendored font, tabular digits) in an invisible probe.
  let numberEm = 2.8;
  let labelEm = 3.5;

  function measure() {
    const probe = document.createElement("div");
    body.append(probe);
    const widest = (cls, texts) => {
      probe.className = `probe ${cls}`;
      let max = 0;
      for (const text of texts) {
        probe.textContent = text;
        max = Math.max(max, probe.getBoundingClientRect().width);
      }
      return max / 100;
    };
    numberEm = widest("counter-number", cfg.number_samples) || numberEm;
    labelEm = widest("counter-name", cfg.counters.map((c) => c.name)) || labelEm;
    probe.remove();
    body.style.setProperty("--number-em", numberEm.toFixed(3));
  }

  // The largest number size (px) for which a tile's content fits w × h; the label
  // sizes follow the number's (see .counter-name / .counter-service in the CSS).
  function largestFit(w, h, side) {
    const vh = window.innerHeight / 100;
    const name = (s) => Math.min(5 * vh, (side ? 0.3 : 0.4) * s);
    const service = (s) => Math.min(3 * vh, 0.24 * s);
    const fits = (s) =>
      side
        ? s * numberEm + name(s) * labelEm + 1.5 * vh <= w &&
          s <= h &&
          name(s) * 1.1 + service(s) * 2.4 <= h
        : s * numberEm <= w * 0.98 && s + name(s) * 1.1 + service(s) * 1.2 + 1.2 * vh <= h;
    let low = 0;
    let high = Math.max(h, 1);
    for (let i = 0; i < 24; i++) {
      const mid = (low + high) / 2;
      if (fits(mid)) low = mid;
      else high = mid;
    }
    return low;
  }

  // Pick the grid that gives the counters' numbers the largest type.
  function layoutCounters() {
    const grid = $("counters");
    const n = tiles.size;
    if (!n || !grid.clientWidth) return;
    const gap = parseFloat(getComputedStyle(grid).rowGap) || 0;
    const tile = getComputedStyle(tiles.values().next().value);
    const px = (name) => parseFloat(tile[name]) || 0;
    const padX = px("paddingLeft") + px("paddingRight") + px("borderLeftWidth") + px("borderRightWidth");
    const padY = px("paddingTop") + px("paddingBottom") + px("borderTopWidth") + px("borderBottomWidth");
    let best = null;
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const w = (grid.clientWidth - gap * (cols - 1)) / cols - padX;
      const h = (grid.clientHeight - gap * (rows - 1)) / rows - padY;
      for (const side of [true, false]) {
        const size = largestFit(w, h, side);
        if (!best || size > best.size + 0.5) best = { cols, rows, size, side };
      }
    }
    grid.style.gridTemplateColumns = `repeat(${best.cols}, minmax(0, 1fr))`;
    grid.style.gridTemplateRows = `repeat(${best.rows}, minmax(0, 1fr))`;
    grid.classList.toggle("side", best.side);
    grid.style.setProperty("--number-size", `${Math.floor(best.size)}px`);
  }

  function layoutTicker() {
    const ticker = $("ticker");
    if (ticker.hidden) return;
    const track = $("ticker-track");
    // A steady reading speed whatever the notice's length: about 9 % of the
    // screen height per second.
    const pxPerS = Math.max(60, window.innerHeight * 0.09);
    track.style.animationDuration = `${(track.scrollWidth / pxPerS).toFixed(1)}s`;
    // Start with the notice's first words already at the left edge, not off-screen.
    track.style.animationDelay = `${((-0.85 * window.innerWidth) / pxPerS).toFixed(1)}s`;
  }

  function applyOrientation() {
    const portrait =
      cfg.screen.orientation === "portrait" || window.matchMedia("(orientation: portrait)").matches;
    body.classList.toggle("portrait", portrait);
    body.classList.toggle("landscape", !portrait);
    body.classList.toggle("many", tiles.size > 6);
  }

  function layout() {
    applyOrientation();
    measure();
    layoutCounters();
    layoutTicker();
    fitHistory();
  }

  // ------------------------------------------------------------------ socket
  function setConnected(connected) {
    state.connected = connected;
    body.dataset.connected = connected ? "1" : "0";
    $("status").hidden = connected;
  }

  // WebSocket only: a long-polling session would have to stay on one server process.
  const socket = io("/display", {
    transports: ["websocket"],
    auth: cfg.token ? { token: cfg.token } : {},
    reconnection: true,
    // First retry after ~0.3 s, then doubling with ±50 % jitter (so 200 screens do not
    // knock in step), never more than 2 s apart: a hall TV must recover quickly, and a
    // refused connection costs the hub nothing.
    reconnectionDelay: 300,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.5,
    timeout: 8000,
  });
  api.socket = socket;
  socket.on("connect", () => setConnected(true));
  socket.on("disconnect", (reason) => {
    setConnected(false);
    // The client library does not reconnect by itself after a server-side kick.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.on("snapshot", onSnapshot);
  socket.on("call", onLiveCall);
  socket.on("queue", (data) => applyWaiting(data && data.waiting));
  // A counter's state changed (completed, closed…): its tile follows, if the hub sends it.
  socket.on("counter", (data) => data && data.id && applyCounters([data]));

  // ------------------------------------------------------------------ start
  tickClock();
  setInterval(tickClock, 1000);
  layout();
  window.addEventListener("resize", layout);
  // Sizes depend on the web font (measured widths) and on what is around the grid
  // (history rows, wrapped titles): lay out again whenever either changes.
  document.fonts.ready.then(layout);
  document.fonts.addEventListener("loadingdone", layout);
  new ResizeObserver(() => layoutCounters()).observe($("counters"));
  publish();
})();
