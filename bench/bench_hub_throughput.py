"""Benchmark: ticket issue and call-next throughput, shipped server vs the Werkzeug baseline.

For each database (SQLite with the shipped ``synchronous=FULL``; PostgreSQL when
a server URL is given) and each server (``shipped``: ``motcua serve``, gunicorn
with one gevent worker; ``werkzeug``: :mod:`bench.baseline_server`), on a fresh
data folder or database of its own:

1. 8 kiosk connections issue tickets (three fields in turn) for N seconds;
2. 8 staff open 8 counters and call next for N seconds, or until the queue is
   empty (204).

The clients are :mod:`bench.loadgen`: 8 keep-alive raw HTTP/1.1 connections in
one asyncio process of their own, whose CPU is measured next to the server's.
Per phase: requests/s, p50/p99/max latency, CPU ms per request of the server
(its process tree: gunicorn's master and workers), of the clients and of the
PostgreSQL backends, the machine's other CPU use (noise) and load average; then
the ratio shipped / werkzeug.

Two processes (PostgreSQL and Redis): ``motcua serve --workers 2`` against
``--workers 1``, the issue phase only, and the ratio (target ≥ 1.6×).

Run: ``.venv/bin/python -m bench.bench_hub_throughput [--seconds 10] [--dbs sqlite,postgres]``
with ``MOTCUA_TEST_POSTGRES_URL`` and ``MOTCUA_TEST_REDIS_URL`` for the PostgreSQL and
two-process parts (or ``--postgres-url`` / ``--redis-url``). Writes
``bench/results/hub_throughput.json``; ``--profile DIR`` adds py-spy profiles.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from bench.loadgen import ClientSpec, LoadGen, summary
from bench.rawhttp import HttpConnection, login
from bench.servers import (
    HOST,
    POSTGRES_ENV,
    REDIS_ENV,
    SERVERS,
    Server,
    deployment,
    environment,
    noise,
    print_profiles,
    print_table,
    profiling,
    ratio,
    seed,
    write_result,
)

CLIENTS = 8
SERVICES = ("dat-dai", "tu-phap", "kinh-doanh")
WORKERS_TARGET = 1.6
#: With several workers the clients connect this far apart: gunicorn's workers race
#: to accept, and a burst of connections on a busy machine can all go to one of them.
CONNECT_GAP_S = 0.05

CONFIG = """\
[site]
id = "bench"
name = "Trung tâm Phục vụ hành chính công (đo hiệu năng)"
timezone = "Asia/Ho_Chi_Minh"

[[services]]
id = "dat-dai"
name = "Đất đai"
start = 1001
digits = 4

[[services]]
id = "tu-phap"
name = "Tư pháp – Hộ tịch"
prefix = "B"
digits = 5

[[services]]
id = "kinh-doanh"
name = "Kinh doanh"
prefix = "C"
digits = 5
"""


def config_text(counters: int) -> str:
    """The benchmark's site with ``counters`` counters, each serving every field."""
    services = ", ".join(f'"{s}"' for s in SERVICES)
    blocks = [
        f'\n[[counters]]\nid = "{n}"\nname = "Quầy {n}"\nservices = [{services}]\n'
        for n in range(1, counters + 1)
    ]
    return CONFIG + "".join(blocks)


