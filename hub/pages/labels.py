"""Words the pages show for roles, device kinds, device health and audit actions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ROLE_LABELS: dict[str, Any] = {
    "staff": _l("Officer"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}

DEVICE_KIND_LABELS: dict[str, Any] = {
    "kiosk": _l("Ticket kiosk"),
    "rating-pad": _l("Rating pad"),
    "display": _l("Call screen"),
    "counter-keypad": _l("Counter keypad"),
}

HEALTH_LABELS: dict[str, Any] = {
    "online": _l("Online"),
    "offline": _l("Offline"),
    "never": _l("Never connected"),
    "revoked": _l("Revoked"),
}

# What a device reports in its heartbeat status, shown next to its health.
STATUS_LABELS: dict[tuple[str, str], Any] = {
    ("printer", "ok"): _l("Printer OK"),
    ("printer", "paper_low"): _l("Printer paper low"),
    ("printer", "paper_out"): _l("Printer out of paper"),
    ("printer", "offline"): _l("Printer offline"),
    ("printer", "unknown"): _l("Printer status unknown"),
    ("keypad", "ok"): _l("Keypad connected"),
    ("keypad", "offline"): _l("Keypad unplugged"),
    ("led_board", "ok"): _l("LED board OK"),
    ("led_board", "timeout"): _l("LED board not answering"),
    ("led_board", "offline"): _l("LED board offline"),
    ("audio", "ok"): _l("Loudspeaker OK"),
    ("audio", "error"): _l("Loudspeaker error"),
    ("audio", "off"): _l("No loudspeaker"),
    ("socket", "connected"): _l("Connected to the hub"),
    ("socket", "disconnected"): _l("Not connected to the hub"),
}
# Reported values that are no problem (the others get a warning chip).
FINE_STATUS_VALUES = frozenset({"ok", "connected", "off"})
# A reported key whose value is free text, shown after its label.
STATUS_TEXT_LABELS: dict[str, Any] = {
    "last_error": _l("Last printer error"),
}

ACTION_LABELS: dict[str, Any] = {
    "login": _l("Log in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Log out"),
    "counter_open": _l("Open counter"),
    "counter_close": _l("Close counter"),
    "call_next": _l("Call next"),
    "recall": _l("Recall"),
    "no_show": _l("No-show"),
    "transfer": _l("Transfer"),
    "complete": _l("Complete"),
    "pause": _l("Pause"),
    "resume": _l("Resume"),
    "user_add": _l("Add user"),
    "user_update": _l("Update user"),
    "user_password": _l("Reset password"),
    "user_disable": _l("Disable user"),
    "user_enable": _l("Enable user"),
    "device_add": _l("Register device"),
    "device_rekey": _l("New device token"),
    "device_revoke": _l("Revoke device"),
    "config_reload": _l("Reload configuration"),
}


def label(table: dict[Any, Any], key: Any) -> str:
    """The translated label of ``key`` in ``table``, or the key itself."""
    found = table.get(key)
    return str(found) if found is not None else str(key)


def status_labels(status: dict[str, Any]) -> list[tuple[str, bool]]:
    """A device's reported status as (label, is_problem) pairs, in words, never raw keys.

    The display agent's ``boards`` (``{line: state}``) give one LED board label per line.
    """
    out: list[tuple[str, bool]] = []
    for key, value in sorted(status.items()):
        if key == "boards" and isinstance(value, dict):
            out.extend(
                (f"{_status_text('led_board', state)} ({line})", state not in FINE_STATUS_VALUES)
                for line, state in sorted(value.items())
                if isinstance(state, str)
            )
        elif key in STATUS_TEXT_LABELS and isinstance(value, str):
            out.append((f"{STATUS_TEXT_LABELS[key]}: {value}", True))
        elif isinstance(value, str):
            out.append((_status_text(key, value), value not in FINE_STATUS_VALUES))
    return out


def _status_text(key: str, value: str) -> str:
    text = STATUS_LABELS.get((key, value))
    return str(text) if text is not None else f"{key}: {value}"
