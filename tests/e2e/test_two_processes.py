"""Two server processes on one PostgreSQL + Redis: one leader per periodic job, and
revocations that reach every process at once.

Each hub here is a whole ``motcua serve`` (gunicorn master and its gevent worker),
as on two machines of a province's hub; killing one kills its process group.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import time

import pytest
import requests

from tests.e2e.support import (
    ADMIN,
    STAFF,
    ApiClient,
    HubProcess,
    Site,
    StartHub,
    login_token,
    motcua_command,
)

pytestmark = [pytest.mark.slow]

LEADS = re.compile(r"process (\d+) now runs the periodic job rating-windows")


def _leader(hubs: list[HubProcess], timeout_s: float = 15) -> HubProcess:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        leading = [h for h in hubs if LEADS.search(h.log_text())]
        if leading:
            return leading[0]
        time.sleep(0.1)
    raise AssertionError("no process took the periodic jobs")


def _wait(condition, what: str, timeout_s: float) -> float:  # noqa: ANN001
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if condition():
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen within {timeout_s} s")


@pytest.fixture
def two_hubs(postgres_site: Site, redis_url: str, start_hub: StartHub) -> list[HubProcess]:
    channel = f"motcua-e2e-{secrets.token_hex(4)}"
    return start_hub(
        postgres_site,
        "a",
        "b",
        extra_env={"MOTCUA_REDIS_URL": redis_url, "MOTCUA_REDIS_CHANNEL": channel},
    )


def test_one_process_runs_the_jobs_and_another_takes_over_when_it_dies(
    two_hubs: list[HubProcess],
) -> None:
    """GIVEN two hub processes on one PostgreSQL WHEN they start THEN exactly one runs the
    periodic jobs; WHEN that one is killed (-9) THEN the other takes them over."""
    leader = _leader(two_hubs)
    other = next(h for h in two_hubs if h is not leader)
    time.sleep(2)  # a few turns: the other one must not take the lock meanwhile
    assert not LEADS.search(other.log_text()), "both processes run the periodic jobs"
    leader.kill()
    _wait(lambda: LEADS.search(other.log_text()) is not None, "the take-over", 15)
    with ApiClient(other.url) as api:
        assert api.counters()  # and it still serves


def test_logout_and_revocation_reach_the_other_process_within_a_second(
    postgres_site: Site, two_hubs: list[HubProcess]
) -> None:
    """GIVEN a staff token and a kiosk token used on both processes (so each has them
    cached) WHEN the staff member logs out on one and an admin revokes the kiosk on it
    THEN the other process refuses each token within a second."""
    a, b = two_hubs
    user = STAFF[0]
    token = login_token(a.url, user, postgres_site.passwords[user])
    me = f"{b.url}/api/v1/counters/1/open"
    with requests.Session() as http:
        headers = {"Authorization": f"Bearer {token}"}
        assert http.post(me, headers=headers, timeout=5).status_code == 200
        assert http.post(f"{a.url}/api/v1/auth/logout", headers=headers, timeout=5).ok
        took = _wait(
            lambda: http.post(me, headers=headers, timeout=5).status_code == 401,
            "the logout reaching the other process",
            1.0,
        )
    assert took < 1.0
    kiosk = {"Authorization": f"Bearer {postgres_site.kiosk_token}"}
    issue = f"{b.url}/api/v1/tickets"
    with requests.Session() as http:
        assert http.post(issue, json={"service": "dat-dai"}, headers=kiosk, timeout=5).ok
        admin = login_token(a.url, ADMIN, postgres_site.passwords[ADMIN])
        with ApiClient(a.url, admin) as api:
            devices = api.request("GET", "/admin/devices").json()
            kiosk_id = next(d["id"] for d in devices if d["kind"] == "kiosk")
            api.request("POST", f"/admin/devices/{kiosk_id}/revoke")
        _wait(
            lambda: (
                http.post(issue, json={"service": "dat-dai"}, headers=kiosk, timeout=5).status_code
                == 401
            ),
            "the revocation reaching the other process",
            1.0,
        )


def test_workers_share_one_queue_and_every_screen_hears_every_call(
    postgres_site: Site, redis_url: str, tmp_path
) -> None:
    """GIVEN ``motcua serve --workers 2`` on PostgreSQL + Redis WHEN kiosks issue and
    counters call over many connections THEN numbers follow each other without a gap
    or a repeat, and a screen (websocket-only) gets every call, whichever worker made it."""
    import socketio

    hub = HubProcess("workers", postgres_site.config.path, {
        **postgres_site.env, "MOTCUA_REDIS_URL": redis_url,
        "MOTCUA_REDIS_CHANNEL": f"motcua-e2e-{secrets.token_hex(4)}",
    }, tmp_path, postgres_site.workdir)  # fmt: skip
    hub.serve_args = ["--workers", "2"]
    heard: list[str] = []
    screen = socketio.Client(reconnection=False)
    screen.on("call", lambda data: heard.append(data["number"]), namespace="/display")
    try:
        hub.start()
        screen.connect(hub.url, namespaces=["/display"], transports=["websocket"])
        numbers = []
        for _ in range(12):  # new connections each time: both workers answer some
            with ApiClient(hub.url, postgres_site.kiosk_token) as kiosk:
                numbers.append(int(kiosk.issue("dat-dai")["number"]))
        assert numbers == list(range(numbers[0], numbers[0] + 12))
        user = STAFF[0]
        token = login_token(hub.url, user, postgres_site.passwords[user])
        called = []
        with ApiClient(hub.url, token) as staff:
            staff.open_counter("1")
        for _ in range(12):
            with ApiClient(hub.url, token) as staff:
                ticket = staff.call_next("1")
                assert ticket is not None
                called.append(ticket["number"])
        assert sorted(int(n) for n in called) == numbers
        _wait(lambda: sorted(heard) == sorted(called), "every call on the screen", 5)
    finally:
        if screen.connected:
            screen.disconnect()
        hub.kill()


def test_the_holder_hears_a_completion_made_by_the_other_process(
    postgres_site: Site, two_hubs: list[HubProcess]
) -> None:
    """GIVEN a ticket's page following it on /ticket of process a (websocket-only)
    WHEN an officer calls and completes it on process b
    THEN the page hears ``called`` then ``done`` through Redis, ``done`` within a second
    of b's answer."""
    import queue

    import socketio

    a, b = two_hubs
    heard: queue.Queue[tuple[float, dict[str, str]]] = queue.Queue()
    page = socketio.Client(reconnection=False)
    page.on("ticket", lambda data: heard.put((time.monotonic(), data)), namespace="/ticket")
    try:
        with ApiClient(a.url, postgres_site.kiosk_token) as kiosk:
            mine = kiosk.issue("dat-dai")
        page.connect(a.url, namespaces=["/ticket"], transports=["websocket"], wait_timeout=10)
        assert page.call("follow", {"ticket": mine["id"]}, namespace="/ticket", timeout=10)["ok"]
        user = STAFF[0]
        with ApiClient(b.url, login_token(b.url, user, postgres_site.passwords[user])) as staff:
            staff.open_counter("1")
            while (called := staff.call_next("1")) is not None:
                if called["number"] == mine["number"]:
                    break
                staff.expect("POST", "/counters/1/complete", 200)
            assert called is not None, "my ticket was never called"
            staff.expect("POST", "/counters/1/complete", 200)
            answered = time.monotonic()
        changes = []
        while not changes or changes[-1][1]["change"] != "done":
            try:
                changes.append(heard.get(timeout=10))
            except queue.Empty:
                raise AssertionError(f"no done on /ticket within 10 s: {changes}") from None
        assert [c["change"] for _, c in changes] == ["called", "done"]
        assert changes[-1][0] - answered < 1.0
    finally:
        if page.connected:
            page.disconnect()


def test_workers_are_refused_on_sqlite(sqlite_site: Site, tmp_path) -> None:
    """GIVEN a SQLite site WHEN ``motcua serve --workers 2`` starts THEN it exits 2 with
    one line naming what is needed, and no traceback."""
    done = subprocess.run(
        [*motcua_command(), "--config", str(sqlite_site.config.path), "serve", "--workers", "2"],
        env=sqlite_site.env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL" in lines[0] and "Traceback" not in done.stderr