# ------------------------------------------------------------------ one phase
def run_phase(
    server: Server,
    clients: list[ClientSpec],
    seconds: float,
    *,
    warmup_s: float = 0.0,
    profile: Path | None = None,
    name: str = "",
) -> dict[str, Any]:
    """``clients`` at full speed for ``seconds``; figures and CPU of everyone involved."""
    gap_s = CONNECT_GAP_S if server.workers > 1 else 0.0
    if warmup_s > 0:
        with LoadGen(server.port, clients, warmup_s, connect_gap_s=gap_s) as warm:
            warm.go()
            warm.result()
    output = profile / f"{name}.txt" if profile else None
    gen = LoadGen(server.port, clients, seconds, connect_gap_s=gap_s)
    with gen, profiling(server, output, seconds):
        meter = server.meter(gen.cpu)
        workers_before = server.worker_cpu()
        meter.start()
        gen.go()
        result = gen.result()
        usage = meter.stop()
        workers_after = server.worker_cpu()
    figures = summary(result)
    answered = sum(result["statuses"].values())
    figures["answered"] = answered
    per_request = {
        f"{k}_cpu_ms_per_request": round(v * 1000 / answered, 3) if answered else None
        for k, v in usage["cpu_s"].items()
        if k != "bench"
    }
    figures.update(per_request)
    figures["client_self_cpu_s"] = result["self_cpu_s"]
    split = [round(workers_after[p] - workers_before.get(p, 0.0), 2) for p in workers_after]
    figures["worker_cpu_s"] = sorted(split, reverse=True)
    figures["usage"] = usage
    return figures


def issue_clients(kiosk: str, clients: int = CLIENTS) -> list[ClientSpec]:
    """Kiosk connections, each issuing the three fields in turn (from a different one)."""
    bodies = [{"service": s, "priority": None} for s in SERVICES]
    return [
        ClientSpec("POST", "/api/v1/tickets", kiosk, tuple(bodies[k % 3 :] + bodies[: k % 3]))
        for k in range(clients)
    ]


def call_clients(server: Server, passwords: dict[str, str]) -> list[ClientSpec]:
    """8 staff, each logged in and on a counter of their own."""
    specs = []
    with HttpConnection(HOST, server.port) as conn:
        for n, (name, password) in enumerate(passwords.items(), start=1):
            token = login(conn, name, password)
            conn.json("POST", f"/api/v1/counters/{n}/open", token=token)
            specs.append(ClientSpec("POST", f"/api/v1/counters/{n}/call-next", token))
    return specs


def measure_server(
    kind: str,
    db: str,
    args: argparse.Namespace,
    *,
    workers: int = 1,
    phases: tuple[str, ...] = ("issue", "call_next"),
    redis_url: str | None = None,
    kiosks: int = CLIENTS,
) -> dict[str, Any]:
    """One server on a fresh deployment: its phases' figures (``kiosks`` issue)."""
    passwords = {f"staff{n}": f"Bm-{secrets.token_hex(6)}!" for n in range(1, CLIENTS + 1)}
    with deployment(
        db,
        config_text(CLIENTS),
        postgres_url=args.postgres_url,
        redis_url=redis_url,
        synchronous=args.synchronous,
    ) as dep:
        kiosk = seed(dep, staff=passwords, devices=("bench-kiosk",))["bench-kiosk"]
        with Server(kind, dep, workers, args.server_env) as server:
            figures: dict[str, Any] = {"server": server.label, "workers": workers}
            if args.server_env:
                figures["server_env"] = args.server_env
            profile = args.profile / f"{db}-{kind}-{workers}w" if args.profile else None
            figures["issue"] = run_phase(
                server,
                issue_clients(kiosk, kiosks),
                args.seconds,
                warmup_s=args.warmup,
                profile=profile,
                name="issue",
            )
            report_phase(f"{db} {kind} ×{workers} issue", figures["issue"])
            if "call_next" in phases:
                figures["call_next"] = run_phase(
                    server,
                    call_clients(server, passwords),
                    args.seconds,
                    profile=profile,
                    name="call_next",
                )
                report_phase(f"{db} {kind} ×{workers} call-next", figures["call_next"])
    return figures


