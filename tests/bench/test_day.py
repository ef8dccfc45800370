"""The simulated day, short profile (150 citizens, 5 counters, 5 screens, 5 pads), against
``motcua serve`` on 127.0.0.1: every invariant holds, and each check catches the fault
it is there for (the day's evidence, tampered with, fails it)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bench.day import main
from bench.day.checks import Check, flow_checks
from bench.day.evidence import Evidence
from bench.day.report_checks import report_checks
from bench.day.run import DayRun

pytestmark = [pytest.mark.slow, pytest.mark.timeout(280)]

INVARIANTS = {"requests", "tickets", "states", "calls", "screens", "pads", "presses", "flags",
              "reports", "csv"}  # fmt: skip


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, DayRun, Path]:
    output = tmp_path_factory.mktemp("day") / "day_short.json"
    runs: list[DayRun] = []
    code = main(["--profile", "short", "--progress", "20", "--output", str(output)], keep=runs)
    return code, runs[0], output


def checks_of(ev: Evidence) -> dict[str, Check]:
    return {c.name: c for c in flow_checks(ev) + report_checks(ev)}


def test_a_short_day_keeps_every_invariant(day: tuple[int, DayRun, Path]) -> None:
    """GIVEN the short day against the shipped server on SQLite WHEN it ends THEN main exits
    0, the results file lists every invariant as kept, and the day held what it should."""
    code, run, output = day
    result = json.loads(output.read_text(encoding="utf-8"))
    failed = [i for i in result["invariants"] if not i["ok"]]
    assert code == 0, failed
    assert {i["name"] for i in result["invariants"]} == INVARIANTS
    assert all(i["checked"] > 0 for i in result["invariants"])
    happened = result["happened"]
    assert happened["tickets"] == 150
    assert happened["done"] + happened["no_show"] + happened["cancelled"] == 150
    assert happened["presses"]["linked"] > 0 and happened["presses"]["no_ticket"] >= 1
    assert happened["flagged_ratings"] >= 1
    for op in ("issue", "call_next", "complete", "press", "screen_call", "ack"):
        assert result["operations"][op]["p99_ms"] is not None
    assert result["memory"]["end_mb"] > 0


def rows_with(ev: Evidence, table: str, rows: list[dict[str, Any]]) -> Evidence:
    return replace(ev, rows={**ev.rows, table: rows})


def first(rows: list[dict[str, Any]], **match: Any) -> int:
    return next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))


def test_a_lost_ticket_fails_the_tickets_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    assert not checks_of(rows_with(ev, "tickets", ev.rows["tickets"][:-1]))["tickets"].ok


def test_a_number_issued_twice_fails_the_tickets_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    rows = [dict(r) for r in ev.rows["tickets"]]
    one = rows[0]
    other = first(rows, origin_service_id=one["origin_service_id"], seq=one["seq"] + 1)
    rows[other]["number"] = one["number"]
    problems = checks_of(rows_with(ev, "tickets", rows))["tickets"].problems
    assert any("issued 2 times" in p for p in problems)


def test_a_ticket_done_elsewhere_fails_the_states_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    rows = [dict(r) for r in ev.rows["tickets"]]
    rows[first(rows, status="done")]["counter_id"] = "no-such-counter"
    assert not checks_of(rows_with(ev, "tickets", rows))["states"].ok


def test_a_call_no_screen_acknowledged_fails_the_screens_check(
    day: tuple[int, DayRun, Path],
) -> None:
    ev = day[1].evidence
    sockets = {**ev.sockets, "acks": ev.sockets["acks"][1:]}
    assert not checks_of(replace(ev, sockets=sockets))["screens"].ok


def test_a_press_stored_otherwise_fails_the_presses_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    rows = [dict(r) for r in ev.rows["rating_presses"]]
    rows[first(rows, outcome="created")].update(outcome="rejected", code="no_ticket")
    assert not checks_of(rows_with(ev, "rating_presses", rows))["presses"].ok


def test_an_unflagged_burst_fails_the_flags_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    rows = [dict(r) for r in ev.rows["ratings"]]
    rows[first(rows, flagged=True)]["flagged"] = False
    assert not checks_of(rows_with(ev, "ratings", rows))["flags"].ok


def test_a_report_off_by_one_fails_the_reports_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    answer = json.loads(json.dumps(ev.stats["queue/service"]))
    answer["total"]["issued"] += 1
    stats = {**ev.stats, "queue/service": answer}
    assert not checks_of(replace(ev, stats=stats))["reports"].ok


def test_a_csv_off_by_one_fails_the_csv_check(day: tuple[int, DayRun, Path]) -> None:
    ev = day[1].evidence
    queue = [list(r) for r in ev.csv["queue"]]
    queue[1][2] = str(int(queue[1][2]) + 1)
    assert not checks_of(replace(ev, csv={**ev.csv, "queue": queue}))["csv"].ok


@pytest.mark.postgres
def test_a_short_day_on_postgresql_keeps_every_invariant(tmp_path: Path) -> None:
    """GIVEN the short day on PostgreSQL WHEN it ends THEN every invariant holds."""
    if not os.environ.get("MOTCUA_TEST_POSTGRES_URL"):
        pytest.skip("MOTCUA_TEST_POSTGRES_URL is not set")
    output = tmp_path / "day_pg.json"
    argv = ["--profile", "short", "--db", "postgres", "--progress", "20", "--output", str(output)]
    code = main(argv)
    failed = [i for i in json.loads(output.read_text())["invariants"] if not i["ok"]]
    assert code == 0, failed
