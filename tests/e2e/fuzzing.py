"""What every part of the fuzzing gate shares: the live hub, the tally, the log check.

The gate (``test_openapi_fuzz.py``, ``test_nasty_inputs.py``,
``test_socket_garbage.py``) sends bad input to a live ``motcua serve`` on SQLite
and on PostgreSQL (:func:`start_live_api`: the demo site with booking on, tickets
waiting, served and rated, tokens of every kind). Its pass criteria:

- no answer is a 5xx, no Socket.IO event goes unanswered (:class:`Tally` counts
  them all; the session's figures are printed at the end of the run, see
  ``conftest.py``: the closing note's "N fuzzed requests, 0 5xx");
- the hub's log holds no traceback and no ``ERROR`` line (:func:`assert_clean_log`);
- a refused request changes nothing (:mod:`tests.e2e.state_probe`).
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from tests.e2e.support import (
    ADMIN,
    REQUEST_TIMEOUT_S,
    STAFF,
    ApiClient,
    HubProcess,
    Site,
    SiteConfig,
    StartHub,
    login_token,
    ticket_key,
)
from tests.support.zones import zone_at_noon

# --------------------------------------------------------------- live hub


@dataclass(frozen=True)
class Tokens:
    """Bearer tokens, and which one each operation's ``Allowed:`` list accepts."""

    admin: str
    kiosk: str
    pad: str
    staff: str
    link: str

    def for_operation(self, path: str, operation: dict[str, Any]) -> str | None:
        """The token for an operation (its OpenAPI object): none for a public one; else
        one its description's ``Allowed:`` line names (the admin when it allows the admin;
        never the admin's for logout, which would end the token the others use)."""
        if "security" not in operation:
            return None
        if path.endswith("/auth/logout"):
            return self.staff
        description = str(operation.get("description", ""))
        if not description.startswith("Allowed:"):
            return self.admin
        allowed = description.removeprefix("Allowed:").replace(" ", "").split(",")
        if "admin" in allowed:
            return self.admin
        if "device:kiosk" in allowed:
            return self.kiosk
        if "device:rating-pad" in allowed:
            return self.pad
        return self.staff


@dataclass(frozen=True)
class LiveApi:
    """A live hub with state for bad requests to meet, its tokens and real ids."""

    hub: HubProcess
    site: Site
    tokens: Tokens
    path_values: dict[str, list[str]]

    @property
    def backend(self) -> str:
        return self.site.db.kind


# The demo site, with remote booking on (its limit per address out of the way), in a
# zone where it is now noon: no background job closes a day while the gate runs.
FUZZ_CONFIG_TAIL = """
[booking]
enabled = true
rate_limit = 1000
per_phone_per_day = 20
"""


def start_live_api(site: Site, start_hub: StartHub) -> LiveApi:
    """Start a hub on ``site`` (the demo's configuration with booking on, in a zone where
    it is noon) and give it state for the requests to meet.

    Waiting tickets; a ticket served and completed at counter 1 (so its rating
    pad has a ticket to rate); a ticket being served at counter 3, opened by
    the admin; a kiosk that has sent a heartbeat.
    """
    config = site.workdir / "fuzz.toml"
    text, zones = re.subn(r'^timezone = ".*"$', f'timezone = "{zone_at_noon()}"',
                          site.config.path.read_text(encoding="utf-8"), flags=re.M)  # fmt: skip
    if zones != 1:
        raise AssertionError(f"no single [site] timezone in {site.config.path}")
    config.write_text(text + FUZZ_CONFIG_TAIL, "utf-8")
    site = replace(site, config=SiteConfig.read(config))
    (hub,) = start_hub(site, "fuzz")
    tokens = Tokens(
        admin=login_token(hub.url, ADMIN, site.passwords[ADMIN]),
        kiosk=site.kiosk_token,
        pad=site.pad_token,
        staff=login_token(hub.url, STAFF[2], site.passwords[STAFF[2]]),
        link=site.link_token,
    )
    with ApiClient(hub.url, site.kiosk_token) as kiosk:
        issued = [kiosk.issue(service) for service in [*site.config.services] * 2]
        ids = {ticket_key(t): t["id"] for t in issued}
        kiosk.expect("POST", "/devices/heartbeat", 204, json=HEARTBEAT)
    with ApiClient(hub.url, login_token(hub.url, STAFF[0], site.passwords[STAFF[0]])) as staff:
        staff.open_counter("1")
        done = ids[ticket_key(_called(staff.call_next("1")))]
        staff.expect("POST", "/counters/1/complete", 200)
    with ApiClient(hub.url, tokens.admin) as admin:
        admin.open_counter("3")
        called = ids[ticket_key(_called(admin.call_next("3")))]
        users = admin.expect("GET", "/admin/users", 200).json()
        devices = admin.expect("GET", "/admin/devices", 200).json()
    path_values = {
        "counter_id": ["3"],
        "ticket_id": [issued[-1]["id"], called, done],
        # staff1 and the kiosk: never the admin whose token the others use.
        "user_id": [str(u["id"]) for u in _rows(users) if u["username"] == STAFF[0]],
        "device_id": [str(d["id"]) for d in _rows(devices) if d["kind"] == "kiosk"],
    }
    return LiveApi(hub, site, tokens, path_values)