# ------------------------------------------------------------------ report
ROWS = (
    ("requests/s", "per_second"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("max ms", "max_ms"),
    ("server CPU ms/request", "server_cpu_ms_per_request"),
    ("client CPU ms/request", "client_cpu_ms_per_request"),
    ("database CPU ms/request", "database_cpu_ms_per_request"),
)


def report_phase(title: str, f: dict[str, Any]) -> None:
    print(
        f"  {title}: {f['per_second']}/s, p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, "
        f"max {f['max_ms']} ms; CPU ms/request server {f['server_cpu_ms_per_request']}, "
        f"client {f['client_cpu_ms_per_request']}, database {f['database_cpu_ms_per_request']}; "
        f"{noise(f['usage'])}; errors {f['errors'] or 'none'}",
        flush=True,
    )


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Ratios a / b of each figure of one phase."""
    return {key: ratio(a.get(key), b.get(key)) for _, key in ROWS}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the figures and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured issue first")
    parser.add_argument("--dbs", default=None, help="sqlite,postgres (default: both if possible)")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    parser.add_argument("--postgres-url", default=os.environ.get(POSTGRES_ENV))
    parser.add_argument("--redis-url", default=os.environ.get(REDIS_ENV))
    parser.add_argument("--no-workers", action="store_true", help="skip the two-process part")
    parser.add_argument(
        "--workers-clients",
        type=int,
        default=2 * CLIENTS,
        help="kiosk connections, two-process part",
    )
    parser.add_argument("--output", type=Path, help="default: bench/results/hub_throughput.json")
    parser.add_argument("--profile", type=Path, help="folder for py-spy profiles of the server")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the servers only (investigations; repeatable)",
    )
    args = parser.parse_args(argv)
    args.server_env = dict(item.split("=", 1) for item in args.server_env)
    dbs = args.dbs.split(",") if args.dbs else ["sqlite"] + (["postgres"] * bool(args.postgres_url))
    servers = [s for s in args.servers.split(",") if s]
    env = environment()
    result: dict[str, Any] = {
        "benchmark": "hub_throughput",
        "description": (
            f"{CLIENTS} keep-alive raw HTTP/1.1 clients (one asyncio process) at full speed; "
            "shipped motcua serve vs the Werkzeug baseline, each on fresh data"
        ),
        "seconds_per_phase": args.seconds,
        "clients": CLIENTS,
        "sqlite_synchronous": args.synchronous,
        "databases": {},
    }
    for db in dbs:
        print(f"\n{db}:", flush=True)
        per_server = {kind: measure_server(kind, db, args) for kind in servers}
        entry: dict[str, Any] = {"servers": per_server}
        if {"shipped", "werkzeug"} <= per_server.keys():
            entry["shipped_over_werkzeug"] = {
                phase: compare(per_server["shipped"][phase], per_server["werkzeug"][phase])
                for phase in ("issue", "call_next")
            }
        result["databases"][db] = entry
        for phase in ("issue", "call_next"):
            cells = [per_server[k][phase] for k in servers]
            columns = list(servers)
            if "shipped_over_werkzeug" in entry:
                cells.append({**entry["shipped_over_werkzeug"][phase]})
                columns.append("ratio")
            print_table(f"{db} {phase}", columns, ROWS, cells)
    if not args.no_workers and args.postgres_url and args.redis_url:
        print("\ntwo processes (PostgreSQL + Redis):", flush=True)
        runs = {
            f"workers_{n}": measure_server(
                "shipped",
                "postgres",
                args,
                workers=n,
                phases=("issue",),
                redis_url=args.redis_url,
                kiosks=args.workers_clients,
            )
            for n in (1, 2)
        }
        one, two = runs["workers_1"]["issue"], runs["workers_2"]["issue"]
        result["two_processes"] = {
            "clients": args.workers_clients,
            **runs,
            "issue_ratio": ratio(two["per_second"], one["per_second"]),
            "target_ratio": WORKERS_TARGET,
        }
        print_table(
            "issue, --workers 1 vs 2",
            ["1 worker", "2 workers", "ratio"],
            ROWS,
            [one, two, compare(two, one)],
        )
        # Keep-alive connections stay with the worker that accepted them: an uneven
        # split of the clients shows here.
        print(f"  CPU of each worker with 2 (s): {two['worker_cpu_s']}")
    elif not args.no_workers:
        print(f"\ntwo processes skipped: set {POSTGRES_ENV} and {REDIS_ENV}")
    result["environment"] = env
    if args.profile:
        print_profiles(args.profile)
    print(f"wrote {write_result('hub_throughput', result, args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
