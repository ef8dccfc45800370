/* motcua admin pages: confirmations, copying a new token, and live refresh of
 * counters and device health (every 5 s from /admin/live, in the page's language).
 * No inline script anywhere: the Content-Security-Policy forbids it. */
(() => {
  "use strict";

  document.querySelectorAll("form.js-confirm").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  document.querySelectorAll(".js-copy").forEach((btn) => {
    btn.addEventListener("click", async () => {
      const source = document.getElementById(btn.dataset.copy);
      const text = source ? source.textContent : "";
      try {
        await navigator.clipboard.writeText(text);
      } catch (err) {
        // Plain http: the clipboard API is unavailable; select it for Ctrl+C.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        return;
      }
      btn.textContent = btn.dataset.done;
    });
  });

  function chip(text, kind) {
    const el = document.createElement("span");
    el.className = "chip chip-" + kind;
    el.textContent = text;
    return el;
  }

  function updateCounters(counters, text) {
    counters.forEach((c) => {
      const row = document.querySelector(`#counters-table tr[data-counter="${CSS.escape(c.id)}"]`);
      if (!row) return;
      const state = row.querySelector(".js-state");
      const kind = c.status !== "open" ? ["closed", "idle"] : c.paused ? ["paused", "warn"] : ["open", "ok"];
      state.replaceChildren(chip(text[kind[0]], kind[1]));
      row.querySelector(".js-staff").textContent = c.staff || "—";
      row.querySelector(".js-current").textContent = c.current || "—";
    });
  }

  function updateDevices(devices) {
    devices.forEach((d) => {
      const id = CSS.escape(String(d.id));
      const row = document.querySelector(`#devices-table tr[data-device="${id}"]`);
      if (row) {
        row.className = "health-" + d.health;
        const health = row.querySelector(".js-health");
        health.replaceChildren(chip(d.health_label, d.health));
        d.status_labels.forEach(([label, bad]) => health.append(" ", chip(label, bad ? "warn" : "quiet")));
        row.querySelector(".js-seen").textContent = d.last_seen || "—";
        row.querySelector(".js-version").textContent = d.version || "";
        row.querySelector(".js-address").textContent = d.address || "";
      }
      const item = document.querySelector(`#device-list li[data-device="${id}"]`);
      if (item) {
        item.querySelector(".dot").className = "dot dot-" + d.health;
        const badge = item.querySelector(".js-health");
        badge.className = "js-health chip chip-" + d.health;
        badge.textContent = d.health_label;
      }
    });
  }

  const live = document.getElementById("live") || document.getElementById("devices-live");
  if (!live) return;
  const text = live.dataset.text ? JSON.parse(live.dataset.text) : {};
  async function refresh() {
    try {
      const response = await fetch(live.dataset.liveUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        window.location.reload(); // the session ended: the server shows the login page
        return;
      }
      if (!response.ok) return;
      const data = await response.json();
      updateCounters(data.counters, text);
      updateDevices(data.devices);
      document.body.dataset.refreshed = data.server_time;
    } catch (err) {
      // The hub is unreachable for a moment; the next round tries again.
    }
  }
  window.setInterval(refresh, 5000);
})();
