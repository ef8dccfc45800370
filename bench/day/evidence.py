"""What the checks read once the day is over: the driver's record, the screens' and
pads' log, the hub's raw rows, its reports (API and ``motcua report``) and its log."""

from __future__ import annotations

import csv
import io
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.day.state import Day
from bench.day.wire import Answer, Connection
from bench.servers import Deployment, motcua_command

TABLES = ("tickets", "calls", "call_acks", "rating_presses", "ratings", "users", "devices")
QUEUE_BY = ("counter", "service")
SATISFACTION_BY = ("counter", "staff", "service")


@dataclass
class Rules:
    """The configuration the checks apply (as the hub read it)."""

    window_s: float
    burst_count: int
    burst_window_s: float
    levels: dict[str, tuple[float, bool]]
    """level → (score, positive)."""
    counter_names: dict[str, str]
    screens: dict[str, list[str] | None]
    """display device → the counters it shows (None: all)."""


@dataclass
class Evidence:
    day: Day
    rules: Rules
    site_day: date
    sockets: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    """``queue/counter``, ``satisfaction/staff``, ``satisfaction/counter/flagged``…"""
    csv: dict[str, list[list[str]]] = field(default_factory=dict)
    """``queue`` and ``satisfaction`` by counter, as ``motcua report`` wrote them."""
    heartbeats: list[tuple[str, Answer]] = field(default_factory=list)
    log: str = ""


def read_rows(database_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row the checks need, read straight from the hub's database."""
    from sqlalchemy import select

    from hub.store import tables
    from hub.store.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                name: [dict(r._mapping) for r in conn.execute(select(getattr(tables, name)))]
                for name in TABLES
            }
    finally:
        engine.dispose()


async def fetch_stats(conn: Connection, day: date) -> dict[str, Any]:
    """The hub's figures of the day, as a manager reads them (``/stats/…``)."""
    span = f"from={day.isoformat()}&to={day.isoformat()}"
    out = {}
    for by in QUEUE_BY:
        out[f"queue/{by}"] = (
            await conn.request("stats", "GET", f"/stats/queue?{span}&by={by}")
        ).data
    for by in SATISFACTION_BY:
        path = f"/stats/satisfaction?{span}&by={by}"
        out[f"satisfaction/{by}"] = (await conn.request("stats", "GET", path)).data
    path = f"/stats/satisfaction?{span}&by=counter&include_flagged=true"
    out["satisfaction/counter/flagged"] = (await conn.request("stats", "GET", path)).data
    return out


def cli_reports(dep: Deployment, day: date) -> dict[str, list[list[str]]]:
    """``motcua report KIND --by counter --format csv``, run as a manager would."""
    out = {}
    for kind in ("queue", "satisfaction"):
        path = dep.folder / f"{kind}.csv"
        command = [*motcua_command(), "--config", str(dep.config), "report", kind]
        command += ["--from", day.isoformat(), "--to", day.isoformat(), "--by", "counter"]
        command += ["--format", "csv", "--out", str(path)]
        done = subprocess.run(
            command, env=dep.env, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"motcua report {kind} failed: {done.stderr[-2000:]}")
        out[kind] = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    return out
