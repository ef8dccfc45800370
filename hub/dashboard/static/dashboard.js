/* motcua dashboard: fetches /dashboard/data and draws it. No inline script (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var T = JSON.parse(body.dataset.i18n);
  var lang = body.dataset.lang;
  var state = {
    from: body.dataset.from, to: body.dataset.to, period: body.dataset.period,
    flagged: body.dataset.flagged === "1", group: "counter"
  };
  var LEVEL_COLOURS = ["#2a9d5c", "#8cc152", "#d1495b", "#e9a23b", "#667085"];
  var trendChart = null;
  var last = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function num(n) { return n === null || n === undefined ? "–" : Number(n).toLocaleString(lang === "en" ? "en-GB" : "vi-VN"); }
  function pct(x) {
    if (x === null || x === undefined) return "–";
    var s = (100 * x).toFixed(2);
    return (lang === "en" ? s : s.replace(".", ",")) + " %";
  }
  function dec(x) {
    if (x === null || x === undefined) return "–";
    var s = Number(x).toFixed(2);
    return lang === "en" ? s : s.replace(".", ",");
  }
  function minutes(s) { return s === null || s === undefined ? "–" : Math.round(s / 60) + " " + T.minutes; }
  function rateColour(x) {
    if (x === null || x === undefined) return "#c7ccd6";
    if (x >= 0.9) return "#2a9d5c";
    if (x >= 0.8) return "#8cc152";
    if (x >= 0.65) return "#e9a23b";
    return "#d1495b";
  }

  function query(extra) {
    var p = new URLSearchParams();
    p.set("from", state.from); p.set("to", state.to); p.set("lang", lang);
    if (state.flagged) p.set("flagged", "1");
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p.toString();
  }

  function updateLinks() {
    document.getElementById("dl-xlsx").href = "/dashboard/report?" + query({ kind: "satisfaction", format: "xlsx" });
    document.getElementById("dl-csv").href = "/dashboard/report?" + query({ kind: "satisfaction", format: "csv", by: state.group });
    document.getElementById("dl-csv-semicolon").href = "/dashboard/report?" + query({ kind: "satisfaction", format: "csv", by: state.group, sep: ";" });
    document.getElementById("dl-queue").href = "/dashboard/report?" + query({ kind: "queue", format: "xlsx" });
    document.getElementById("dl-pdf").href = "/dashboard/report?" + query({ kind: "satisfaction", format: "pdf" });
    var url = "/dashboard?" + query(state.period !== "custom" ? {} : {});
    window.history.replaceState(null, "", url);
  }

  function load() {
    updateLinks();
    fetch("/dashboard/data?" + query(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location = "/login?next=/dashboard"; return null; }
        return r.json();
      })
      .then(function (data) { if (data && !data.error) { last = data; render(data); } })
      .catch(function () { /* keep the last figures; the next poll retries */ });
  }

  function render(d) {
    renderKpis(d);
    renderTrend(d);
    renderLive(d.live);
    renderGroup(d);
    renderHeat(d.heatmap, d.heatmap_hours, d.heatmap_weekdays);
    renderAlerts(d.alerts);
    renderMisuse(d.flagged);
    renderRefused(d.refused);
    renderFlagged(d.flagged.items);
    renderUnseen(d.unseen);
    renderBookings(d.bookings);
    renderDevices(d.devices);
    // Times are the site's, formatted by the hub like every other time on the page
    // (never the browser's own timezone).
    document.getElementById("updated").textContent = T.updated + ": " + d.generated_at_local;
  }

  function renderKpis(d) {
    var t = d.total;
    document.getElementById("kpi-rate").textContent = pct(t.satisfaction_rate);
    document.getElementById("kpi-rate-note").textContent = num(t.total) + " " + T.ratings.toLowerCase();
    document.getElementById("kpi-mean").textContent = dec(t.mean_score);
    document.getElementById("kpi-mean-bar").style.width = t.mean_score === null ? "0" : (50 * t.mean_score) + "%";
    document.getElementById("kpi-total").textContent = num(t.total);
    var bar = document.getElementById("kpi-levels");
    clear(bar);
    var legend = el("div", "legend");
    d.levels.forEach(function (lv, i) {
      var n = t.counts[lv.id] || 0;
      var seg = el("span");
      seg.style.width = t.total ? (100 * n / t.total) + "%" : "0";
      seg.style.background = LEVEL_COLOURS[i % LEVEL_COLOURS.length];
      seg.title = lv.label + ": " + n;
      bar.appendChild(seg);
      var item = el("span", null, lv.label + " " + num(n));
      var sw = el("i"); sw.style.background = LEVEL_COLOURS[i % LEVEL_COLOURS.length];
      item.insertBefore(sw, item.firstChild);
      legend.appendChild(item);
    });
    var old = bar.parentNode.querySelector(".legend");
    if (old) old.remove();
    bar.parentNode.appendChild(legend);
    document.getElementById("kpi-coverage").textContent = pct(t.coverage);
    document.getElementById("kpi-served").textContent = T.served + ": " + num(t.served);
    document.getElementById("kpi-flagged").textContent = num(d.flagged_total.total);
    document.getElementById("kpi-flagged-note").textContent = d.include_flagged ? T.flagged_in : T.flagged_note;
  }

  function renderTrend(d) {
    var rows = d.trend.rows;
    // Days read "27/11" on the axis (the year is in the period above); one day is
    // drawn hour by hour ("08:00").
    var labels = rows.map(function (r) { return d.trend.by === "day" ? r.label.slice(0, 5) : r.label; });
    var rates = rows.map(function (r) { return r.satisfaction_rate === null ? null : +(100 * r.satisfaction_rate).toFixed(2); });
    var counts = rows.map(function (r) { return r.total; });
    if (typeof Chart === "undefined") return;
    var cfg = {
      data: {
        labels: labels,
        datasets: [
          { type: "line", label: T.rate + " (%)", data: rates, yAxisID: "y", borderColor: "#0f8b8d", backgroundColor: "rgba(15,139,141,.12)", fill: true, tension: 0.3, pointRadius: 3, spanGaps: true },
          { type: "bar", label: T.ratings, data: counts, yAxisID: "y1", backgroundColor: "rgba(29,78,137,.25)", borderRadius: 4, maxBarThickness: 48 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { family: "Be Vietnam Pro" } } } },
        scales: {
          y: { min: 0, max: 100, position: "left", ticks: { callback: function (v) { return v + " %"; } } },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
          x: { grid: { display: false } }
        }
      }
    };
    if (trendChart) { trendChart.data = cfg.data; trendChart.update(); }
    else { trendChart = new Chart(document.getElementById("trend-chart"), cfg); }
  }

  function renderLive(live) {
    var box = document.getElementById("live");
    clear(box);
    document.getElementById("live-open").textContent = T.open_counters + ": " + live.open + "/" + live.counters.length;
    var head = el("div", "live-row head");
    [T.field, T.waiting, T.avg_wait, T.longest_wait].forEach(function (h) { head.appendChild(el("span", null, h)); });
    box.appendChild(head);
    live.services.forEach(function (s) {
      var row = el("div", "live-row");
      row.appendChild(el("span", null, s.name));
      row.appendChild(el("b", null, num(s.waiting)));
      row.appendChild(el("span", null, minutes(s.avg_wait_s)));
      row.appendChild(el("span", null, minutes(s.longest_wait_s)));
      box.appendChild(row);
    });
    var chips = el("div", "counters");
    live.counters.forEach(function (c) {
      chips.appendChild(el("span", "chip " + c.status, c.name + " · " + T[c.status]));
    });
    box.appendChild(chips);
  }

  function rateCell(x) {
    var td = el("td");
    var wrap = el("div", "rate-cell");
    wrap.appendChild(el("span", null, pct(x)));
    var bar = el("div", "bar"); var fill = el("span");
    fill.style.width = x === null ? "0" : (100 * x) + "%";
    fill.style.background = rateColour(x);
    bar.appendChild(fill); wrap.appendChild(bar); td.appendChild(wrap);
    return td;
  }

  function renderGroup(d) {
    var table = document.getElementById("group-table");
    clear(table);
    var rows = d.groups[state.group] || [];
    var thead = el("thead"); var hr = el("tr");
    [T.name].concat(d.levels.map(function (l) { return l.label; }), [T.total, T.rate, T.mean, T.served, T.coverage])
      .forEach(function (h) { hr.appendChild(el("th", null, h)); });
    thead.appendChild(hr); table.appendChild(thead);
    var tb = el("tbody");
    if (!rows.length) {
      var tr0 = el("tr"); var td0 = el("td", "empty", T.empty); td0.colSpan = 5 + d.levels.length; tr0.appendChild(td0); tb.appendChild(tr0);
    }
    rows.concat(rows.length ? [Object.assign({}, d.total, { label: T.total, _total: true })] : []).forEach(function (r) {
      var tr = el("tr", r._total ? "total" : null);
      tr.appendChild(el("td", null, r.label));
      d.levels.forEach(function (l) { tr.appendChild(el("td", null, num(r.counts[l.id] || 0))); });
      tr.appendChild(el("td", null, num(r.total)));
      tr.appendChild(rateCell(r.satisfaction_rate));
      tr.appendChild(el("td", null, dec(r.mean_score)));
      tr.appendChild(el("td", null, num(r.served)));
      tr.appendChild(el("td", null, pct(r.coverage)));
      tb.appendChild(tr);
    });
    table.appendChild(tb);
  }

  // The columns are the site's opening hours and the rows its open weekdays, widened
  // by the hub to any hour or day that has ratings (so nothing is hidden).
  function renderHeat(grid, hours, weekdays) {
    var table = document.getElementById("heatmap");
    clear(table);
    var names = T.weekdays.split(",");
    var max = 0;
    grid.forEach(function (row) { row.forEach(function (c) { if (c.total > max) max = c.total; }); });
    var hr = el("tr"); hr.appendChild(el("th"));
    hours.forEach(function (h) { hr.appendChild(el("th", null, String(h))); });
    table.appendChild(hr);
    weekdays.forEach(function (wd) {
      var name = names[wd];
      var tr = el("tr"); tr.appendChild(el("th", null, name));
      hours.forEach(function (hour) {
        var c = grid[wd][hour]; var td = el("td");
        if (c.total) {
          var share = c.total / max;
          td.style.background = "rgba(15,139,141," + (0.15 + 0.85 * share).toFixed(2) + ")";
          td.title = name + " " + hour + ":00 — " + c.total + " · " + pct(c.positive / c.total);
        }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
  }

  function renderAlerts(alerts) {
    var ul = document.getElementById("alerts");
    clear(ul);
    if (!alerts.length) { ul.appendChild(el("li", "empty", T.no_alerts)); ul.lastChild.className = ""; ul.lastChild.style.borderLeftColor = "#2a9d5c"; ul.lastChild.style.background = "#eef8f2"; return; }
    alerts.forEach(function (a) {
      var li = el("li", null, a.message);
      li.appendChild(el("small", null, a.rule_label + " · " + a.at_local));
      ul.appendChild(li);
    });
  }

  function statList(items) {
    var box = el("div", "stat-list");
    items.forEach(function (it) {
      var row = el("div", "stat-item"); row.appendChild(el("span", null, it[0])); row.appendChild(el("b", null, num(it[1]))); box.appendChild(row);
    });
    return box;
  }

  function renderMisuse(f) {
    var box = document.getElementById("misuse");
    clear(box);
    var big = el("div", "big", num(f.total)); big.appendChild(el("small", null, T.flagged.toLowerCase()));
    box.appendChild(big);
    if (f.by_flag.length) box.appendChild(statList(f.by_flag.map(function (x) { return [x.label, x.n]; })));
    else box.appendChild(el("div", "empty", T.none));
  }

  function renderRefused(r) {
    var box = document.getElementById("refused");
    clear(box);
    var big = el("div", "big", num(r.total)); big.appendChild(el("small", null, "/ " + num(r.total + r.accepted)));
    box.appendChild(big);
    if (r.rows.length) box.appendChild(statList(r.rows.slice(0, 6).map(function (x) { return [x.counter + " · " + x.label, x.n]; })));
    else box.appendChild(el("div", "empty", T.none));
  }

  function simpleTable(id, headers, rows) {
    var table = document.getElementById(id);
    clear(table);
    var hr = el("tr"); headers.forEach(function (h) { hr.appendChild(el("th", null, h)); }); table.appendChild(hr);
    if (!rows.length) { var tr0 = el("tr"); var td0 = el("td", "empty", T.none); td0.colSpan = headers.length; tr0.appendChild(td0); table.appendChild(tr0); return; }
    rows.forEach(function (r) { var tr = el("tr"); r.forEach(function (v) { tr.appendChild(el("td", null, v)); }); table.appendChild(tr); });
  }

  function renderFlagged(items) {
    simpleTable("flagged-table", [T.time, T.counter, T.staff, T.level, T.flags],
      items.map(function (i) { return [i.at, i.counter, i.staff, i.level, i.flags.join(", ")]; }));
  }

  function renderUnseen(u) {
    simpleTable("unseen-table", [T.time, T.number, T.counter],
      u.items.map(function (i) { return [i.at, i.number, i.counter]; }));
  }

  // Remote tickets: shown while booking is on or the period has some; those taken
  // with an unverified phone number are listed (the warning says why).
  function renderBookings(b) {
    var card = document.getElementById("bookings");
    card.hidden = !(b.enabled || b.total);
    document.getElementById("bookings-unverified").hidden = !b.enabled || b.verifying;
    document.getElementById("bookings-summary").textContent =
      T.remote_total + ": " + num(b.total) + " · " + T.unverified + ": " + num(b.unverified);
    simpleTable("bookings-table", [T.time, T.number, T.field, T.status],
      b.items.map(function (i) { return [i.at, i.number, i.service, i.status]; }));
  }

  function renderDevices(list) {
    var box = document.getElementById("devices");
    clear(box);
    if (!list.length) { box.appendChild(el("div", "empty", T.none)); return; }
    list.forEach(function (d) {
      var card = el("div", "device");
      card.appendChild(el("span", "dot" + (d.online ? " on" : "")));
      var text = el("div");
      text.appendChild(el("b", null, d.name));
      text.appendChild(el("small", null, d.kind + (d.counter ? " · " + T.counter + " " + d.counter : "")));
      text.appendChild(el("small", null, (d.online ? T.online : T.offline) + (d.last_seen ? " · " + T.last_seen + " " + d.last_seen : "")));
      card.appendChild(text);
      box.appendChild(card);
    });
  }

  document.querySelectorAll(".preset").forEach(function (b) {
    b.addEventListener("click", function () {
      state.period = b.dataset.period;
      document.querySelectorAll(".preset").forEach(function (x) { x.classList.toggle("on", x === b); });
      fetch("/dashboard/data?" + new URLSearchParams({ period: state.period, lang: lang }).toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.error) return;
          state.from = d.from; state.to = d.to;
          document.getElementById("from").value = d.from; document.getElementById("to").value = d.to;
          load();
        });
    });
  });
  document.getElementById("range-form").addEventListener("submit", function (e) {
    e.preventDefault();
    state.from = document.getElementById("from").value;
    state.to = document.getElementById("to").value;
    state.period = "custom";
    document.querySelectorAll(".preset").forEach(function (x) { x.classList.remove("on"); });
    load();
  });
  document.getElementById("flagged").addEventListener("change", function (e) { state.flagged = e.target.checked; load(); });
  document.querySelectorAll(".tab").forEach(function (b) {
    b.addEventListener("click", function () {
      state.group = b.dataset.group;
      document.querySelectorAll(".tab").forEach(function (x) { x.classList.toggle("on", x === b); });
      updateLinks();
      if (last) renderGroup(last);
    });
  });

  load();
  window.setInterval(load, 5000);
})();
