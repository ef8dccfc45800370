"""Two hubs on 127.0.0.1: a centre forwards its ratings and queue days to a province hub."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from config.upstream import UpstreamSettings
from hub.federation import OutboxSender, enqueue_queue_day, receive
from hub.stats import roll_queue_days
from hub.store.db import read
from hub.store.tables import outbox, ratings
from tests.conftest import Api, FakeClock, build_app, close_app


@pytest.fixture
def province(demo_config, tmp_path, live_server) -> Iterator[tuple[Any, str]]:
    """The upstream hub (site "tinh") on a live server; yields (app, url)."""
    from tests.conftest import Database

    site = dataclasses.replace(demo_config.site, id="tinh", name="Hub tỉnh (thử nghiệm)")
    config = dataclasses.replace(demo_config, site=site)
    db = Database(f"sqlite:///{tmp_path / 'province.db'}", "sqlite")
    (tmp_path / "p").mkdir()
    app = build_app(config, db, tmp_path / "p")
    server = live_server(app)
    yield app, server.url
    server.stop()
    close_app(app)


def centre_app(demo_config, tmp_path, url: str, token: str, clock: FakeClock) -> Any:
    from tests.conftest import Database

    upstream = UpstreamSettings(url=url, token=token, batch_size=2, timeout_s=2)
    config = dataclasses.replace(demo_config, upstream=upstream)
    (tmp_path / "c").mkdir()
    return build_app(config, Database(f"sqlite:///{tmp_path / 'centre.db'}", "sqlite"),
                     tmp_path / "c", clock)  # fmt: skip


def pending(app: Any) -> int:
    with read(app.extensions["motcua"].engine) as conn:
        return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_centre_forwards_exactly_once_and_upstream_groups_by_site(
    demo_config, tmp_path, province
) -> None:
    """GIVEN a centre hub with ``[upstream]`` pointing at a live province hub WHEN ratings are
    made, the upstream is briefly down, and the sender runs (twice) THEN the province holds
    each rating once under the centre's site, a later flag reaches it, the closed day's
    queue figures give coverage, and the centre's outbox is empty."""
    up_app, up_url = province
    up = up_app.extensions["motcua"]
    token = up.devices.add_link("demo")
    clock = FakeClock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    app = centre_app(demo_config, tmp_path, up_url, token, clock)
    hub = app.extensions["motcua"]
    api = Api(app)
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    for i, level in enumerate(("very_satisfied", "unsatisfied", None)):
        api.issue(kiosk)
        api.post("/counters/1/open", staff)
        api.post("/counters/1/call-next", staff)
        api.post("/counters/1/complete", staff)
        if level:
            assert api.post("/ratings", pad, json={"key": f"pad1-up-{i}", "level": level}
                            ).status_code == 201  # fmt: skip
        clock.advance(300)
    assert pending(app) == 2

    dead = OutboxSender(hub.engine, hub.config, clock)
    dead_cfg = dataclasses.replace(
        hub.config, upstream=UpstreamSettings(url="http://127.0.0.1:9", token=token)
    )
    assert OutboxSender(hub.engine, dead_cfg, clock).flush_upstream() == 0  # link down
    assert pending(app) == 2
    clock.advance(10)  # past the backoff
    assert dead.flush_upstream() == 2 and pending(app) == 0
    assert dead.flush_upstream() == 0

    with read(up.engine) as conn:
        rows = conn.execute(select(ratings).order_by(ratings.c.at)).all()
    assert [(r.site_id, r.level, r.counter_id) for r in rows] == [
        ("demo", "very_satisfied", "1"), ("demo", "unsatisfied", "1")]  # fmt: skip

    # A resend of the same items is answered "duplicate" and changes nothing.
    link = {"Authorization": f"Bearer {token}"}
    item = {"key": rows[0].key, "site": "demo", "site_name": "x", "level": "very_satisfied",
            "score": 2, "positive": True, "at": rows[0].at.isoformat(),
            "day": rows[0].day.isoformat()}  # fmt: skip
    again = Api(up_app).post("/ratings/batch", link, json={"forwarded": [item]})
    assert again.json["results"] == [{"key": rows[0].key, "status": "duplicate"}]

    # Drumming on the pad rates the third ticket, then flags that rating as a burst; the
    # rating and then its flag travel upstream.
    for i in range(6):
        clock.advance(1)
        api.post("/ratings", pad, json={"key": f"pad1-drum-{i}", "level": "very_satisfied"})
    assert pending(app) >= 1
    assert dead.flush_upstream() >= 1 and pending(app) == 0

    # The closed day's queue figures follow once rolled.
    clock.set(datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
    assert roll_queue_days(hub.engine, hub.config, clock(), on_rolled=enqueue_queue_day) == 1
    assert dead.flush_upstream() == 1 and pending(app) == 0

    manager = Api(up_app).user("tinh", "manager")
    body = Api(up_app).get("/stats/satisfaction?from=2026-11-01&to=2026-11-30&by=site",
                           manager).json  # fmt: skip
    (row,) = body["rows"]
    assert row["key"] == "demo" and row["label"] == demo_config.site.name
    assert row["counts"] == {"very_satisfied": 1, "satisfied": 0, "unsatisfied": 1}
    assert body["flagged"] == {"total": 1, "counts": {"very_satisfied": 1, "satisfied": 0,
                                                      "unsatisfied": 0}}  # fmt: skip
    assert row["served"] == 3 and row["coverage"] == round(2 / 3, 4)
    counters = Api(up_app).get("/stats/satisfaction?from=2026-11-01&to=2026-11-30&by=counter",
                               manager).json["rows"]  # fmt: skip
    assert [(c["key"], c["label"]) for c in counters] == [
        ("demo/1", f"{demo_config.site.name} – Quầy 1")
    ]
    with read(up.engine) as conn:
        assert conn.execute(select(func.count()).select_from(ratings)).scalar_one() == 3
    close_app(app)


def test_only_a_hub_link_may_forward(api) -> None:
    """GIVEN a rating pad's token WHEN it posts forwarded ratings THEN 403 ``not_a_link``."""
    pad = api.device("pad1", "rating-pad", "1")
    item = {
        "key": "x:00000001",
        "site": "other",
        "site_name": "x",
        "level": "satisfied",
        "score": 1,
        "positive": True,
        "at": "2026-11-27T02:00:00+00:00",
        "day": "2026-11-27",
    }
    r = api.post("/ratings/batch", pad, json={"forwarded": [item]})
    assert r.status_code == 403 and r.json["error"]["code"] == "not_a_link"
    assert api.post("/ratings/batch", pad, json={"ratings": []}).status_code == 400


def test_receive_stores_in_bulk_on_both_backends(hub) -> None:
    """GIVEN forwarded ratings (one flagged, one repeated in the batch) WHEN received THEN each
    key is stored once, flags and reasons survive (COPY on PostgreSQL), rollups count them."""
    from hub.api.models import ForwardedRatingIn

    at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    base = {
        "site": "other",
        "site_name": "Xã khác",
        "score": 1.0,
        "positive": True,
        "at": at,
        "day": at.date(),
        "counter": "7",
        "counter_name": "Quầy 7",
        "service": "dat-dai",
    }
    items = [
        ForwardedRatingIn(key="other:rating:1", level="satisfied", **base),
        ForwardedRatingIn(key="other:rating:2", level="unsatisfied", reasons=["attitude"],
                          flags=["burst"], **{**base, "score": 0.0, "positive": False}),
        ForwardedRatingIn(key="other:rating:1", level="satisfied", **base),
    ]  # fmt: skip
    results = receive_now(hub, items)
    assert [r["status"] for r in results] == ["created", "created", "duplicate"]
    with read(hub.engine) as conn:
        rows = conn.execute(select(ratings).order_by(ratings.c.key)).all()
    assert [(r.key, r.site_id, r.flags, r.reasons) for r in rows] == [
        ("other:rating:1", "other", None, None),
        ("other:rating:2", "other", ["burst"], ["attitude"])]  # fmt: skip
    body = hub.stats.satisfaction(at.date().replace(day=1), at.date(), "counter")
    assert [(r["key"], r["label"], r["total"]) for r in body["rows"]] == [
        ("other/7", "Xã khác – Quầy 7", 1)]  # fmt: skip
    assert body["flagged"]["total"] == 1


def receive_now(hub: Any, items: list[Any]) -> list[dict[str, Any]]:
    return receive(hub.engine, hub.config, items, [], datetime(2026, 11, 27, 2, 0, tzinfo=UTC))


def test_a_resent_day_replaces_its_served_counts(hub) -> None:
    """GIVEN a downstream site's day received with 5 served at counter 7 WHEN the same day is
    received again with 3 THEN the whole-month and the edge-day figures both say 3."""
    from datetime import date

    from hub.api.models import QueueDayIn

    def day_in(served: int, stamp: int) -> QueueDayIn:
        return QueueDayIn(key=f"other:q:2026-10-15:{stamp}", site="other", site_name="Xã khác",
                          day=date(2026, 10, 15), counter_names={"7": "Quầy 7"},
                          rows=[{"counter": "7", "staff": 0, "service": "dat-dai",
                                 "issued": served, "done": served, "served": served}])  # fmt: skip

    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    receive(hub.engine, hub.config, [], [day_in(5, 1)], now)
    receive(hub.engine, hub.config, [], [day_in(3, 2)], now)
    whole = hub.stats.satisfaction(date(2026, 10, 1), date(2026, 10, 31), "counter")
    edge = hub.stats.satisfaction(date(2026, 10, 10), date(2026, 10, 20), "counter")
    assert [(r["key"], r["served"]) for r in whole["rows"]] == [("other/7", 3)]
    assert [(r["key"], r["served"]) for r in edge["rows"]] == [("other/7", 3)]
    assert hub.stats.queue(date(2026, 10, 1), date(2026, 10, 31), "site")["total"]["issued"] == 3


def test_a_pads_key_cannot_shadow_a_forwarded_rating(api, hub) -> None:
    """GIVEN a pad's rating whose key is a downstream rating's key WHEN that rating is
    forwarded THEN it is stored (created), not taken for the pad's (duplicate)."""
    from hub.api.models import ForwardedRatingIn

    kiosk, staff = api.device("k", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    api.issue(kiosk)
    for action in ("open", "call-next", "complete"):
        api.post(f"/counters/1/{action}", staff)
    assert api.post("/ratings", pad, json={"key": "other:rating:1", "level": "satisfied"}
                    ).status_code == 201  # fmt: skip
    at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    item = ForwardedRatingIn(key="other:rating:1", site="other", site_name="Xã khác",
                             level="unsatisfied", score=0.0, positive=False, at=at,
                             day=at.date())  # fmt: skip

    assert [r["status"] for r in receive_now(hub, [item, item])] == ["created", "duplicate"]
    with read(hub.engine) as conn:
        sites = sorted(conn.execute(select(ratings.c.site_id)).scalars())
    assert sites == ["demo", "other"]


def forwarded_item(key: str, ticket: str | None) -> dict[str, Any]:
    return {"key": key, "site": "other", "site_name": "Xã khác", "level": "satisfied",
            "score": 1, "positive": True, "at": "2026-11-27T02:00:00Z", "day": "2026-11-27",
            "counter": "7", "ticket": ticket}  # fmt: skip


def test_a_second_rating_of_a_forwarded_ticket_is_rejected_not_a_500(api, hub) -> None:
    """GIVEN a link WHEN it forwards two ratings of one ticket under different keys, in one
    batch and in a later one, beside other ratings THEN the first is created, each later one
    is rejected ``already_rated`` (the ticket's unique rating: an IntegrityError, a 500 that
    lost the whole batch), the others are stored, and one rating holds the ticket."""
    link = {"Authorization": f"Bearer {hub.devices.add_link('other')}"}
    first = api.post("/ratings/batch", link, json={"forwarded": [
        forwarded_item("other:r:1", "T1"), forwarded_item("other:r:2", "T1"),
        forwarded_item("other:r:3", "T2"), forwarded_item("other:r:4", None),
        forwarded_item("other:r:5", None)]})  # fmt: skip
    later = api.post("/ratings/batch", link, json={"forwarded": [
        forwarded_item("other:r:6", "T1"), forwarded_item("other:r:1", "T1")]})  # fmt: skip
    assert first.status_code == later.status_code == 200, (first.json, later.json)
    assert [(r["status"], r.get("code")) for r in first.json["results"]] == [
        ("created", None), ("rejected", "already_rated"), ("created", None),
        ("created", None), ("created", None)]  # fmt: skip
    assert [(r["status"], r.get("code")) for r in later.json["results"]] == [
        ("rejected", "already_rated"), ("duplicate", None)]  # fmt: skip
    with read(hub.engine) as conn:
        rows = conn.execute(select(ratings.c.key, ratings.c.ticket_id).order_by(ratings.c.key))
        assert [tuple(r) for r in rows] == [("other:r:1", "T1"), ("other:r:3", "T2"),
                                            ("other:r:4", None), ("other:r:5", None)]  # fmt: skip


@pytest.mark.parametrize("staff", [2**31, 2**63, 10**23])
def test_a_queue_day_with_a_staff_id_past_the_database_integers_is_400(api, hub, staff) -> None:
    """GIVEN a link WHEN it forwards a queue day whose row names a staff id past the
    databases' integers THEN 400 invalid_body (an OverflowError: a 500), nothing stored."""
    link = {"Authorization": f"Bearer {hub.devices.add_link('other')}"}
    row = {"counter": "7", "staff": staff, "service": "dat-dai", "issued": 1}
    day = {"key": "other:q:1", "site": "other", "site_name": "Xã khác", "day": "2026-11-26",
           "rows": [row]}  # fmt: skip
    r = api.post("/ratings/batch", link, json={"queue_days": [day]})
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_body"
    assert hub.stats.queue(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date(),
                           "site")["total"]["issued"] == 0  # fmt: skip
