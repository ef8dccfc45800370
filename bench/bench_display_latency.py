"""Benchmark: call-next → 200 screens, shipped server vs the Werkzeug baseline.

For each server (``shipped``: ``motcua serve``, gunicorn with one gevent worker;
``werkzeug``: :mod:`bench.baseline_server`), on a fresh demo-site database of its
own, 200 ``/display`` screens connect over WebSocket and a staff member calls
next at counter 1, round after round. Each latency runs from the instant just
before the call-next request is sent to the instant a screen has the ``call``
event (``CLOCK_MONOTONIC``, one clock for every process on Linux).

Scenarios, each with the server's and the clients' CPU per call:

- ``light``: the primary client, :mod:`bench.screens`' light WebSocket-only
  Socket.IO client, 200 connections in one asyncio process (it costs the
  machine far less than the server per call); the machine otherwise idle
  (target: p99 ≤ 25 ms);
- ``light_under_load``: the same while 8 kiosks issue tickets at full speed
  (:mod:`bench.loadgen`; target: p99 ≤ 50 ms);
- ``socketio``: python-socketio clients (one ``socketio.Client`` and its threads
  per screen, in 2 processes), as the earlier benchmark had: a second column,
  heavy on the 2 cores.

Run: ``.venv/bin/python -m bench.bench_display_latency [--screens 200] [--rounds 50]``.
Writes ``bench/results/display_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.loadgen import ClientSpec, LoadGen, summary
from bench.rawhttp import HttpConnection, encode_request, login
from bench.servers import (
    HOST,
    POSTGRES_ENV,
    REPO,
    SERVERS,
    Meter,
    Server,
    deployment,
    environment,
    latency_summary,
    noise,
    print_profiles,
    print_table,
    profiling,
    ratio,
    seed,
    tree_cpu,
    write_result,
)

PASSWORD = "bench-password-2026"
COUNTER = "1"
SERVICE = "dat-dai"  # what counter 1 of the demo site serves
SERVICES = ("dat-dai", "tu-phap", "kinh-doanh")
KIOSKS = 8
SCENARIOS = ("light", "light_under_load", "socketio")
TARGETS_P99_MS = {"light": 25.0, "light_under_load": 50.0}
ROUND_TIMEOUT_S = 10.0


class Fleet:
    """Screens of one kind in ``procs`` processes of :mod:`bench.screens`."""

    def __init__(self, kind: str, port: int, screens: int, procs: int) -> None:
        self.kind = kind
        shares = [screens // procs + (1 if i < screens % procs else 0) for i in range(procs)]
        self.procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.screens",
                    "--kind",
                    kind,
                    "--port",
                    str(port),
                    "--screens",
                    str(n),
                ],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in shares
            if n
        ]
        self.screens = screens
        self._lines: queue.Queue[tuple[int, str]] = queue.Queue()
        self._complete: Counter[str] = Counter()
        self._cond = threading.Condition()
        self.errors: list[str] = []
        self._receipts: dict[int, list[tuple[str, int]]] = {}
        self._counts: dict[int, int] = {}
        self._ready = 0
        for i, proc in enumerate(self.procs):
            threading.Thread(target=self._read, args=(i, proc), daemon=True).start()
        self._wait(lambda: self._ready == len(self.procs), 300, "screens to connect")

    def _read(self, i: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.strip()
            with self._cond:
                if line.startswith("all "):
                    self._complete[line[4:]] += 1
                elif line.startswith("ready"):
                    self._ready += 1
                elif line.startswith("count "):
                    self._counts[i] = int(line[6:])
                elif line.startswith("{"):
                    dump = json.loads(line)
                    self._receipts[i] = [(number, t_ns) for number, t_ns in dump["receipts"]]
                elif line:
                    self.errors.append(line)
                self._cond.notify_all()
        with self._cond:
            self._receipts.setdefault(i, [])
            self._cond.notify_all()

    def _wait(self, done: Any, timeout_s: float, what: str) -> bool:
        with self._cond:
            if not self._cond.wait_for(done, timeout_s):
                raise RuntimeError(f"timed out waiting for {what}: {self.errors[-5:]}")
        return True

    def wait_all(self, number: str, timeout_s: float = ROUND_TIMEOUT_S) -> bool:
        """True once every screen has the call of ``number`` (False after ``timeout_s``)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._complete[number] == len(self.procs), timeout_s)

    def _tell(self, word: str) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(word + "\n")
            proc.stdin.flush()

    def messages(self) -> int:
        """Socket.IO events the screens received so far."""
        with self._cond:
            self._counts.clear()
        self._tell("count")
        self._wait(lambda: len(self._counts) == len(self.procs), 60, "message counts")
        return sum(self._counts.values())

    def cpu(self) -> dict[int, float]:
        cpu: dict[int, float] = {}
        for proc in self.procs:
            cpu.update(tree_cpu(proc.pid))
        return cpu

    def receipts(self) -> list[tuple[str, int]]:
        """Every ``(number, t_ns)`` the screens noted; ends their processes."""
        self._tell("dump")
        self._wait(lambda: len(self._receipts) == len(self.procs), 120, "receipts")
        self.close()
        return [r for rs in self._receipts.values() for r in rs]

    def close(self) -> None:
        """End the screens' processes (a few seconds' grace, then SIGKILL)."""
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@dataclass
class Rounds:
    """What a run of calls produced: when each was sent, and what it cost."""

    sent: dict[str, int] = field(default_factory=dict)
    """Each called number → ``CLOCK_MONOTONIC`` ns just before its request was sent."""
    http_ms: list[float] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    late: int = 0
    """Rounds where some screen still lacked the call after the round timeout."""
    messages: int = 0
    """Socket.IO events the screens received meanwhile (calls, counts, counters)."""