HEARTBEAT = {"version": "e2e", "status": {"printer": "ok"}}


def booking_headers(hub_url: str) -> dict[str, str]:
    """The form token a fresh ``/book`` page gives its ``POST /bookings``."""
    page = requests.get(f"{hub_url}/book", timeout=REQUEST_TIMEOUT_S)
    found = re.search(r"data-page='([^']+)'", page.text)
    if page.status_code != 200 or found is None:
        raise AssertionError(f"no booking form on /book: {page.status_code} {page.text[:300]}")
    return {"X-Booking-Token": str(json.loads(html.unescape(found.group(1)))["token"])}


def _called(ticket: dict[str, Any] | None) -> dict[str, Any]:
    if ticket is None:
        raise AssertionError("call-next found nobody waiting while setting up")
    return ticket


def _rows(answer: Any) -> list[dict[str, Any]]:
    """List answers come bare or as ``{"rows"|"users"|"devices": [...]}``."""
    if isinstance(answer, list):
        return answer
    for key in ("rows", "users", "devices", "items"):
        if isinstance(answer, dict) and isinstance(answer.get(key), list):
            return list(answer[key])
    raise AssertionError(f"unexpected list answer: {answer!r}"[:500])


# ------------------------------------------------------------------ tally


@dataclass
class Tally:
    """What each gate sent and how many the hub failed, per database (thread-safe).

    HTTP gates count requests and 5xx answers; the Socket.IO gate counts events and
    frames, and those the hub failed on (no answer where one was due, a connection
    dropped for a well-formed packet).
    """

    sent: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, gate: str, backend: str, status: int) -> None:
        """One HTTP request and its status."""
        self.add(gate, backend, failed=status >= 500)

    def add(self, gate: str, backend: str, *, failed: bool) -> None:
        with self.lock:
            self.sent[gate, backend] += 1
            if failed:
                self.failed[gate, backend] += 1

    def lines(self) -> list[str]:
        """One line per gate and database, then the totals: the closing note's figures."""
        with self.lock:
            rows = [
                f"{gate} on {backend}: {self.sent[gate, backend]} {_units(gate)}, "
                f"{self.failed[gate, backend]} {_failures(gate)}"
                for gate, backend in sorted(self.sent)
            ]
            for kind in ("requests", "events"):
                keys = [k for k in self.sent if _units(k[0]) == kind]
                if keys:
                    total, bad = sum(self.sent[k] for k in keys), sum(self.failed[k] for k in keys)
                    rows.append(f"total: {total} fuzzed {kind}, {bad} {_failures(keys[0][0])}")
            return rows


SOCKET_GATE = "socket.io"


def _units(gate: str) -> str:
    return "events" if gate == SOCKET_GATE else "requests"


def _failures(gate: str) -> str:
    return "failed" if gate == SOCKET_GATE else "5xx"


TALLY = Tally()
"""This session's figures (printed by ``pytest_terminal_summary`` in ``conftest.py``)."""


# -------------------------------------------------------------------- log

# A traceback, or a line at level ERROR or CRITICAL: the hub's own format (time, level,
# logger) or gunicorn's ("[time] [pid] [LEVEL]"); never words inside a message.
_FAULT = re.compile(
    r"Traceback \(most recent call last\)"
    r"|^\S+ \S+ (ERROR|CRITICAL) \S+: "
    r"|^\[[^]]+\] \[\d+\] \[(ERROR|CRITICAL)\] "
)


def log_faults(hub: HubProcess) -> list[str]:
    """The lines of the hub's log that tell of a bug: tracebacks and errors."""
    return [line for line in hub.log_text().splitlines() if _FAULT.search(line)]


def assert_clean_log(hub: HubProcess) -> None:
    faults = log_faults(hub)
    assert not faults, (
        "the hub logged faults:\n"
        + "\n".join(faults[:40])
        + (f"\n… and {len(faults) - 40} more" if len(faults) > 40 else "")
    )
