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
 * Tests read window.motcuaDisplay (state, audioLog, audioQueue, pages) and the
 * body's data-last-seq / data-last-number / data-connected attributes.
 *
 * Layout: the counters' grid picks its column count for the largest numbers, but
 * never lets a number fall below MIN_NUMBER_PX nor a counter name below
 * MIN_NAME_PX (at 1080 px on the short side; scaled to the screen): when all tiles
 * would not fit at those sizes it pages through groups of counters ("Trang 1/3"),
 * one page every PAGE_MS. The newest call's panel stays the largest text on screen;
 * it clears once its number is no longer served (completed, no-show, transferred).
 * A recall refreshes the panel and is announced again, but is not listed twice.
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
  // Smallest type at 1080 px on the screen's short side (the promise is 40 and 24:
  // a little margin for rounding and for the fitting's estimates).
  const MIN_NUMBER_PX = 46;
  const MIN_NAME_PX = 26;
  const MIN_SERVICE_PX = 24;
  const COUNTER_VS_LATEST = 0.9; // a counter's number stays smaller than the newest call's
  const PAGE_MS = 8000;
  const STATE_LABELS = { paused: "Tạm dừng", closed: "Đóng" };

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
  // Counter id -> the number it serves now (every counter of the site, from the
  // snapshot, the calls and the counter events): the newest call's panel clears
  // when its counter no longer serves its number.
  const serving = new Map();
  const pages = { count: 1, current: 0, perPage: 0, timer: null };
  const api = { state, audioLog, audioQueue, acks, pages, playing: null, soundBlocked: false };
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

  // Open, paused or closed (from the snapshot and `counter_status`; a hub that does
  // not send them leaves every tile open).
  function setCounterState(c) {
    const tile = tiles.get(c.id);
    if (!tile || typeof c.status !== "string") return;
    const stateName = c.status !== "open" ? "closed" : c.paused ? "paused" : "open";
    if (tile.dataset.state === stateName) return;
    tile.dataset.state = stateName;
    tile.querySelector(".counter-state").textContent = STATE_LABELS[stateName] || "";
    relayout(); // a badge may need a wider label
  }

  function applyCounters(counters) {
    for (const c of counters || []) {
      if (!c || typeof c.id !== "string") continue;
      const cur = c.current;
      serving.set(c.id, cur ? cur.number : "");
      setCounter(c.id, cur ? cur.number : "", cur ? cfg.service_names[cur.service] : "", false);
      setCounterState(c);
    }
    renderCalls(null);
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

  // The newest call stays in the panel while its counter serves it; once done (or a
  // no-show, or transferred) the panel goes idle and the call joins "Số vừa gọi".
  function stillServed(call) {
    return !serving.has(call.counter.id) || serving.get(call.counter.id) === call.number;
  }

  function renderCalls(freshSeq) {
    const newest = state.history[0];
    const latest = newest && stillServed(newest) ? newest : null;
    const card = $("latest");
    card.classList.toggle("idle", !latest);
    card.dataset.seq = latest ? String(latest.seq) : "";
    $("latest-number").textContent = latest ? latest.number : "—";
    $("latest-counter").textContent = latest ? counterPhrase(latest.counter) : "";
    if (latest && latest.seq === freshSeq) blink(card);
    const list = $("history");
    const first = latest ? 1 : 0;
    list.replaceChildren(
      ...state.history.slice(first, first + cfg.history).map((call) => {
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
    // A recall calls the same ticket at the same counter again: it replaces the
    // earlier line instead of adding a second one.
    const same = (c) => c.number === call.number && c.counter.id === call.counter.id;
    const earlier = state.history.find(same);
    if (earlier && earlier.seq > call.seq) return; // an old call arriving late
    state.history = state.history.filter((c) => !same(c));
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
        serving.set(call.counter.id, call.number);
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
  let stateEm = 0; // the widest badge on a tile now ("Tạm dừng", "Đóng"), if any

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
    // A badge (0.5 em of padding each side) takes a label's place too.
    const marks = [...tiles.values()].map((tile) => STATE_LABELS[tile.dataset.state]);
    const shown = marks.filter(Boolean);
    stateEm = shown.length ? widest("counter-name", shown) + 1 : 0;
    probe.remove();
    body.style.setProperty("--number-em", numberEm.toFixed(3));
  }

  // Sizes (px) of one tile's texts for a number of size s: the names follow the
  // number but never fall below their minimums.
  function textSizes(s, side) {
    const vh = window.innerHeight / 100;
    const u = Math.min(window.innerWidth, window.innerHeight) / 1080;
    return {
      name: Math.max(MIN_NAME_PX * u, Math.min(5 * vh, (side ? 0.26 : 0.4) * s)),
      service: Math.max(MIN_SERVICE_PX * u, Math.min(3 * vh, 0.24 * s)),
    };
  }

  // The largest number size (px, at most `cap`) for which a tile's content fits
  // w × h: side by side (name left, number right) or stacked.
  function largestFit(w, h, side, cap) {
    const vh = window.innerHeight / 100;
    const fits = (s) => {
      const { name, service } = textSizes(s, side);
      const label = Math.max(name * labelEm, service * stateEm);
      return side
        ? s * numberEm + label + 1.5 * vh <= w &&
            s <= h &&
            name * 1.3 + service * 2.4 + 0.6 * vh <= h
        : s * numberEm <= w * 0.98 &&
            label <= w &&
            s + name * 1.3 + service * 1.2 + 1.2 * vh <= h;
    };
    let low = 0;
    let high = Math.max(Math.min(h, cap), 1);
    if (fits(high)) return high;
    for (let i = 0; i < 24; i++) {
      const mid = (low + high) / 2;
      if (fits(mid)) low = mid;
      else high = mid;
    }
    return fits(low) ? low : 0;
  }

  // The grid (columns, rows, side-by-side or stacked) that gives n tiles the largest numbers.
  function bestGrid(n, box) {
    let best = null;
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const w = (box.width - box.gap * (cols - 1)) / cols - box.padX;
      const h = (box.height - box.gap * (rows - 1)) / rows - box.padY;
      for (const side of [true, false]) {
        const size = largestFit(w, h, side, box.cap);
        if (!best || size > best.size + 0.5) best = { cols, rows, size, side };
      }
    }
    return best;
  }

  // Pick the grid that gives the counters' numbers the largest type; when even the
  // best one would be too small, split the counters into pages shown in turn.
  function layoutCounters() {
    const grid = $("counters");
    const all = [...tiles.values()];
    const n = all.length;
    if (!n || !grid.clientWidth) return;
    const tile = getComputedStyle(all[0]);
    const px = (name) => parseFloat(tile[name]) || 0;
    const latestSize = parseFloat(getComputedStyle($("latest-number")).fontSize) || Infinity;
    const box = {
      width: grid.clientWidth,
      height: grid.clientHeight,
      gap: parseFloat(getComputedStyle(grid).rowGap) || 0,
      padX: px("paddingLeft") + px("paddingRight") + px("borderLeftWidth") + px("borderRightWidth"),
      padY: px("paddingTop") + px("paddingBottom") + px("borderTopWidth") + px("borderBottomWidth"),
      cap: latestSize * COUNTER_VS_LATEST,
    };
    const u = Math.min(window.innerWidth, window.innerHeight) / 1080;
    let count = 1;
    let perPage = n;
    let best = bestGrid(n, box);
    while (best.size < MIN_NUMBER_PX * u && perPage > 1) {
      count += 1;
      perPage = Math.ceil(n / count);
      best = bestGrid(perPage, box);
    }
    count = Math.ceil(n / perPage);
    grid.style.gridTemplateColumns = `repeat(${best.cols}, minmax(0, 1fr))`;
    grid.style.gridTemplateRows = `repeat(${best.rows}, minmax(0, 1fr))`;
    grid.classList.toggle("side", best.side);
    const size = Math.max(Math.floor(best.size), Math.ceil(MIN_NUMBER_PX * u));
    const texts = textSizes(size, best.side);
    grid.style.setProperty("--number-size", `${size}px`);
    grid.style.setProperty("--name-size", `${Math.floor(texts.name)}px`);
    grid.style.setProperty("--service-size", `${Math.floor(texts.service)}px`);
    if (count !== pages.count || perPage !== pages.perPage) {
      pages.count = count;
      pages.perPage = perPage;
      pages.current = 0;
      clearInterval(pages.timer);
      pages.timer = count > 1 ? setInterval(() => showPage(pages.current + 1), PAGE_MS) : null;
    }
    showPage(pages.current);
  }

  // Show page i (wrapping) of the counters; "Trang i/n" says which.
  function showPage(i) {
    pages.current = ((i % pages.count) + pages.count) % pages.count;
    let index = 0;
    for (const tile of tiles.values()) {
      tile.hidden = Math.floor(index / pages.perPage) !== pages.current;
      index += 1;
    }
    const indicator = $("counter-page");
    indicator.hidden = pages.count < 2;
    indicator.textContent = `Trang ${pages.current + 1}/${pages.count}`;
  }
  api.showPage = showPage;

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

  // Several counters change state at once (a snapshot): lay out once, next frame.
  let relayoutPending = false;
  function relayout() {
    if (relayoutPending) return;
    relayoutPending = true;
    requestAnimationFrame(() => {
      relayoutPending = false;
      measure();
      layoutCounters();
    });
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
  // A counter opened, closed, paused or resumed: its tile is marked.
  socket.on("counter_status", (data) => data && setCounterState(data));

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