def call_rounds(
    server: Server,
    fleet: Fleet,
    staff: str,
    rounds: int,
    gap_s: float,
    profile: Path | None = None,
) -> Rounds:
    """``rounds`` calls at counter 1, each once every screen has the one before.

    With ``profile``, py-spy records the server meanwhile into that file.
    """
    request = encode_request(
        "POST", f"/api/v1/counters/{COUNTER}/call-next", f"{HOST}:{server.port}", token=staff
    )
    run = Rounds()
    meter = server.meter(fleet.cpu)
    messages_before = fleet.messages()
    expected_s = rounds * (gap_s + 0.05)
    with HttpConnection(HOST, server.port) as conn, profiling(server, profile, expected_s):
        meter.start()
        for _ in range(rounds):
            t0 = time.monotonic_ns()
            status, body = conn.send(request)
            run.http_ms.append((time.monotonic_ns() - t0) / 1e6)
            if status != 200:
                raise RuntimeError(f"call-next answered {status}: {body[:200]!r}")
            number = json.loads(body)["number"]
            run.sent[number] = t0
            run.late += not fleet.wait_all(number)
            # Past the 250 ms merge of queue counts this call set off: the next call
            # does not race the counts' broadcast.
            time.sleep(gap_s)
        run.usage = meter.stop()
    run.messages = fleet.messages() - messages_before
    return run


def idle_cpu_per_s(server: Server, seconds: float = 2.0) -> float:
    """The server's CPU ms per second with the screens connected and nothing happening."""
    meter = Meter({"server": server.cpu}).start()
    time.sleep(seconds)
    usage = meter.stop()
    return usage["cpu_s"]["server"] * 1000 / usage["wall_s"]


def figures(
    run: Rounds, receipts: list[tuple[str, int]], screens: int, idle_ms_per_s: float
) -> dict[str, Any]:
    """Latencies of every screen and round, and the CPU of each side per call."""
    latencies: list[float] = []
    last: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for number, t_ns in receipts:
        if number in run.sent:
            latencies.append((t_ns - run.sent[number]) / 1e6)
            last[number] = max(last.get(number, 0), t_ns)
            counts[number] += 1
    to_all = sorted((last[n] - run.sent[n]) / 1e6 for n in last if counts[n] == screens)
    rounds = len(run.sent)
    cpu, wall = run.usage["cpu_s"], run.usage["wall_s"]
    messages = max(1, run.messages)
    return {
        "screens": screens,
        "rounds": rounds,
        "delivered": len(latencies),
        "expected": rounds * screens,
        "late_rounds": run.late,
        **latency_summary(latencies),
        "time_to_all_median_ms": round(statistics.median(to_all), 2) if to_all else None,
        "time_to_all_max_ms": round(to_all[-1], 2) if to_all else None,
        # Every round's time to the last screen, in the order sent: one slow round
        # (a stall of the server or of the machine) is what a p99 over rounds shows.
        "time_to_all_by_round_ms": [
            round((last[n] - t0) / 1e6, 1) if n in last else None for n, t0 in run.sent.items()
        ],
        "call_next_http_p50_ms": round(statistics.median(run.http_ms), 2),
        "call_next_http_max_ms": round(max(run.http_ms), 2),
        "messages_per_screen_per_call": round(run.messages / rounds / screens, 2),
        # Server CPU per call, its fan-out to every screen included (under load, the
        # kiosks' tickets too); "net" takes off what the server spends meanwhile with
        # nothing called (pings, periodic jobs).
        "server_cpu_ms_per_call": round(cpu["server"] * 1000 / rounds, 2),
        "server_cpu_ms_per_call_net": round(
            (cpu["server"] * 1000 - idle_ms_per_s * wall) / rounds, 2
        ),
        "server_cpu_us_per_message": round(cpu["server"] * 1e6 / messages, 1),
        "server_cores_busy": round(cpu["server"] / wall, 2),
        "server_idle_cpu_ms_per_s": round(idle_ms_per_s, 2),
        "client_cpu_ms_per_call": round(cpu["client"] * 1000 / rounds, 2),
        "client_cpu_us_per_message": round(cpu["client"] * 1e6 / messages, 1),
        "client_over_server_cpu": ratio(cpu["client"], cpu["server"]),
        "database_cpu_ms_per_call": round(cpu["database"] * 1000 / rounds, 2),
        "usage": run.usage,
    }


