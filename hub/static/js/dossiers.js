/* motcua staff console: the dossier codes (mã hồ sơ) of the number being served.
 *
 * Codes are typed in #dossier-input then Enter, or scanned from the receipt by a USB
 * barcode/QR scanner that types them (a keyboard wedge). A scanner types faster than
 * [dossiers] scan_gap_ms between characters, a person does not: such a burst ending
 * in Enter, wherever the focus is, is a code, not the console's shortcuts. So a
 * shortcut that is a character waits scan_gap_ms before it runs (later()), and is
 * dropped when the next character comes sooner. The codes listed belong to the number
 * they were added for, and are forgotten when another number is at the counter.
 *
 * window.MotcuaDossiers({settings, text, toast, current, root}) gives:
 *   list()          the codes listed, to send with "complete" or "call next";
 *   clear()         after they were sent;
 *   sync(number)    on every render: the number now at the counter (or null);
 *   scanned(event)  true when the key belongs to a scanner's burst (it is consumed);
 *   later(run)      run a character shortcut unless a scanner's burst follows;
 *   input           the field (keys typed there are no shortcuts).
 */
(() => {
  "use strict";

  window.MotcuaDossiers = function ({ settings, text, toast, current, root }) {
    const input = document.getElementById("dossier-input");
    const list = document.getElementById("dossier-list");
    const pattern = (() => {
      try {
        return new RegExp(settings.pattern);
      } catch (err) {
        return null; // a Python-only pattern: the hub checks it
      }
    })();
    let codes = [];
    let codesFor = null; // the number the listed codes belong to
    const burst = { text: "", at: -Infinity, held: 0 };

    function render() {
      list.replaceChildren(
        ...codes.map((code) => {
          const li = document.createElement("li");
          li.dataset.code = code;
          const label = document.createElement("span");
          label.textContent = code;
          const remove = document.createElement("button");
          remove.type = "button";
          remove.textContent = "×";
          remove.setAttribute("aria-label", text.dossier_remove.replace("%(code)s", code));
          remove.addEventListener("click", () => {
            codes = codes.filter((c) => c !== code);
            render();
          });
          li.append(label, remove);
          return li;
        })
      );
      root.dataset.dossiers = codes.join(" ");
      input.disabled = !current();
    }

    function add(raw) {
      const code = raw.trim().toUpperCase();
      if (!code) return;
      const now = current();
      if (!now) return toast(text.dossier_no_number, "error");
      if ((pattern && !pattern.test(code)) || code.length > 64) {
        return toast(text.dossier_invalid.replace("%(code)s", code), "error");
      }
      if (!codes.includes(code)) {
        if (codes.length >= settings.max) return toast(text.dossier_too_many, "error");
        codes.push(code);
      }
      codesFor = now.number;
      render();
      toast(text.dossier_added.replace("%(code)s", code), "info");
    }

    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        add(input.value);
        input.value = "";
      } else if (event.key === "Escape") {
        input.blur();
      }
    });

    function dropHeld() {
      window.clearTimeout(burst.held);
      burst.held = 0;
    }

    function scanned(event) {
      if (event.key === "Shift" || event.key === "CapsLock") return false; // a scanner's capitals
      const fast = burst.text !== "" && event.timeStamp - burst.at <= settings.scan_gap_ms;
      if (event.key === "Enter") {
        const code = fast && burst.text.length > 1 ? burst.text : "";
        burst.text = "";
        if (!code) return false;
        event.preventDefault();
        add(code);
        return true;
      }
      if (event.key.length !== 1) {
        burst.text = "";
        return false;
      }
      burst.at = event.timeStamp;
      if (fast) {
        burst.text += event.key;
        dropHeld();
        event.preventDefault();
        return true;
      }
      burst.text = event.key;
      return false;
    }

    function later(run) {
      dropHeld();
      burst.held = window.setTimeout(() => {
        burst.held = 0;
        run();
      }, settings.scan_gap_ms);
    }

    return {
      input,
      list: () => codes.slice(),
      clear() {
        codes = [];
        render();
      },
      sync(number) {
        if (codes.length && number !== codesFor) codes = [];
        render();
      },
      scanned,
      later,
    };
  };
})();
