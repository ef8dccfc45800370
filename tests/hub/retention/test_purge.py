"""``purge``: personal data older than a day is erased; every figure stays the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from config.hub import Retention
from hub.background import hub_jobs
from hub.reports import build_csv
from hub.retention import purge_personal
from hub.stats import GROUPINGS
from hub.store.db import read
from hub.store.tables import (
    audit_log,
    calls,
    login_failures,
    outbox,
    rating_presses,
    ratings,
    ticket_dossiers,
    ticket_events,
    tickets,
)

MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
CUT = date(2026, 11, 19)


def _count(hub, table, *where) -> int:  # noqa: ANN001
    with read(hub.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _busy_days(api, clock) -> None:  # noqa: ANN001
    """Five days: tickets called and completed (with a dossier code) at two counters, pad
    and QR ratings, a no-show, a cancel, a failed login."""
    kiosk = api.device("k1", "kiosk")
    staff = {"1": api.user("canbo1"), "3": api.user("canbo2")}
    pad = api.device("pad1", "rating-pad", "1")
    for d in range(5):
        clock.set(MONDAY + timedelta(days=d))
        for counter, headers in staff.items():
            api.post(f"/counters/{counter}/open", headers)
        held = [api.issue(kiosk, "dat-dai") for _ in range(6)]
        api.post("/tickets/" + api.issue(kiosk, "tu-phap")["id"] + "/cancel", kiosk)
        for i in range(5):
            clock.advance(120)
            counter = "1" if i % 2 == 0 else "3"
            api.post(f"/counters/{counter}/call-next", staff[counter])
            clock.advance(240)
            if i == 3:
                api.post(f"/counters/{counter}/no-show", staff[counter])
                continue
            dossier = f"000.00.12.H56-2611{16 + d:02d}-{i:04d}"
            api.post(f"/counters/{counter}/complete", staff[counter], json={"dossiers": [dossier]})
            if counter == "1":
                clock.advance(5)
                level = ("very_satisfied", "satisfied", "unsatisfied")[(d + i) % 3]
                api.post("/ratings", pad, json={"key": f"pad1-{d}-{i:04d}", "level": level})
        clock.advance(60)
        api.post(f"/tickets/{held[2]['id']}/rating", json={"level": "satisfied"})
        api.post(f"/tickets/{held[2]['id']}/comment", json={"comment": f"Chị Lan, ngày {d}"})
        api.post("/auth/login", json={"username": "canbo1", "password": "sai-mat-khau-99"})
        for counter, headers in staff.items():
            api.post(f"/counters/{counter}/close", headers)


def _figures(hub) -> list[object]:  # noqa: ANN001
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    out: list[object] = []
    for by in GROUPINGS:
        out.append(hub.stats.satisfaction(start, end, by))
        out.append(hub.stats.queue(start, end, by))
    for kind in ("satisfaction", "queue"):
        out.append(build_csv(hub.stats, kind, start, end, "counter"))
    return out


def test_purge_erases_personal_data_and_keeps_every_figure(api, hub, clock) -> None:
    """GIVEN five days of tickets (with dossier codes), calls, pad and QR ratings with
    comments and a failed login WHEN the data before the fourth day is purged THEN those
    days' tickets (and their QR ids), events, calls, dossier codes, rated dossiers waiting
    for the [export] webhook, raw presses, comments and failed logins are gone, ratings
    lose their ticket, the later days are untouched, an audit row says what went, and
    every satisfaction and queue figure, by every grouping, and the CSV reports read
    exactly as before."""
    _busy_days(api, clock)
    clock.set(MONDAY + timedelta(days=8))
    hub.tickets.expire_past_days()  # the background's minute job, as in a running hub
    before = _figures(hub)
    old = [r[0] for r in _rows(hub, tickets.c.id, tickets.c.day < CUT)]
    assert old and _count(hub, rating_presses) > 0
    assert _count(hub, ratings, ratings.c.comment.is_not(None), ratings.c.day < CUT) == 3
    old_dossiers = _count(hub, ticket_dossiers, ticket_dossiers.c.ticket_id.in_(old))
    assert old_dossiers > 0
    _waiting_export(hub, MONDAY + timedelta(days=1))
    _waiting_export(hub, MONDAY + timedelta(days=4))

    report = purge_personal(hub.engine, hub.config, CUT, clock(), hub.audit, "test")

    assert report.tickets == len(old) and report.rating_presses > 0
    assert report.dossiers == old_dossiers and report.dossier_exports == 1
    assert _count(hub, ticket_dossiers, ticket_dossiers.c.ticket_id.in_(old)) == 0
    assert _count(hub, ticket_dossiers) > 0  # the later days' stay
    assert _count(hub, outbox, outbox.c.topic == "export") == 1
    assert _count(hub, tickets, tickets.c.day < CUT) == 0
    assert _count(hub, tickets, tickets.c.day >= CUT) > 0
    assert _count(hub, ticket_events, ticket_events.c.ticket_id.in_(old)) == 0
    assert _count(hub, calls, calls.c.ticket_id.in_(old)) == 0
    assert _count(hub, ratings, ratings.c.ticket_id.in_(old)) == 0
    assert _count(hub, ratings, ratings.c.day < CUT) > 0  # the ratings themselves stay
    assert report.comments == 3
    assert _count(hub, ratings, ratings.c.comment.is_not(None), ratings.c.day < CUT) == 0
    assert _count(hub, ratings, ratings.c.comment.is_not(None)) == 2  # later days keep theirs
    assert _count(hub, rating_presses, rating_presses.c.at < _start(CUT)) == 0
    assert _count(hub, login_failures, login_failures.c.at < _start(CUT)) == 0
    assert _count(hub, audit_log, audit_log.c.action == "purge") == 1
    assert api.client.get(f"/t/{old[0]}").status_code == 404
    assert _figures(hub) == before


def test_purge_refuses_a_day_in_the_future(hub, clock) -> None:
    import pytest

    with pytest.raises(ValueError, match="after today"):
        purge_personal(hub.engine, hub.config, date(2030, 1, 1), clock(), hub.audit, "test")


def _waiting_export(hub, at: datetime) -> None:  # noqa: ANN001
    """A rated dossier queued at ``at`` for a webhook that has not answered yet."""
    from hub.outbox import EXPORT, enqueue
    from hub.store.db import write

    with write(hub.engine) as conn:
        enqueue(conn, EXPORT, f"x:dossier:{at.isoformat()}", {"dossier": "000.00.12.H56"}, at)


def _rows(hub, column, *where):  # noqa: ANN001, ANN202
    with read(hub.engine) as conn:
        return list(conn.execute(select(column).where(*where)))


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=7)


def test_the_command_prints_what_it_erased(tmp_path) -> None:  # noqa: ANN001
    """GIVEN an empty centre WHEN `motcua purge --before` runs THEN it prints each kind
    and its count; a malformed date is one line and exit 2."""
    import subprocess
    import sys

    from config.paths import EXAMPLES

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub.cli", "--config", str(EXAMPLES / "demo.toml"), *args],
            capture_output=True, text=True, timeout=60,
            env={"MOTCUA_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip

    done = run("purge", "--before", "2026-01-01")
    assert done.returncode == 0, done.stderr
    assert "tickets: 0" in done.stdout and "rating presses: 0" in done.stdout
    bad = run("purge", "--before", "01/01/2026")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_the_background_purges_past_keep_personal_days_by_itself(api, hub, clock) -> None:  # noqa: ANN001
    """GIVEN five busy days WHEN the background's retention job runs without
    ``[retention] keep_personal_days`` THEN nothing is erased; WHEN it runs with 7 days,
    a week after the third day THEN the days before it are erased, the later ones kept,
    and the audit names the system as the actor."""
    _busy_days(api, clock)
    clock.set(MONDAY + timedelta(days=10))  # CUT + 7 days, 09:00 in Hà Nội
    hub.tickets.expire_past_days()
    (job,) = [j for j in hub_jobs(hub) if j.name == "retention"]

    job.run()
    assert _count(hub, tickets, tickets.c.day < CUT) > 0

    hub.config = replace(hub.config, retention=Retention(keep_personal_days=7))
    job.run()
    assert _count(hub, tickets, tickets.c.day < CUT) == 0
    assert _count(hub, tickets, tickets.c.day >= CUT) > 0
    [(actor,)] = _rows(hub, audit_log.c.actor, audit_log.c.action == "purge")
    assert actor == "system"
