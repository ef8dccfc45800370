"""Upgrades keep a centre's data: a database of the first release, with rows in it,
brought to the newest migration; and a database newer than the code is refused."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Boolean, Date, TextClause, bindparam, text

from config.paths import EXAMPLES
from config.schema import load_config
from hub.stats import StatsService
from hub.store.db import DatabaseTooNew, current_revision, make_test_engine, upgrade
from hub.store.tables import UTCDateTime

DAY = date(2026, 10, 5)
AT = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
LEVELS = {"very_satisfied": (2.0, True), "satisfied": (1.0, True), "unsatisfied": (0.0, False)}


TIMES = ("at", "issued", "called", "done_at")
DAYS = ("day", "done_day")


def sql(statement: str) -> TextClause:
    """Raw SQL of the first release, its times and days bound with the column types."""
    names = set(re.findall(r":(\w+)", statement))
    binds = [bindparam(n, type_=UTCDateTime()) for n in TIMES if n in names]
    binds += [bindparam(n, type_=Date()) for n in DAYS if n in names]
    binds += [bindparam("positive", type_=Boolean())] if "positive" in names else []
    return text(statement).bindparams(*binds)


def _first_release(engine) -> dict[str, int]:  # noqa: ANN001
    """Rows as the first release wrote them (raw SQL on its schema)."""
    upgrade(engine, "0001")
    tickets, ratings = 0, 0
    with engine.begin() as conn:
        conn.execute(sql(
            "INSERT INTO users (id, username, display_name, password_hash, role, active, "
            "created_at, password_changed_at, failed_logins) VALUES "
            "(1, 'canbo1', 'Nguyễn Thị Lan', 'x', 'staff', TRUE, :at, :at, 0), "
            "(2, 'quantri', NULL, 'x', 'admin', TRUE, :at, :at, 0)"), {"at": AT})  # fmt: skip
        conn.execute(sql(
            "INSERT INTO devices (id, name, kind, token_hash, created_at) VALUES "
            "(1, 'kiosk-sanh', 'kiosk', 'h1', :at), (2, 'pad-1', 'rating-pad', 'h2', :at)"),
            {"at": AT})  # fmt: skip
        for i in range(20):
            day = DAY + timedelta(days=i % 2)
            issued = AT + timedelta(days=i % 2, minutes=i)
            done = i < 16
            conn.execute(sql(
                "INSERT INTO tickets (id, site_id, service_id, origin_service_id, day, seq, "
                "number, is_priority, status, issued_at, called_at, completed_at, "
                "completed_day, counter_id, staff_id, device_id, channel, call_count, "
                "service_s, wait_s) VALUES (:id, 'demo', 'dat-dai', 'dat-dai', :day, :seq, "
                ":number, FALSE, :status, :issued, :called, :done_at, :done_day, :counter, "
                ":staff, 1, 'kiosk', 1, 240.0, 60.0)"), {
                "id": f"ticket{i:04d}", "day": day, "seq": 1001 + i, "number": str(1001 + i),
                "status": "done" if done else "cancelled", "issued": issued,
                "called": issued + timedelta(minutes=1) if done else None,
                "done_at": issued + timedelta(minutes=5), "done_day": day,
                "counter": "1" if done else None, "staff": 1 if done else None})  # fmt: skip
            conn.execute(sql(
                "INSERT INTO ticket_events (ticket_id, at, kind, from_status, to_status, actor) "
                "VALUES (:id, :at, 'issued', NULL, 'waiting', 'device:kiosk-sanh')"),
                {"id": f"ticket{i:04d}", "at": issued})  # fmt: skip
            tickets += 1
            if done and i % 3 != 2:
                level = ("very_satisfied", "satisfied", "unsatisfied")[i % 3]
                score, positive = LEVELS[level]
                conn.execute(sql(
                    "INSERT INTO ratings (key, site_id, ticket_id, counter_id, staff_id, "
                    "service_id, level, score, positive, at, day, received_at, channel, "
                    "device_id, flagged) VALUES (:key, 'demo', :ticket, '1', 1, 'dat-dai', "
                    ":level, :score, :positive, :at, :day, :at, 'pad', 2, FALSE)"), {
                    "key": f"pad-1.{i:06d}", "ticket": f"ticket{i:04d}", "level": level,
                    "score": score, "positive": positive,
                    "at": issued + timedelta(minutes=6), "day": day})  # fmt: skip
                conn.execute(sql(
                    "INSERT INTO rating_rollups (site_id, day, counter_id, staff_id, "
                    "service_id, level, flagged, n, score_sum) VALUES ('demo', :day, '1', 1, "
                    "'dat-dai', :level, FALSE, 1, :score) ON CONFLICT (site_id, day, counter_id, "
                    "staff_id, service_id, level, flagged) DO UPDATE SET n = rating_rollups.n "
                    "+ 1, score_sum = rating_rollups.score_sum + excluded.score_sum"),
                    {"day": day, "level": level, "score": score})  # fmt: skip
                ratings += 1
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, target, address) VALUES "
                "(:at, 'user:quantri', 'device_add', 'device:pad-1', '10.0.0.5')"
            ),
            {"at": AT},
        )
    return {"tickets": tickets, "ratings": ratings}


def test_a_first_release_database_upgrades_with_its_data(database) -> None:
    """GIVEN a database at the first migration holding users, devices, two days of
    tickets, their events, ratings and their rollups, and an audit row WHEN brought to the
    newest migration THEN every row is there unchanged, and the satisfaction figures read
    through the new rollups equal the raw ratings."""
    engine = make_test_engine(database.url)
    made = _first_release(engine)
    upgrade(engine)
    assert current_revision(engine) not in (None, "0001")
    with engine.connect() as conn:
        count = {t: conn.execute(sql(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                 for t in ("users", "devices", "tickets", "ticket_events", "ratings",
                           "audit_log")}  # fmt: skip
        numbers = [r[0] for r in conn.execute(sql("SELECT number FROM tickets ORDER BY seq"))]
        names = conn.execute(sql("SELECT display_name FROM users WHERE id = 1")).scalar_one()
        raw = dict(conn.execute(sql("SELECT level, COUNT(*) FROM ratings GROUP BY level")).all())
    assert count == {"users": 2, "devices": 2, "tickets": made["tickets"],
                     "ticket_events": made["tickets"], "ratings": made["ratings"],
                     "audit_log": 1}  # fmt: skip
    assert numbers == [str(1001 + i) for i in range(20)]
    assert names == "Nguyễn Thị Lan"
    stats = StatsService(engine, load_config(EXAMPLES / "demo.toml"))
    body = stats.satisfaction(date(2026, 10, 1), date(2026, 10, 31), "counter")
    assert body["total"]["counts"] == {lv: raw.get(lv, 0) for lv in LEVELS}
    assert body["total"]["total"] == made["ratings"]
    engine.dispose()


def test_a_database_newer_than_the_code_is_refused(database) -> None:
    """GIVEN a database stamped with a migration this code does not know WHEN the hub
    opens it THEN it is refused with one message naming both versions, and untouched."""
    engine = make_test_engine(database.url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sql("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseTooNew, match=r"9999_future.*0\d{3}"):
        upgrade(engine)
    assert current_revision(engine) == "9999_future"
    engine.dispose()


def test_the_command_line_says_so_in_one_line(tmp_path: Path) -> None:
    """GIVEN such a database WHEN any command opens it THEN exit 2 and one line, no
    traceback."""
    engine = make_test_engine(f"sqlite:///{tmp_path / 'motcua.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sql("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "--config", str(EXAMPLES / "demo.toml"),
         "user", "add", "canbo9", "--role", "staff", "--password-stdin"],
        input="mot-mat-khau-dai-2026\n", capture_output=True, text=True, timeout=60,
        env={"MOTCUA_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "9999_future" in done.stderr
    assert "Traceback" not in done.stderr
