"""Statistics against hand-computed tables, grouped in the site's timezone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from config.reports import ReportSettings


@pytest.fixture
def demo_config(demo_config):
    """These tests group by calendar months: the cut-off on the 1st (the cut-off on the
    15th, the default, is tested in test_report_periods.py)."""
    return dataclasses.replace(demo_config, reports=ReportSettings(period_cutoff_day=1))


def serve_and_rate(api, clock, name, kiosk, pad, counter, level, when) -> None:
    clock.set(when)
    staff = api.user(name)  # log in again: tokens expire after 12 h
    api.issue(kiosk)
    api.post(f"/counters/{counter}/open", staff)
    api.post(f"/counters/{counter}/call-next", staff)
    clock.advance(300)
    api.post(f"/counters/{counter}/complete", staff)
    if level:
        key = f"k-{counter}-{when.timestamp():.0f}"
        r = api.post("/ratings", pad, json={"key": key, "level": level})
        assert r.status_code == 201, r.json


@pytest.fixture
def rated(api, clock):
    """Four served tickets at counter 1 and counter 3, three rated, across a local midnight."""
    kiosk = api.device("k1", "kiosk")
    lan, minh = "lan", "minh"
    pad1, pad3 = api.device("pad1", "rating-pad", "1"), api.device("pad3", "rating-pad", "3")
    # 30 Nov 2026 23:00 local = 16:00 UTC; 1 Dec 00:10 local = 30 Nov 17:10 UTC.
    serve_and_rate(
        api,
        clock,
        lan,
        kiosk,
        pad1,
        "1",
        "very_satisfied",
        datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
    )
    serve_and_rate(
        api, clock, lan, kiosk, pad1, "1", "unsatisfied", datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    )
    serve_and_rate(
        api, clock, minh, kiosk, pad3, "3", "satisfied", datetime(2026, 11, 30, 17, 10, tzinfo=UTC)
    )
    serve_and_rate(api, clock, minh, kiosk, pad3, "3", None,
                   datetime(2026, 11, 30, 17, 30, tzinfo=UTC))  # fmt: skip
    return api.user("sep", "manager")


def stats(api, manager, by, start="2026-11-01", end="2026-12-31", kind="satisfaction"):
    r = api.get(f"/stats/{kind}?from={start}&to={end}&by={by}", manager)
    assert r.status_code == 200, r.json
    return r.json


def test_by_counter(api, rated) -> None:
    body = stats(api, rated, "counter")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["1"]["label"] == "Quầy 1"
    assert rows["1"]["counts"] == {"very_satisfied": 1, "satisfied": 0, "unsatisfied": 1}
    assert rows["1"]["satisfaction_rate"] == 0.5 and rows["1"]["mean_score"] == 1.0
    assert rows["1"]["served"] == 2 and rows["1"]["coverage"] == 1.0
    assert rows["3"]["total"] == 1 and rows["3"]["served"] == 2 and rows["3"]["coverage"] == 0.5
    total = body["total"]
    assert total["total"] == 3 and total["served"] == 4
    assert total["satisfaction_rate"] == round(2 / 3, 4) and total["mean_score"] == 1.0


def test_by_day_respects_local_midnight(api, rated) -> None:
    body = stats(api, rated, "day")
    days = {r["key"]: r["total"] for r in body["rows"]}
    # the 16:00 UTC press is 23:05 local on the 30th; the 17:10 UTC one is 1 December.
    assert days == {"2026-11-30": 2, "2026-12-01": 1}
    labels = [r["label"] for r in body["rows"]]
    assert labels == ["30/11/2026", "01/12/2026"]


def test_by_month_quarter_year_site_staff(api, rated) -> None:
    months = {r["key"]: r["total"] for r in stats(api, rated, "month")["rows"]}
    assert months == {"2026-11": 2, "2026-12": 1}
    quarters = stats(api, rated, "quarter")["rows"]
    assert [(q["key"], q["label"], q["total"]) for q in quarters] == [
        ("2026-Q4", "Quý IV/2026", 3)]  # fmt: skip
    assert [r["total"] for r in stats(api, rated, "year")["rows"]] == [3]
    site = stats(api, rated, "site")["rows"]
    assert site[0]["key"] == "demo" and site[0]["served"] == 4
    staff = {r["label"]: r for r in stats(api, rated, "staff")["rows"]}
    assert staff["Lan"]["total"] == 2 and staff["Minh"]["total"] == 1


def test_empty_period_has_null_rates(api, rated) -> None:
    body = stats(api, rated, "counter", "2025-01-01", "2025-01-31")
    assert body["rows"] == []
    assert body["total"]["satisfaction_rate"] is None and body["total"]["mean_score"] is None
    assert body["total"]["coverage"] is None


def test_queue_stats(api, rated) -> None:
    body = stats(api, rated, "counter", kind="queue")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["1"]["issued"] == 2 and rows["1"]["served"] == 2
    assert rows["1"]["avg_service_s"] == pytest.approx(300, abs=1)
    assert body["total"]["issued"] == 4 and body["total"]["no_show"] == 0


@pytest.mark.parametrize(
    "query",
    ["from=2026-01-01&to=2025-01-01&by=day", "from=2026-01-01&to=2026-02-01&by=week",
     "from=x&to=2026-01-01", "from=2026-01-01", "from=2020-01-01&to=2026-01-01",
     "from=2026-01-01&to=2026-01-02&from=2026-01-01", "from=2026-01-01&to=2026-01-02&evil=1"],
)  # fmt: skip
def test_bad_queries_are_400(api, query) -> None:
    manager = api.user("sep", "manager")
    r = api.get(f"/stats/satisfaction?{query}", manager)
    assert r.status_code == 400 and r.json["error"]["code"] in ("invalid_query", "invalid_range",
                                                                "invalid_grouping")  # fmt: skip


def test_partial_months_fold_daily_edges(api, rated) -> None:
    """GIVEN ratings at 23:00 local on 30 Nov and 00:10 local on 1 Dec WHEN the range cuts
    both months (daily rollups at the edges) THEN each lands in its local month."""
    months = {r["key"]: r["total"] for r in stats(api, rated, "month", "2026-11-30",
                                                   "2026-12-01")["rows"]}  # fmt: skip
    assert months == {"2026-11": 2, "2026-12": 1}
    assert stats(api, rated, "counter", "2026-12-01", "2026-12-01")["total"]["total"] == 1
    assert stats(api, rated, "counter", "2026-11-01", "2026-11-29")["total"]["total"] == 0


def test_rollups_match_a_plain_group_by_on_the_raw_ratings(api, hub, rated) -> None:
    """GIVEN the stored ratings WHEN the rollup-backed figures are compared with a GROUP BY on
    the raw table for several ranges THEN they are equal."""
    from sqlalchemy import func, select

    from hub.store.db import read
    from hub.store.tables import ratings

    for start, end in (("2026-11-01", "2026-12-31"), ("2026-11-30", "2026-11-30"),
                       ("2026-11-15", "2026-12-15"), ("2026-12-01", "2027-01-31")):  # fmt: skip
        body = stats(api, rated, "counter", start, end)
        with read(hub.engine) as conn:
            raw = conn.execute(
                select(ratings.c.counter_id, ratings.c.level, func.count())
                .where(ratings.c.day.between(date.fromisoformat(start), date.fromisoformat(end)))
                .group_by(ratings.c.counter_id, ratings.c.level)
            ).all()
        expected: dict[str, dict[str, int]] = {}
        for counter, level, n in raw:
            expected.setdefault(counter, {"very_satisfied": 0, "satisfied": 0,
                                          "unsatisfied": 0})[level] = n  # fmt: skip
        assert {r["key"]: r["counts"] for r in body["rows"] if r["total"]} == expected


def test_rolled_days_give_the_same_figures(api, hub, rated, clock) -> None:
    """GIVEN figures computed live from tickets WHEN the closed days are rolled into
    ``queue_daily`` THEN satisfaction (served, coverage) and queue figures are unchanged, and
    a second roll does nothing."""
    from datetime import UTC, datetime

    from hub.stats import roll_queue_days

    before = [stats(api, rated, by) for by in ("counter", "day", "staff")]
    before_q = [stats(api, rated, by, kind="queue") for by in ("counter", "service", "day")]
    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    assert roll_queue_days(hub.engine, hub.config, now) == 2  # 30 Nov and 1 Dec
    assert roll_queue_days(hub.engine, hub.config, now) == 0
    clock.set(now)
    manager = api.user("sep2", "manager")
    assert [stats(api, manager, by) for by in ("counter", "day", "staff")] == before
    assert [stats(api, manager, by, kind="queue") for by in ("counter", "service", "day")
            ] == before_q  # fmt: skip


def test_staff_see_only_their_own_day_when_allowed(api, hub, clock) -> None:
    """GIVEN ``ratings.staff_see_own`` off THEN a staff member gets 403; WHEN it is on THEN
    they get their own aggregate for today, never another's, and never single ratings."""
    import dataclasses

    kiosk, pad = api.device("k1", "kiosk"), api.device("pad1", "rating-pad", "1")
    lan = api.user("lan")
    serve_and_rate(api, clock, "lan", kiosk, pad, "1", "satisfied", clock())
    lan = api.user("lan")
    r = api.get("/me/satisfaction-today", lan)
    assert r.status_code == 403 and r.json["error"]["code"] == "staff_view_disabled"
    config = hub.config
    hub.reconfigure(dataclasses.replace(
        config, ratings=dataclasses.replace(config.ratings, staff_see_own=True)))  # fmt: skip
    mine = api.get("/me/satisfaction-today", lan).json
    assert mine["total"] == 1 and mine["counts"]["satisfied"] == 1 and mine["served"] == 1
    assert mine["coverage"] == 1.0 and "rows" not in mine
    other = api.get("/me/satisfaction-today", api.user("minh")).json
    assert other["total"] == 0 and other["satisfaction_rate"] is None
    assert api.get("/me/satisfaction-today", api.user("sep", "manager")).status_code == 403
    assert api.get("/stats/satisfaction?from=2026-11-01&to=2026-11-30", lan).status_code == 403


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01"), ("1999-12-01", "2000-01-31"),
     ("2099-12-01", "2100-01-31")],
)  # fmt: skip
@pytest.mark.parametrize("kind", ["satisfaction", "queue"])
def test_days_outside_2000_to_2099_are_400(api, start, end, kind) -> None:
    """GIVEN a manager WHEN asking for figures of days at the ends of the calendar
    THEN 400 invalid_range (the month arithmetic overflowed: a 500)."""
    manager = api.user("sep", "manager")
    r = api.get(f"/stats/{kind}?from={start}&to={end}", manager)
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_range"
