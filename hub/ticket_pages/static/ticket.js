/* Ticket status page (/t/<id>): its own changes pushed on /ticket, the queue through
 * /display events, one GET per change. See hub/ticket_pages/__init__.py for why.
 * No framework, no inline script. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;
  var SAFETY_POLL_MS = 60000;   // the ticket's channel is down: ask now and then
  var FALLBACK_POLL_MS = 20000; // no Socket.IO client at all
  var SOCKET_OPTIONS = {
    // WebSocket only: no long-polling session to keep on one server process.
    transports: ["websocket"],
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000
  };

  var body = document.body;
  var page = JSON.parse(body.getAttribute("data-page"));
  var ticket = page.ticket;
  var rated = page.rated;
  var $ = function (id) { return document.getElementById(id); };
  var STATUS = {
    waiting: "Đang chờ",
    called: "Đang phục vụ",
    done: "Đã phục vụ xong",
    no_show: "Vắng mặt",
    cancelled: "Đã hủy"
  };
  var refreshTimer = null;
  var pollTimer = null;
  var socketLive = false;       // the hub pushes this ticket's changes (/ticket follows it)
  var chosenLevel = null;
  var lastUpdate = new Date();
  var fetches = 0;              // GETs of the ticket started
  var staleBefore = 0;          // answers to GETs started before this one predate a push

  // ---------------------------------------------------------------- wording
  function groupInt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }

  // Mirrors kiosk/text_vi.py format_wait, so the phone says what the ticket says.
  function formatWait(seconds) {
    if (seconds === null || seconds === undefined) { return "chưa xác định"; }
    if (seconds < 60) { return "dưới 1 phút"; }
    var minutes = Math.floor((seconds + 30) / 60);
    var m = minutes;
    if (minutes >= 10 && minutes < 60) { m = Math.floor((minutes + 2) / 5) * 5; }
    if (m < 60) { return "khoảng " + m + " phút"; }
    var quarters = Math.floor((minutes + 7) / 15) * 15;
    var h = Math.floor(quarters / 60), rest = quarters % 60;
    return rest === 0 ? "khoảng " + groupInt(h) + " giờ" : "khoảng " + groupInt(h) + " giờ " + rest + " phút";
  }

  function localTime(iso, withDate) {
    if (!iso) { return ""; }
    var opts = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: page.site.timezone };
    if (withDate) { opts.day = "2-digit"; opts.month = "2-digit"; opts.year = "numeric"; }
    try {
      var parts = new Intl.DateTimeFormat("vi-VN", opts).formatToParts(new Date(iso));
      var get = function (type) {
        var p = parts.filter(function (x) { return x.type === type; })[0];
        return p ? p.value : "";
      };
      var time = get("hour") + ":" + get("minute");
      return withDate ? get("day") + "/" + get("month") + "/" + get("year") + " " + time : time;
    } catch (e) {
      return new Date(iso).toLocaleString();
    }
  }

  // ---------------------------------------------------------------- rendering
  function render() {
    var status = ticket.status;
    body.setAttribute("data-status", status);
    $("number").textContent = ticket.number;
    $("field").textContent = "Lĩnh vực: " + ticket.service.name;
    var prio = $("priority");
    prio.hidden = !ticket.priority;
    if (ticket.priority) {
      prio.textContent = "Ưu tiên: " + (page.priority_labels[ticket.priority] || "Ưu tiên");
    }
    $("badge").textContent = STATUS[status] || status;
    $("waiting-panel").hidden = status !== "waiting";
    $("cancel-panel").hidden = status !== "waiting";
    if (status === "waiting") {
      $("ahead").textContent = ticket.waiting_ahead > 0
        ? "Trước quý vị còn " + groupInt(ticket.waiting_ahead) + " người"
        : "Quý vị là người tiếp theo";
      // No open counter serves the field: say so, and show no estimate.
      $("eta").textContent = ticket.no_open_counter
        ? "Chưa có quầy nào đang mở phục vụ lĩnh vực này"
        : "Thời gian chờ dự kiến: " + formatWait(ticket.estimated_wait_s);
    }
    $("called-panel").hidden = status !== "called";
    if (status === "called") {
      $("counter-name").textContent = ticket.counter ? ticket.counter.name : "";
    }
    var finals = {
      no_show: "Quý vị đã được gọi nhưng không có mặt. Vui lòng lấy số mới tại máy lấy số.",
      cancelled: "Số thứ tự này đã được hủy."
    };
    $("final-panel").hidden = !finals[status];
    $("final-text").textContent = finals[status] || "";
    $("rating-panel").hidden = !(status === "done" && !rated);
    $("thanks-panel").hidden = !(status === "done" && rated);
    renderComment();
    $("issued").textContent = localTime(ticket.issued_at, true);
    $("updated").textContent = socketLive ? "trực tiếp" : localTime(lastUpdate.toISOString(), false);
    $("live-dot").classList.toggle("live", socketLive);
    schedulePoll();
  }

  // ---------------------------------------------------------------- fetching
  function refresh() {
    var asked = ++fetches;
    return fetch(page.api, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.id && asked > staleBefore) {
          ticket = data;
          lastUpdate = new Date();
          render();
        }
      })
      .catch(function () { /* offline for a moment: the next event or poll retries */ });
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, DEBOUNCE_MS);
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    var finished = ticket.status === "cancelled" || ticket.status === "no_show" ||
      (ticket.status === "done");
    if (finished || socketLive) { return; }
    var every = typeof window.io === "function" ? SAFETY_POLL_MS : FALLBACK_POLL_MS;
    pollTimer = setTimeout(refresh, every);
  }

  // A change pushed on /ticket: show it at once (the rating prompt on "done"), then
  // fetch the whole ticket (counter, people ahead, times).
  function applyChange(change) {
    if (!change || typeof change.status !== "string") { return; }
    if (change.change === "rated") { rated = true; }
    staleBefore = fetches; // a GET still under way was answered before this change
    ticket.status = change.status;
    lastUpdate = new Date();
    // A call needs the counter's name, which only the whole ticket has: show it with
    // the answer, not as an empty "mời đến quầy" first.
    if (change.status !== "called") { render(); }
    refresh();
  }

  function concernsMe(call) {
    if (!call) { return false; }
    if (call.number === ticket.number) { return true; }
    if (call.service && call.service.id === ticket.service.id) { return true; }
    return !!(ticket.counter && call.counter && call.counter.id === ticket.counter.id);
  }

  function connect() {
    if (typeof window.io !== "function") { return; }
    // This ticket's own changes, on a channel only the holder of its id can join.
    var own = window.io("/ticket", SOCKET_OPTIONS);
    own.on("connect", function () {
      own.emit("follow", { ticket: ticket.id }, function (answer) {
        socketLive = !!(answer && answer.ok);
        refresh(); // what changed while the page was not following
      });
    });
    own.on("disconnect", function (reason) {
      socketLive = false;
      render();
      if (reason === "io server disconnect") { setTimeout(function () { own.connect(); }, 2000); }
    });
    own.on("ticket", applyChange);
    // The queue in front of it: the public events of the hall screens (no ticket id).
    var socket = window.io("/display", SOCKET_OPTIONS);
    socket.on("queue", function (data) {
      var waiting = data && data.waiting;
      if (waiting && Object.prototype.hasOwnProperty.call(waiting, ticket.service.id)) { refreshSoon(); }
    });
    socket.on("call", function (call) { if (concernsMe(call)) { refreshSoon(); } });
  }

  // ---------------------------------------------------------------- cancel
  $("cancel").addEventListener("click", function () {
    $("cancel-confirm").hidden = false;
    $("cancel").hidden = true;
  });
  $("cancel-no").addEventListener("click", function () {
    $("cancel-confirm").hidden = true;
    $("cancel").hidden = false;
  });
  $("cancel-yes").addEventListener("click", function () {
    var button = $("cancel-yes");
    button.disabled = true;
    fetch(page.api + "/cancel", { method: "POST", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (r.ok) {
            ticket = data;
            render();
          } else {
            showError("cancel-error", data);
            refresh();
          }
        });
      })
      .catch(function () { showError("cancel-error", null); })
      .then(function () { button.disabled = false; });
  });

  // ---------------------------------------------------------------- rating
  function buildRating() {
    var box = $("levels");
    page.levels.forEach(function (level, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "level" + (level.positive ? (i === 0 ? "" : " mid") : " negative");
      button.setAttribute("role", "radio");
      button.setAttribute("aria-checked", "false");
      button.setAttribute("data-level", level.id);
      var face = document.createElement("span");
      face.className = "face";
      face.setAttribute("aria-hidden", "true");
      face.textContent = level.positive ? (i === 0 ? "★" : "✓") : "✕";
      var label = document.createElement("span");
      label.textContent = level.label;
      button.appendChild(face);
      button.appendChild(label);
      button.addEventListener("click", function () { chooseLevel(level); });
      box.appendChild(button);
    });
    var list = $("reason-list");
    page.reasons.forEach(function (reason) {
      var row = document.createElement("label");
      row.className = "reason";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.value = reason.id;
      row.appendChild(input);
      row.appendChild(document.createTextNode(reason.label));
      list.appendChild(row);
    });
  }

  function chooseLevel(level) {
    chosenLevel = level;
    Array.prototype.forEach.call($("levels").children, function (b) {
      b.setAttribute("aria-checked", b.getAttribute("data-level") === level.id ? "true" : "false");
    });
    $("reasons").hidden = level.positive || page.reasons.length === 0;
    $("send-rating").disabled = false;
  }

  $("send-rating").addEventListener("click", function () {
    if (!chosenLevel) { return; }
    var reasons = [];
    if (!chosenLevel.positive) {
      Array.prototype.forEach.call($("reason-list").querySelectorAll("input:checked"), function (i) {
        reasons.push(i.value);
      });
    }
    var button = $("send-rating");
    button.disabled = true;
    fetch(page.api + "/rating", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ level: chosenLevel.id, reasons: reasons })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        var code = data && data.error && data.error.code;
        if (r.status === 201 || code === "already_rated") {
          rated = true;
          render();
        } else {
          showError("rating-error", data);
          button.disabled = false;
        }
      });
    }).catch(function () {
      showError("rating-error", null);
      button.disabled = false;
    });
  });

  function showError(id, data) {
    var box = $(id);
    box.textContent = (data && data.error && data.error.message) ||
      "Không kết nối được tới Trung tâm, vui lòng thử lại.";
    box.hidden = false;
    box.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  // --------------------------------------------------------------- comment
  var commented = false;
  function renderComment() {
    $("comment-form").hidden = !(rated && page.comment_chars > 0 && !commented);
    $("comment-done").hidden = !commented;
  }
  $("comment-max").textContent = String(page.comment_chars);
  $("comment").maxLength = page.comment_chars;
  $("comment-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("comment").value.trim();
    if (!text) { return; }
    var button = $("send-comment");
    button.disabled = true;
    fetch(page.api + "/comment", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ comment: text })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        var code = data && data.error && data.error.code;
        if (r.status === 201 || code === "already_commented") {
          commented = true;
          renderComment();
        } else {
          showError("comment-error", data);
          button.disabled = false;
        }
      });
    }).catch(function () {
      showError("comment-error", null);
      button.disabled = false;
    });
  });

  // ---------------------------------------------------------------- start
  buildRating();
  render();
  connect();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refreshSoon(); }
  });
})();
