"""One simulated day against ``motcua serve``: set up, run, settle, gather, check."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.day import actors
from bench.day.checks import Check, flow_checks
from bench.day.evidence import Evidence, Rules, cli_reports, fetch_stats, read_rows
from bench.day.figures import happened, operations, progress_line, screen_latencies, summary_lines
from bench.day.fleet import SocketFleet
from bench.day.plan import make_plan
from bench.day.profile import PROFILES, Layout, Profile, layout, site_config, site_timezone
from bench.day.report_checks import report_checks
from bench.day.state import Day
from bench.day.wire import Connection, Pool, Recorder
from bench.servers import (
    POSTGRES_ENV,
    REDIS_ENV,
    Deployment,
    Server,
    deployment,
    environment,
    latency_summary,
    seed,
    tree_rss_kb,
    write_result,
)

MANAGER = "quanly"
SETTLE_S = 60.0


def rss_mb(server: Server) -> float:
    assert server.proc is not None
    return round(sum(tree_rss_kb(server.proc.pid).values()) / 1024, 1)


def rules_of(dep: Deployment, site: Layout) -> Rules:
    from config.schema import load_config

    config = load_config(dep.config)
    flags = config.alerts.flags
    return Rules(
        window_s=config.ratings.window_s,
        burst_count=flags.burst_count,
        burst_window_s=flags.burst_window_s,
        levels={lv.id: (lv.score, lv.positive) for lv in config.ratings.levels},
        counter_names={c.id: c.name for c in config.counters},
        screens={
            name: None if shows is None else list(shows) for name, shows in site.screens.items()
        },
    )


async def settle(fleet: SocketFleet, day: Day) -> dict[str, int]:
    """Wait (bounded) until the screens have every call, every ack is answered and the
    pads have heard of every completion."""
    deadline = time.monotonic() + SETTLE_S
    screens = len(day.site.screens)
    while True:
        counts = await fleet.counts()
        done = (
            counts["receipts"] >= len(day.calls) * screens
            and counts["acks_answered"] == counts["acks_sent"]
            and counts["rating_open"] >= day.tally()["done"]
        )
        if done or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.2)


async def progress(
    day: Day, fleet: SocketFleet, server: Server, every_s: float, peak: list[float]
) -> None:
    while True:
        await asyncio.sleep(every_s)
        mb = rss_mb(server)
        peak[0] = max(peak[0], mb)
        print(progress_line(day, await fleet.counts(), mb), flush=True)


async def heartbeats(site: Layout, day: Day, port: int, tokens: dict[str, str]) -> list[Any]:
    """Each screen's display device reports in once, as the display agent does."""
    out = []
    for name in site.screens:
        conn = Connection(port, day.recorder, tokens[name])
        body = {"version": "bench-day", "status": {"screen": name}}
        answer = await conn.request("heartbeat", "POST", "/devices/heartbeat", body, expect=(204,))
        out.append((name, answer))
        await conn.aclose()
    return out


