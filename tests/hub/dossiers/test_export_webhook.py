"""The ``[export]`` webhook: each rated dossier is pushed once, as JSON, to the province's
URL through the hub's outbox; a failed delivery is retried with the same idempotency
key, so the receiver never gets a second row (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from config.dossiers import ExportSettings
from hub.background import hub_jobs
from hub.outbox import EXPORT
from tests.conftest import Api, build_app, close_app

A, B = "000.00.12.H56-261127-0001", "000.00.12.H56-261127-0002"


class Receiver:
    """A province's endpoint on 127.0.0.1: keeps one row per idempotency key.

    ``lose_answers`` first requests are stored but answered 503, as when the answer is
    lost on the way back.
    """

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.posts: list[tuple[str, str]] = []
        self.lose_answers = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    receiver.posts.append((key, self.headers.get("Authorization", "")))
                    receiver.rows.setdefault(key, body)
                    lose = receiver.lose_answers > 0
                    receiver.lose_answers -= 1
                self.send_response(503 if lose else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/danh-gia"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def exporting(demo_config, database, tmp_path, clock, receiver) -> Iterator[Any]:  # noqa: ANN001
    """The hub with ``[export] webhook_url`` set to the receiver."""
    config = replace(demo_config, export=ExportSettings(webhook_url=receiver.url, token="tinh-01"))
    app = build_app(config, database, tmp_path, clock)
    yield app
    close_app(app)


def _rate_a_ticket_with_dossiers(api: Api, clock: Any) -> None:
    kiosk = api.device("kiosk-test", "kiosk")
    staff = api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff, json={"dossiers": [A, B]})
    clock.advance(5)
    answer = api.post("/ratings", pad, json={"key": "pad1-000001", "level": "very_satisfied"})
    assert answer.status_code in (200, 201), answer.json


def test_a_failed_push_is_retried_and_arrives_exactly_once(exporting, receiver, clock) -> None:
    """GIVEN a ticket completed with two dossiers and rated, and a receiver whose first
    answer is lost WHEN the background's outbox job runs THEN the first row waits; WHEN
    it runs again after its back-off THEN the same key is sent again and the receiver
    holds exactly one row per dossier, with the dossier, level and time; the outbox is
    empty and a further run sends nothing."""
    api = Api(exporting)
    hub = api.hub
    (job,) = [j for j in hub_jobs(hub) if j.name == "outbox"]
    receiver.lose_answers = 1
    _rate_a_ticket_with_dossiers(api, clock)
    assert hub.outbox.pending(EXPORT) == 2

    job.run()
    assert hub.outbox.pending(EXPORT) == 1 and len(receiver.posts) == 2
    job.run()  # before the back-off has passed: nothing is sent
    assert len(receiver.posts) == 2

    clock.advance(3)
    job.run()
    assert hub.outbox.pending(EXPORT) == 0
    assert len(receiver.posts) == 3 and receiver.posts[0][0] == receiver.posts[2][0]
    assert {auth for _, auth in receiver.posts} == {"Bearer tinh-01"}
    rows = sorted(receiver.rows.values(), key=lambda r: r["dossier"])
    assert [(r["dossier"], r["level"], r["level_id"]) for r in rows] == [
        (A, "Rất hài lòng", "very_satisfied"),
        (B, "Rất hài lòng", "very_satisfied"),
    ]
    assert all(r["key"] in receiver.rows and r["rated_at"].endswith("+07:00") for r in rows)
    assert rows[0]["staff"] == "Canbo1" and rows[0]["counter"] == "Quầy 1"

    job.run()
    assert len(receiver.posts) == 3


def test_without_a_webhook_nothing_is_queued(api, hub, clock) -> None:
    """GIVEN no [export] webhook_url WHEN a ticket with dossiers is rated THEN no row waits."""
    _rate_a_ticket_with_dossiers(api, clock)
    assert hub.outbox.pending(EXPORT) == 0


def test_an_unreachable_receiver_ends_the_turn(exporting, receiver, clock) -> None:
    """GIVEN two rated dossiers waiting and the receiver down WHEN the outbox job runs
    THEN one request is tried and the turn ends: the first row waits with its error, the
    second was not tried (so a dead link costs one timeout a turn, not one a row)."""
    from sqlalchemy import select

    from hub.store.db import read
    from hub.store.tables import outbox

    api = Api(exporting)
    (job,) = [j for j in hub_jobs(api.hub) if j.name == "outbox"]
    _rate_a_ticket_with_dossiers(api, clock)
    receiver.close()

    job.run()

    with read(api.hub.engine) as conn:
        rows = conn.execute(
            select(outbox.c.attempts, outbox.c.last_error)
            .where(outbox.c.topic == EXPORT)
            .order_by(outbox.c.id)
        ).all()
    assert [r.attempts for r in rows] == [1, 0] and rows[0].last_error == "ConnectionError"