def issue_tickets(port: int, kiosk: str, count: int) -> None:
    with HttpConnection(HOST, port) as conn:
        for _ in range(count):
            conn.json("POST", "/api/v1/tickets", token=kiosk, body={"service": SERVICE})


def kiosk_clients(kiosk: str) -> list[ClientSpec]:
    bodies = tuple({"service": s, "priority": None} for s in SERVICES)
    return [ClientSpec("POST", "/api/v1/tickets", kiosk, bodies) for _ in range(KIOSKS)]


def measure_server(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every scenario against one server on a fresh database."""
    config = REPO / "config" / "examples" / "demo.toml"
    results: dict[str, Any] = {}
    with deployment(
        args.db, config, postgres_url=args.postgres_url, synchronous=args.synchronous
    ) as dep:
        kiosk = seed(dep, staff={"canbo": PASSWORD}, devices=("kiosk-bench",))["kiosk-bench"]
        with Server(kind, dep) as server:
            results["server"] = server.label
            issue_tickets(server.port, kiosk, args.rounds * 2 + 10)
            with HttpConnection(HOST, server.port) as conn:
                staff = login(conn, "canbo", PASSWORD)
                conn.json("POST", f"/api/v1/counters/{COUNTER}/open", token=staff)
            scenarios = [s for s in args.scenarios.split(",") if s]
            if {"light", "light_under_load"} & set(scenarios):
                results.update(light_scenarios(server, kiosk, staff, scenarios, args))
            if "socketio" in scenarios:
                results["socketio"] = socketio_scenario(server, staff, args)
    return results


def light_scenarios(
    server: Server, kiosk: str, staff: str, scenarios: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    fleet = Fleet("light", server.port, args.screens, args.light_procs)
    runs: dict[str, Rounds] = {}
    extra: dict[str, Any] = {}
    try:
        time.sleep(1.0)  # the connection snapshots go out
        idle = idle_cpu_per_s(server)
        if "light" in scenarios:
            runs["light"] = call_rounds(
                server, fleet, staff, args.rounds, args.gap, profile_path(args, server, "light")
            )
        if "light_under_load" in scenarios:
            with LoadGen(server.port, kiosk_clients(kiosk), seconds=600) as gen:
                gen.go()
                time.sleep(1.0)
                runs["light_under_load"] = call_rounds(
                    server,
                    fleet,
                    staff,
                    args.rounds,
                    args.gap,
                    profile_path(args, server, "light_under_load"),
                )
                gen.stop()
                extra["kiosks"] = summary(gen.result())
        receipts = fleet.receipts()
        errors = fleet.errors
    finally:
        fleet.close()
    out = {}
    for name, run in runs.items():
        out[name] = figures(run, receipts, args.screens, idle)
        out[name].update(
            client="light (asyncio, raw WebSocket)",
            client_processes=args.light_procs,
            client_errors=errors[:5],
        )
        report(name, out[name])
    if "kiosks" in extra:
        out["light_under_load"]["kiosks"] = extra["kiosks"]
        k = extra["kiosks"]
        print(f"    kiosks meanwhile: {k['per_second']}/s, p99 {k['p99_ms']} ms, {k['errors']}")
    return out


def socketio_scenario(server: Server, staff: str, args: argparse.Namespace) -> dict[str, Any]:
    fleet = Fleet("socketio", server.port, args.screens, args.socketio_procs)
    try:
        time.sleep(1.0)
        idle = idle_cpu_per_s(server)
        run = call_rounds(
            server, fleet, staff, args.rounds, args.gap, profile_path(args, server, "socketio")
        )
        receipts = fleet.receipts()
    finally:
        fleet.close()
    out = figures(run, receipts, args.screens, idle)
    out.update(
        client="python-socketio (threads)",
        client_processes=args.socketio_procs,
        client_errors=fleet.errors[:5],
    )
    report("socketio", out)
    return out


def profile_path(args: argparse.Namespace, server: Server, scenario: str) -> Path | None:
    """Where py-spy's profile of this server and scenario goes (with ``--profile``)."""
    return args.profile / f"{server.kind}-{scenario}.txt" if args.profile else None


def report(name: str, f: dict[str, Any]) -> None:
    print(
        f"  {name}: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, max {f['max_ms']} ms, "
        f"all {f['time_to_all_median_ms']} ms (median); {f['delivered']}/{f['expected']} "
        f"delivered; CPU ms/call server {f['server_cpu_ms_per_call']} "
        f"(net {f['server_cpu_ms_per_call_net']}), clients {f['client_cpu_ms_per_call']} "
        f"({f['messages_per_screen_per_call']} messages/screen/call); {noise(f['usage'])}",
        flush=True,
    )


ROWS = (
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("max ms", "max_ms"),
    ("time to all, median ms", "time_to_all_median_ms"),
    ("time to all, max ms", "time_to_all_max_ms"),
    ("call-next HTTP p50 ms", "call_next_http_p50_ms"),
    ("messages/screen/call", "messages_per_screen_per_call"),
    ("server CPU ms/call", "server_cpu_ms_per_call"),
    ("server CPU ms/call, net", "server_cpu_ms_per_call_net"),
    ("server CPU µs/message", "server_cpu_us_per_message"),
    ("server cores busy", "server_cores_busy"),
    ("client CPU ms/call", "client_cpu_ms_per_call"),
    ("client CPU µs/message", "client_cpu_us_per_message"),
    ("client / server CPU", "client_over_server_cpu"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.35, help="seconds between calls")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--light-procs", type=int, default=1)
    parser.add_argument("--socketio-procs", type=int, default=2)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    parser.add_argument("--postgres-url", default=os.environ.get(POSTGRES_ENV))
    parser.add_argument("--output", type=Path, help="default: bench/results/display_latency.json")
    parser.add_argument("--profile", type=Path, help="folder for py-spy profiles of the server")
    args = parser.parse_args(argv)
    servers = [s for s in args.servers.split(",") if s]
    env = environment()
    per_server = {}
    for kind in servers:
        print(f"\n{kind}:", flush=True)
        per_server[kind] = measure_server(kind, args)
    result: dict[str, Any] = {
        "benchmark": "display_latency",
        "description": (
            "call-next request sent -> each /display screen has the call event; "
            f"{args.screens} WebSocket screens; shipped motcua serve vs the Werkzeug baseline"
        ),
        "db": args.db,
        "sqlite_synchronous": args.synchronous,
        "gap_s": args.gap,
        "servers": per_server,
        "targets_p99_ms": TARGETS_P99_MS,
    }
    if {"shipped", "werkzeug"} <= per_server.keys():
        result["shipped_over_werkzeug"] = {
            name: {
                key: ratio(
                    per_server["shipped"][name].get(key), per_server["werkzeug"][name].get(key)
                )
                for _, key in ROWS
            }
            for name in SCENARIOS
            if name in per_server["shipped"] and name in per_server["werkzeug"]
        }
    result["environment"] = env
    for name in SCENARIOS:
        cells = [per_server[k].get(name) for k in servers]
        if not all(cells):
            continue
        columns = list(servers)
        if name in result.get("shipped_over_werkzeug", {}):
            cells.append(result["shipped_over_werkzeug"][name])
            columns.append("ratio")
        target = TARGETS_P99_MS.get(name)
        title = name + (f" (target p99 ≤ {target:g} ms)" if target else "")
        print_table(title, columns, ROWS, cells)
    if args.profile:
        print_profiles(args.profile)
    print(f"wrote {write_result('display_latency', result, args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