async def live_day(
    server: Server,
    day: Day,
    tokens: dict[str, str],
    passwords: dict[str, str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Connect the screens and pads, run the day, settle, read the hub's figures."""
    site, recorder, port = day.site, day.recorder, server.port
    pads = {f"pad-quay-{c}": c for c in site.counters}
    screens = {
        n: {"shows": None if s is None else list(s), "token": tokens[n]}
        for n, s in site.screens.items()
    }
    fleet = await SocketFleet().start(port, screens, {name: tokens[name] for name in pads})
    day.phones = Pool(port, recorder, 4)
    for name, counter in pads.items():
        day.pads[counter] = actors.Pad(day, Connection(port, recorder, tokens[name]), name, counter)
    kiosks = [
        Connection(port, recorder, tokens[f"kiosk-{k + 1}"]) for k in range(day.profile.kiosks)
    ]
    officers = [
        actors.Officer(day, Connection(port, recorder), c, passwords[site.staff[c][0]])
        for c in site.counters
    ]
    manager = Connection(port, recorder)
    opened = [
        day.phones,
        manager,
        *kiosks,
        *(o.conn for o in officers),
        *(p.conn for p in day.pads.values()),
    ]
    try:
        beats = await heartbeats(site, day, port, tokens)
        await asyncio.gather(*(o.prepare() for o in officers))
        meter = server.meter(fleet.cpu)
        peak = [rss_mb(server)]
        memory = {"start_mb": peak[0]}
        meter.start()
        day.start()
        ticker = asyncio.create_task(progress(day, fleet, server, args.progress, peak))
        await asyncio.gather(
            *(actors.kiosk(day, conn, k) for k, conn in enumerate(kiosks)),
            *(o.run() for o in officers),
            *(day.pads[c].stray(t) for c, t in day.plan.stray),
        )
        while day.tasks:
            await asyncio.gather(*list(day.tasks))
        wall = time.monotonic() - day.t0
        ticker.cancel()
        usage = meter.stop()
        memory["end_mb"] = rss_mb(server)
        memory["growth_mb"] = round(memory["end_mb"] - memory["start_mb"], 1)
        memory["peak_mb"] = max(peak[0], memory["end_mb"])
        counts = await settle(fleet, day)
        print(progress_line(day, counts, memory["end_mb"]), flush=True)
        sockets = await fleet.dump()
        login = {"username": MANAGER, "password": passwords[MANAGER]}
        manager.token = (await manager.request("login", "POST", "/auth/login", login)).data["token"]
        stats = await fetch_stats(manager, args.site_day)
    finally:
        await fleet.close()
        await asyncio.gather(*(c.aclose() for c in opened))
    figures = {
        "wall_s": round(wall, 1),
        "usage": usage,
        "memory": memory,
        "max_lag_min": round(day.max_lag_s / 60, 1),
        "hub_cpu_ms_per_citizen": round(
            usage["cpu_s"]["server"] * 1000 / len(day.plan.citizens), 1
        ),
        "socket_errors": fleet.errors[:20],
    }
    return {"figures": figures, "sockets": sockets, "heartbeats": beats, "stats": stats}


@dataclass
class DayRun:
    """A finished day: its figures, what the checks read, and the checks."""

    result: dict[str, Any]
    evidence: Evidence
    checks: list[Check]


async def run_day(profile: Profile, args: argparse.Namespace) -> DayRun:
    site = layout(profile)
    plan = make_plan(profile, site)
    tz = site_timezone(datetime.now(UTC))
    passwords = {user: f"Ngay-{secrets.token_hex(6)}" for user, _name in site.staff.values()}
    passwords[MANAGER] = f"Ql-{secrets.token_hex(6)}"
    kiosk_names = tuple(f"kiosk-{k + 1}" for k in range(profile.kiosks))
    with deployment(args.db, site_config(profile, site, tz), postgres_url=args.postgres_url,
                    redis_url=args.redis_url) as dep:  # fmt: skip
        tokens = seed(
            dep,
            staff={u: passwords[u] for u, _n in site.staff.values()},
            managers={MANAGER: passwords[MANAGER]},
            display_names={u: n for u, n in site.staff.values()} | {MANAGER: "Trần Quản Lý"},
            devices=kiosk_names,
            displays=tuple(site.screens),
            pads={f"pad-quay-{c}": c for c in site.counters},
        )
        with Server("shipped", dep, args.workers) as server:
            day = Day(profile, site, plan, Recorder())
            site_day = args.site_day = datetime.now(ZoneInfo(tz)).date()
            live = await live_day(server, day, tokens, passwords, args)
            ev = Evidence(day, rules_of(dep, site), site_day, sockets=live["sockets"])
            ev.stats, ev.heartbeats = live["stats"], live["heartbeats"]
            ev.csv = cli_reports(dep, site_day)
            ev.rows = read_rows(dep.database_url)
            label = server.label
        ev.log = server.log_tail(10_000_000)
    checks = flow_checks(ev) + report_checks(ev)
    each, to_all = screen_latencies(day, ev.sockets)
    ops = operations(day)
    ops["screen_call"] = {"count": len(each), **latency_summary(each)}
    ops["screen_call_to_all"] = {"count": len(to_all), **latency_summary(to_all)}
    acks = [ms for _s, _q, _o, ms in ev.sockets["acks"]]
    ops["ack"] = {"count": len(acks), **latency_summary(acks)}
    result = {
        "benchmark": "day",
        "profile": asdict(profile),
        "db": args.db,
        "server": label,
        "timezone": tz,
        "site_day": site_day.isoformat(),
        **live["figures"],
        "happened": {
            **happened(day, ev.sockets),
            "flagged_ratings": sum(1 for r in ev.rows["ratings"] if r["flagged"]),
        },
        "operations": ops,
        "invariants": [c.as_dict() for c in checks],
        "ok": all(c.ok for c in checks),
        "environment": environment(),
    }
    return DayRun(result, ev, checks)


def main(argv: list[str] | None = None, *, keep: list[DayRun] | None = None) -> int:
    """Run a day, print and write its figures; 1 if an invariant failed.

    ``keep``: a list the finished :class:`DayRun` is appended to (for the tests).
    """
    parser = argparse.ArgumentParser(
        description="A simulated day of a large centre against motcua serve"
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument(
        "--speed", type=float, help="simulated seconds per second (default: the profile's)"
    )
    parser.add_argument("--citizens", type=int, help="override the profile's citizens")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (PostgreSQL and Redis)"
    )
    parser.add_argument("--postgres-url", default=os.environ.get(POSTGRES_ENV))
    parser.add_argument("--redis-url", default=os.environ.get(REDIS_ENV))
    parser.add_argument(
        "--progress", type=float, default=10.0, help="seconds between progress lines"
    )
    parser.add_argument("--output", type=Path, help="default: bench/results/day[_PROFILE].json")
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile]
    profile = replace(
        profile, speed=args.speed or profile.speed, citizens=args.citizens or profile.citizens
    )
    if args.workers > 1 and not args.redis_url:
        parser.error("--workers above 1 needs PostgreSQL and Redis (--redis-url)")
    print(
        f"simulated day, profile {profile.name}: {profile.citizens} citizens, ×{profile.speed:g}",
        flush=True,
    )
    run = asyncio.run(run_day(profile, args))
    if keep is not None:
        keep.append(run)
    result = run.result
    for line in summary_lines(result, run.checks):
        print(line)
    name = "day" if profile.name == "full" else f"day_{profile.name}"
    print(f"wrote {write_result(name, result, args.output)}")
    if not result["ok"]:
        print("an invariant failed", file=sys.stderr)
    return 0 if result["ok"] else 1
