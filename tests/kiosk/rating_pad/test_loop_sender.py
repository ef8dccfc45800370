"""The outbox proof: hub down, 100 presses, the pad restarted halfway, hub back.

Exactly 100 presses reach the hub, each once, and the outbox ends empty.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from config.rating_pad import PadCounter, RatingPadSettings
from hardware.fakes import FakeButtonPanel, FakeIndicator
from hub.store.db import read
from hub.store.tables import rating_presses, ratings
from kiosk.kit.hub_client import HubClient
from kiosk.kit.outbox import Outbox
from kiosk.rating_pad.devices import CounterPad
from kiosk.rating_pad.loop import RatingPad
from tests.conftest import Api, build_app, close_app
from tests.kiosk.rating_pad.support import serve_ticket, wait_for

LEVELS = ("very_satisfied", "satisfied", "unsatisfied")


def start_pad(settings: RatingPadSettings, token: str) -> tuple[RatingPad, FakeButtonPanel]:
    panel = FakeButtonPanel(LEVELS)
    pad = RatingPad(
        settings,
        [
            CounterPad(
                "1",
                HubClient(settings.hub_url, token, timeout_s=1),
                panel,
                {lv: FakeIndicator() for lv in LEVELS},
            )
        ],  # fmt: skip
        Outbox(settings.outbox, settings.device_name, max_backoff_s=settings.retry_max_s),
        connect_sockets=False,
    )
    pad.start()
    return pad, panel


@dataclass
class DownHub:
    """A hub with a ticket served at counter 1 and a pad token, whose server is stopped."""

    hub: Any
    live: Any
    token: str
    ticket: str


@pytest.fixture
def down_hub(demo_config, sqlite_database, tmp_path, live_server) -> Iterator[DownHub]:
    app = build_app(demo_config, sqlite_database, tmp_path)
    hub = app.extensions["motcua"]
    live = live_server(app)
    api = Api(app)
    token = hub.devices.add_device("pad-1", "rating-pad", "1")
    ticket = serve_ticket(api, api.device("k1", "kiosk"), api.user("canbo1"))
    live.stop()
    yield DownHub(hub, live, token, ticket)
    close_app(app)


def test_hub_down_pad_restarted_exactly_once(down_hub: DownHub, tmp_path) -> None:
    """GIVEN a served ticket and then a stopped hub WHEN 50 presses are made, the pad agent is
    restarted, 50 more are made and the hub comes back THEN the hub holds exactly 100 presses
    with 100 distinct keys (one rating, 99 refused as already rated) and the outbox is empty."""
    hub, live, token, ticket = down_hub.hub, down_hub.live, down_hub.token, down_hub.ticket
    settings = RatingPadSettings(
        hub_url=live.url,
        device="pad-proof",
        outbox=str(tmp_path / "pad.sqlite"),
        counters=(PadCounter(counter="1", token=token, buttons={"satisfied": 1}),),
        retry_max_s=0.3,
        heartbeat_s=3600,
        reasons=(),  # no reason prompt: every press goes to the outbox at once
    )
    pad, panel = start_pad(settings, token)
    for i in range(50):
        panel.press(LEVELS[i % 3])
    wait_for(lambda: pad.outbox.count() == 50, what="50 presses on disk")
    pad.stop()
    pad.outbox.close()

    pad, panel = start_pad(settings, token)
    assert pad.outbox.count() == 50  # the first agent's presses are still there
    for i in range(50):
        panel.press(LEVELS[i % 3])
    wait_for(lambda: pad.outbox.count() == 100, what="100 presses on disk")
    live.start()
    try:
        wait_for(lambda: pad.outbox.count() == 0, timeout=30, what="outbox drained")
    finally:
        pad.stop()
        pad.outbox.close()
        live.stop()
    with read(hub.engine) as conn:
        presses = conn.execute(select(rating_presses.c.key, rating_presses.c.outcome,
                                      rating_presses.c.code)).all()  # fmt: skip
        stored = conn.execute(select(ratings.c.ticket_id, ratings.c.key)).all()
    keys = [p.key for p in presses]
    assert len(keys) == 100 and len(set(keys)) == 100
    assert sorted(int(k.rsplit(".", 1)[1]) for k in keys) == list(range(1, 101))
    assert Counter((p.outcome, p.code) for p in presses) == {
        ("created", None): 1, ("rejected", "already_rated"): 99}  # fmt: skip
    assert [s.ticket_id for s in stored] == [ticket]


def test_the_first_press_wins_when_the_hub_comes_back(down_hub: DownHub, tmp_path) -> None:
    """GIVEN a served ticket and a hub that is down; a first press ("unsatisfied") whose
    sends failed until it backs off for seconds, then a second one ("very_satisfied")
    WHEN the hub is back right after the second press
    THEN the ticket holds the first press's rating and the second is refused as already
    rated: the later press does not overtake the earlier one waiting to be retried."""
    hub, live, token, ticket = down_hub.hub, down_hub.live, down_hub.token, down_hub.ticket
    settings = RatingPadSettings(
        hub_url=live.url,
        device="pad-order",
        outbox=str(tmp_path / "pad.sqlite"),
        counters=(PadCounter(counter="1", token=token, buttons={"satisfied": 1}),),
        retry_max_s=3,
        heartbeat_s=3600,
        reasons=(),
    )
    pad, panel = start_pad(settings, token)
    try:
        panel.press("unsatisfied")
        time.sleep(1.7)  # tried at 0, 0.5 and 1.5 s: next try at 3.5 s
        panel.press("very_satisfied")
        wait_for(lambda: pad.outbox.count() == 2, what="both presses on disk")
        live.start()
        wait_for(lambda: pad.outbox.count() == 0, timeout=15, what="outbox drained")
    finally:
        pad.stop()
        pad.outbox.close()
        live.stop()
    with read(hub.engine) as conn:
        stored = conn.execute(select(ratings.c.ticket_id, ratings.c.level)).all()
        refused = conn.execute(
            select(rating_presses.c.level).where(rating_presses.c.code == "already_rated")
        ).all()
    assert [(s.ticket_id, s.level) for s in stored] == [(ticket, "unsatisfied")]
    assert [r.level for r in refused] == ["very_satisfied"]
