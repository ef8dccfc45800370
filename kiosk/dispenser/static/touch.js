/* The kiosk touch page: fields from GET /status, a ticket from POST /take.
 * No framework and no inline script (the page's CSP forbids it). */
(function () {
  "use strict";

  var POLL_MS = 3000;        // waiting counts and the kiosk's state
  var FAST_POLL_MS = 200;    // while a ticket is being issued, to show its number early
  var PRIORITY_RESET_MS = 30000;
  var FAILED_CLOSE_S = 8;

  var body = document.body;
  var RESULT_S = Number(body.getAttribute("data-result-s")) || 10;
  var $ = function (id) { return document.getElementById(id); };

  var snapshot = null;
  var selectedPriority = null;
  var priorityTimer = null;
  var inFlight = false;
  var closeTimer = null;
  var fastTimer = null;
  var timezone;

  // ---------------------------------------------------------------- wording
  function groupInt(n, sep) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }

  // Mirrors kiosk/ticket/text_vi.py format_wait: precision drops as the wait grows.
  function formatWait(seconds, lang) {
    var vi = lang !== "en";
    if (seconds === null || seconds === undefined) { return vi ? "chưa xác định" : "not yet known"; }
    if (seconds < 60) { return vi ? "dưới 1 phút" : "under 1 min"; }
    var minutes = Math.floor((seconds + 30) / 60);
    var m = minutes;
    if (minutes >= 10 && minutes < 60) { m = Math.floor((minutes + 2) / 5) * 5; }
    if (m < 60) { return vi ? "khoảng " + m + " phút" : "about " + m + " min"; }
    var quarters = Math.floor((minutes + 7) / 15) * 15;
    var h = Math.floor(quarters / 60), rest = quarters % 60;
    var hs = groupInt(h, vi ? "." : ",");
    if (rest === 0) { return vi ? "khoảng " + hs + " giờ" : "about " + hs + " h"; }
    return vi ? "khoảng " + hs + " giờ " + rest + " phút" : "about " + hs + " h " + rest + " min";
  }

  function shortWait(seconds) {
    return formatWait(seconds, "vi");
  }

  var NO_COUNTER = "Chưa có quầy nào đang mở phục vụ lĩnh vực này";
  var NO_COUNTER_SHORT = "Chưa mở quầy";

  function aheadLine(n) {
    if (!n) { return "Quý vị là người tiếp theo"; }
    return "Trước quý vị còn " + groupInt(n, ".") + " người";
  }

  function priorityLabel(id) {
    var cats = (snapshot && snapshot.priority_categories) || [];
    for (var i = 0; i < cats.length; i++) { if (cats[i].id === id) { return cats[i]; } }
    return { id: id, vi: "Ưu tiên", en: "Priority" };
  }

  // ---------------------------------------------------------------- rendering
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function layoutColumns(n) {
    var portrait = window.innerHeight > window.innerWidth;
    var cols;
    if (portrait) { cols = n <= 4 ? 1 : 2; } else { cols = n <= 3 ? Math.max(n, 1) : (n <= 6 ? 3 : 4); }
    $("fields").style.setProperty("--cols", String(cols));
    $("fields").style.setProperty("--rows", String(Math.ceil(Math.max(n, 1) / cols)));
  }

  function fieldButton(service, index) {
    var button = el("button", "field");
    button.type = "button";
    button.setAttribute("data-service", service.id);
    button.style.setProperty("--accent", "var(--accent-" + (index % 6) + ")");
    button.appendChild(el("span", "name", service.name));
    var stats = el("span", "stats");
    var waiting = el("span", "stat");
    waiting.appendChild(el("b", "waiting"));
    waiting.appendChild(el("small", "", "số người đang chờ · people waiting"));
    var wait = el("span", "stat");
    wait.appendChild(el("b", "wait"));
    wait.appendChild(el("small", "", "chờ dự kiến · est. wait"));
    stats.appendChild(waiting);
    stats.appendChild(wait);
    button.appendChild(stats);
    button.appendChild(el("span", "out", "Đã hết số tiếp nhận trong ngày"));
    button.appendChild(el("span", "badge", "Ưu tiên"));
    button.addEventListener("click", function () { take(service.id, service.name); });
    return button;
  }

  function renderFields(services) {
    var box = $("fields");
    var ids = services.map(function (s) { return s.id; }).join("|");
    if (box.getAttribute("data-ids") !== ids) {
      box.textContent = "";
      services.forEach(function (s, i) { box.appendChild(fieldButton(s, i)); });
      box.setAttribute("data-ids", ids);
      layoutColumns(services.length);
    }
    var ready = snapshot.state === "ready" && !inFlight;
    services.forEach(function (s) {
      var button = box.querySelector('[data-service="' + s.id + '"]');
      if (!button) { return; }
      button.querySelector(".waiting").textContent = groupInt(s.waiting, ".");
      button.querySelector(".wait").textContent =
        s.no_open_counter ? NO_COUNTER_SHORT : shortWait(s.estimated_wait_s);
      button.classList.toggle("exhausted", s.available === false);
      button.disabled = !ready || s.available === false;
    });
  }

  function renderChips(categories) {
    var box = $("priority-chips");
    var ids = categories.map(function (c) { return c.id; }).join("|");
    if (box.getAttribute("data-ids") !== ids) {
      box.textContent = "";
      categories.forEach(function (c) {
        var chip = el("button", "chip");
        chip.type = "button";
        chip.setAttribute("role", "radio");
        chip.setAttribute("data-priority", c.id);
        chip.appendChild(el("span", "vi", c.vi));
        chip.appendChild(el("span", "en", c.en));
        chip.addEventListener("click", function () { choosePriority(c.id); });
        box.appendChild(chip);
      });
      box.setAttribute("data-ids", ids);
    }
    Array.prototype.forEach.call(box.children, function (chip) {
      var on = chip.getAttribute("data-priority") === selectedPriority;
      chip.classList.toggle("on", on);
      chip.setAttribute("aria-checked", on ? "true" : "false");
    });
    body.classList.toggle("priority-on", selectedPriority !== null);
  }

  function render(snap) {
    snapshot = snap;
    body.setAttribute("data-state", snap.state);
    if (snap.site && snap.site.name) { $("site-name").textContent = snap.site.name; }
    if (snap.site && snap.site.timezone && snap.site.timezone !== timezone) {
      timezone = snap.site.timezone;
      tickClock();
    }
    var banner = $("banner");
    if (snap.message) {
      $("banner-vi").textContent = snap.message.vi;
      $("banner-en").textContent = snap.message.en;
      banner.hidden = false;
    } else if (snap.state === "starting") {
      $("banner-vi").textContent = "Đang kết nối…";
      $("banner-en").textContent = "Connecting…";
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    renderFields(snap.services || []);
    renderChips(snap.priority_categories || []);
  }

  function choosePriority(id) {
    selectedPriority = selectedPriority === id ? null : id;
    clearTimeout(priorityTimer);
    if (selectedPriority !== null) {
      // A choice left behind must not make the next person's ticket a priority one.
      priorityTimer = setTimeout(function () { selectedPriority = null; refresh(); }, PRIORITY_RESET_MS);
    }
    if (snapshot) { renderChips(snapshot.priority_categories || []); }
  }

  // ---------------------------------------------------------------- the result card
  function showCard(phase, data) {
    var card = $("card");
    card.setAttribute("data-phase", phase);
    $("overlay").hidden = false;
    var labels = {
      issuing: "Đang lấy số… · Getting your number…",
      printing: "Số thứ tự của quý vị · Your number",
      printed: "Số thứ tự của quý vị · Your number",
      failed: "Không lấy được số · No number issued"
    };
    $("card-label").textContent = labels[phase];
    $("card-number").textContent = data.number || "";
    $("card-field").textContent = data.field ? "Lĩnh vực: " + data.field : "";
    var prio = $("card-prio");
    prio.hidden = !data.priority;
    prio.textContent = data.priority ? "Ưu tiên: " + priorityLabel(data.priority).vi : "";
    var facts = $("card-facts");
    facts.hidden = phase !== "printed";
    if (phase === "printed") {
      $("card-ahead").textContent = aheadLine(data.waiting_ahead);
      // No open counter serves the field: say so, and show no estimate.
      $("card-wait").textContent = data.no_open_counter ? NO_COUNTER
        : "Thời gian chờ dự kiến: " + formatWait(data.estimated_wait_s, "vi");
    }
    var take = {
      issuing: ["", ""],
      printing: ["Đang in phiếu…", "Printing…"],
      printed: ["Mời nhận phiếu ở khe máy in", "Please take your ticket"],
      failed: [data.message || "", ""]
    }[phase];
    var box = $("card-take");
    box.textContent = take[0];
    if (take[1]) { box.appendChild(el("span", "en", take[1])); }
  }

  function closeCard() {
    if (inFlight) { return; }
    clearTimeout(closeTimer);
    $("overlay").hidden = true;
    $("card-countdown").style.animation = "none";
  }

  function scheduleClose(seconds) {
    var bar = $("card-countdown");
    bar.style.animation = "none";
    void bar.offsetWidth; // restart the CSS animation
    bar.style.animation = "countdown " + seconds + "s linear forwards";
    clearTimeout(closeTimer);
    closeTimer = setTimeout(closeCard, seconds * 1000);
  }

  function watchNumber(afterSeq) {
    stopWatch();
    fastTimer = setInterval(function () {
      fetchStatus().then(function (snap) {
        var cur = snap && snap.current;
        if (inFlight && cur && cur.seq > afterSeq && cur.phase === "printing" && cur.number) {
          var service = (snap.services || []).filter(function (s) { return s.id === cur.service; })[0];
          showCard("printing", { number: cur.number, field: service ? service.name : "" });
          stopWatch();
        }
      });
    }, FAST_POLL_MS);
  }

  function stopWatch() {
    if (fastTimer !== null) { clearInterval(fastTimer); fastTimer = null; }
  }

  function take(serviceId, serviceName) {
    if (inFlight || !snapshot || snapshot.state !== "ready") { return; }
    inFlight = true;
    body.classList.add("busy");
    var afterSeq = snapshot.current ? snapshot.current.seq : 0;
    var priority = selectedPriority;
    showCard("issuing", { field: serviceName, priority: priority });
    $("card-countdown").style.animation = "none";
    watchNumber(afterSeq);
    fetch("/take", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: serviceId, priority: priority })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).catch(function () {
      return { status: 0, data: { error: { message: "Máy lấy số không phản hồi" } } };
    }).then(function (answer) {
      stopWatch();
      inFlight = false;
      body.classList.remove("busy");
      if (answer.status === 201) {
        var t = answer.data;
        showCard("printed", {
          number: t.number, field: t.service && t.service.name, priority: t.priority,
          waiting_ahead: t.waiting_ahead, estimated_wait_s: t.estimated_wait_s,
          no_open_counter: t.no_open_counter
        });
        scheduleClose(RESULT_S);
      } else {
        var error = answer.data.error || {};
        showCard("failed", { field: serviceName, message: error.message || "Lỗi không xác định" });
        scheduleClose(FAILED_CLOSE_S);
      }
      selectedPriority = null;
      refresh();
    });
  }

  // ---------------------------------------------------------------- polling and clock
  function fetchStatus() {
    return fetch("/status", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function refresh() {
    return fetchStatus().then(function (snap) {
      if (snap) {
        render(snap);
      } else {
        render({ state: "hub_unreachable", services: (snapshot && snapshot.services) || [],
                 message: { vi: "Tạm ngưng cấp số", en: "Ticket issuing suspended" },
                 priority_categories: (snapshot && snapshot.priority_categories) || [] });
      }
    });
  }

  function tickClock() {
    var now = new Date();
    var opts = { hour: "2-digit", minute: "2-digit", hour12: false };
    var dateOpts = { day: "2-digit", month: "2-digit", year: "numeric" };
    if (timezone) { opts.timeZone = timezone; dateOpts.timeZone = timezone; }
    try {
      $("clock-time").textContent = new Intl.DateTimeFormat("vi-VN", opts).format(now);
      $("clock-date").textContent = new Intl.DateTimeFormat("vi-VN", dateOpts).format(now);
    } catch (e) {
      $("clock-time").textContent = now.toTimeString().slice(0, 5);
    }
  }

  $("overlay").addEventListener("click", closeCard);
  window.addEventListener("resize", function () {
    if (snapshot) { layoutColumns((snapshot.services || []).length); }
  });
  refresh();
  setInterval(refresh, POLL_MS);
  tickClock();
  setInterval(tickClock, 1000);
})();
