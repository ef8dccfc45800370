"""Benchmark: ticket issue and call-next throughput of a real hub, 8 concurrent clients.

Starts a real ``motcua serve`` on 127.0.0.1 (SQLite in a temporary folder, or
a PostgreSQL schema of its own that is dropped afterwards), then:

1. 8 kiosk clients (threads, each a keep-alive ``requests.Session``) issue
   tickets for N seconds;
2. 8 staff open 8 counters (a temporary configuration has 8) and call next
   for N seconds or until the queue is empty (204).

Prints requests per second and p50/p99 latency for each phase and writes
``bench/results/hub_throughput_<db>.json``.

Run: ``.venv/bin/python -m bench.bench_hub_throughput [--db sqlite|postgres] [--seconds N]``.
SQLite uses ``MOTCUA_SQLITE_SYNCHRONOUS`` (default ``FULL``; ``--synchronous NORMAL``
to compare). PostgreSQL needs ``--postgres-url`` or ``MOTCUA_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).parent / "results"
HOST = "127.0.0.1"
CLIENTS = 8
SERVICES = ("dat-dai", "tu-phap", "kinh-doanh")
STARTUP_TIMEOUT_S = 60.0

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


def write_config(folder: Path, counters: int) -> Path:
    """A configuration with ``counters`` counters, each serving every field."""
    services = ", ".join(f'"{s}"' for s in SERVICES)
    blocks = [
        f'\n[[counters]]\nid = "{n}"\nname = "Quầy {n}"\nservices = [{services}]\n'
        for n in range(1, counters + 1)
    ]
    path = folder / "bench.toml"
    path.write_text(CONFIG + "".join(blocks), encoding="utf-8")
    return path


def motcua() -> list[str]:
    script = Path(sys.executable).with_name("motcua")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hub.cli"]


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Deployment:
    """Where the hub keeps its data, as environment variables."""

    db: str
    env: dict[str, str]
    folder: Path
    config: Path

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*motcua(), "--config", str(self.config), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"motcua {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout


@contextmanager
def deployment(db: str, postgres_url: str | None, synchronous: str) -> Iterator[Deployment]:
    """A temporary data folder (and PostgreSQL schema), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
        env.update(MOTCUA_DATA=str(folder / "data"), MOTCUA_SQLITE_SYNCHRONOUS=synchronous)
        config = write_config(folder, CLIENTS)
        if db == "sqlite":
            yield Deployment(db, env, folder, config)
            return
        if not postgres_url:
            raise SystemExit("--db postgres needs --postgres-url or MOTCUA_TEST_POSTGRES_URL")
        import psycopg

        schema = f"bench_{secrets.token_hex(5)}"
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            parts = urlsplit(postgres_url)
            option = f"options=-csearch_path%3D{schema}"
            query = f"{parts.query}&{option}" if parts.query else option
            env["MOTCUA_DATABASE_URL"] = urlunsplit(parts._replace(query=query))
            yield Deployment(db, env, folder, config)
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def seed(dep: Deployment) -> tuple[str, dict[str, str]]:
    """One kiosk and 8 staff users through the command line; returns their credentials."""
    passwords = {f"staff{n}": f"Bm-{secrets.token_hex(6)}!" for n in range(1, CLIENTS + 1)}
    out = dep.cli("device", "add", "bench-kiosk", "--kind", "kiosk")  # migrates first
    kiosk = out.strip().splitlines()[-1]
    # On SQLite parallel commands only queue on the write lock; on PostgreSQL they overlap.
    workers = 4 if dep.db == "postgres" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [
            pool.submit(
                dep.cli, "user", "add", name, "--role", "staff", "--password-stdin", stdin=pw + "\n"
            )
            for name, pw in passwords.items()
        ]
        for job in jobs:
            job.result()
    return kiosk, passwords


class Hub:
    """``motcua serve`` as a child process; always stopped by ``close``."""

    def __init__(self, dep: Deployment) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = open(dep.folder / "hub.log", "wb")  # noqa: SIM115 - closed in close()
        cmd = [*motcua(), "--config", str(dep.config), "serve", "--host", HOST]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=dep.env,
        )
        self.log_path = dep.folder / "hub.log"

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hub not healthy:\n{self.log_path.read_text()[-3000:]}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


# ------------------------------------------------------------------ phases
def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux ``/proc``; else ``None``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class PhaseResult:
    """Latencies (ms) of the successful requests of one phase, and the rest."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    empty: int = 0  # call-next answered 204
    errors: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    server_cpu_s: float | None = None

    def summary(self) -> dict[str, object]:
        lat = sorted(self.latencies_ms)
        n = len(lat)
        return {
            "requests_ok": n,
            "per_second": round(n / self.elapsed_s, 1) if self.elapsed_s else None,
            "p50_ms": round(percentile(lat, 50), 2) if lat else None,
            "p99_ms": round(percentile(lat, 99), 2) if lat else None,
            "max_ms": round(lat[-1], 2) if lat else None,
            "mean_ms": round(statistics.fmean(lat), 2) if lat else None,
            "elapsed_s": round(self.elapsed_s, 2),
            "empty_204": self.empty,
            "errors": self.errors,
            "server_cpu_ms_per_request": (
                round(self.server_cpu_s * 1000 / n, 2)
                if self.server_cpu_s is not None and n
                else None
            ),
        }


def percentile(sorted_ms: list[float], pct: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    rank = max(1, -(-len(sorted_ms) * pct // 100))
    return sorted_ms[int(rank) - 1]


Worker = Callable[[requests.Session, int], tuple[int, str]]


def run_phase(
    name: str, hub: Hub, tokens: list[str], seconds: float, work: Worker, profile: Path | None
) -> PhaseResult:
    """Run ``work`` in one thread per token, for ``seconds`` or until a thread hears 204.

    ``work(session, i)`` sends one request and returns (status, error text).
    With ``profile``, py-spy samples the hub (GIL holders only) during the phase.
    """
    result = PhaseResult(name)
    lock = threading.Lock()
    ready = threading.Barrier(len(tokens) + 1)
    stop_at: list[float] = []

    def client(k: int) -> None:
        local: list[float] = []
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {tokens[k]}"
            ready.wait(timeout=30)
            i = 0
            while time.perf_counter() < stop_at[0]:
                started = time.perf_counter()
                status, error = work(session, k * 1_000_000 + i)
                took = (time.perf_counter() - started) * 1000
                i += 1
                if status in (200, 201):
                    local.append(took)
                elif status == 204:
                    with lock:
                        result.empty += 1
                    break
                else:
                    with lock:
                        result.errors[error] = result.errors.get(error, 0) + 1
        with lock:
            result.latencies_ms.extend(local)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(len(tokens))]
    for thread in threads:
        thread.start()
    cpu_before = process_cpu_s(hub.proc.pid)
    spy = start_profiler(hub.proc.pid, profile / f"{name}.txt", seconds) if profile else None
    begun = time.perf_counter()
    stop_at.append(begun + seconds)
    ready.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=seconds + 120)
    result.elapsed_s = time.perf_counter() - begun
    cpu_after = process_cpu_s(hub.proc.pid)
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu_s = cpu_after - cpu_before
    if spy is not None:
        spy.wait(timeout=seconds + 60)
    return result


def start_profiler(pid: int, output: Path, seconds: float) -> subprocess.Popen[bytes] | None:
    """``py-spy record`` of the hub for the phase, as collapsed stacks (GIL holders only)."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        logger.warning("py-spy is not installed in this environment; no profile")
        return None
    output.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(spy), "record", "--pid", str(pid), "--duration", str(max(1, int(seconds)))]
    cmd += ["--format", "raw", "--gil", "--nonblocking", "--output", str(output)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_summary(path: Path, top: int = 30) -> list[tuple[float, str]]:
    """Share of GIL samples (%) in each function, inclusive, from py-spy's raw output.

    Line numbers are dropped so a function counts once per stack; the thread
    and socket-server wrappers every request goes through are left out.
    """
    from collections import Counter

    wrappers = ("threading.py", "socketserver.py", "http/server.py", "flask/app.py")
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = {re.sub(r":\d+\)$", ")", f) for f in stack.split(";")}
        for frame in frames:
            if not any(w in frame for w in wrappers):
                inclusive[frame] += n
    return [(round(100 * n / total, 1), f) for f, n in inclusive.most_common(top)] if total else []


def issue_worker(url: str) -> Worker:
    def work(session: requests.Session, i: int) -> tuple[int, str]:
        body = {"service": SERVICES[i % len(SERVICES)], "priority": None}
        try:
            r = session.post(f"{url}/api/v1/tickets", json=body, timeout=30)
        except requests.RequestException as err:
            return 0, type(err).__name__
        return r.status_code, f"{r.status_code} {r.text[:120]}"

    return work


def call_worker(url: str) -> Worker:
    def work(session: requests.Session, i: int) -> tuple[int, str]:
        counter = i // 1_000_000 + 1
        try:
            r = session.post(f"{url}/api/v1/counters/{counter}/call-next", timeout=30)
        except requests.RequestException as err:
            return 0, type(err).__name__
        return r.status_code, f"{r.status_code} {r.text[:120]}"

    return work


def open_counters(url: str, passwords: dict[str, str]) -> list[str]:
    tokens = []
    with requests.Session() as session:
        for n, (name, password) in enumerate(passwords.items(), start=1):
            r = session.post(
                f"{url}/api/v1/auth/login", json={"username": name, "password": password}
            )
            r.raise_for_status()
            token = r.json()["token"]
            session.post(
                f"{url}/api/v1/counters/{n}/open", headers={"Authorization": f"Bearer {token}"}
            ).raise_for_status()
            tokens.append(token)
    return tokens


def run(
    db: str, seconds: float, postgres_url: str | None, synchronous: str, profile: Path | None
) -> dict[str, object]:
    """Seed, start the hub, run both phases; returns the figures."""
    load_before = os.getloadavg()
    with deployment(db, postgres_url, synchronous) as dep:
        kiosk, passwords = seed(dep)
        hub = Hub(dep)
        try:
            hub.wait_healthy()
            issue = run_phase(
                "issue", hub, [kiosk] * CLIENTS, seconds, issue_worker(hub.url), profile
            )
            staff = open_counters(hub.url, passwords)
            call = run_phase("call-next", hub, staff, seconds, call_worker(hub.url), profile)
        finally:
            hub.close()
    return {
        "benchmark": "hub_throughput",
        "description": f"real motcua serve, {CLIENTS} keep-alive HTTP clients on loopback",
        "db": db,
        "sqlite_synchronous": synchronous if db == "sqlite" else None,
        "seconds_per_phase": seconds,
        "clients": CLIENTS,
        "issue": issue.summary(),
        "call_next": call.summary(),
        "environment": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            # Other work on the machine skews every figure: compare runs at low load.
            "loadavg_1m_before": round(load_before[0], 2),
            "loadavg_1m_after": round(os.getloadavg()[0], 2),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the figures and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--synchronous",
        choices=["FULL", "NORMAL"],
        default=os.environ.get("MOTCUA_SQLITE_SYNCHRONOUS", "FULL").upper(),
        help="SQLite PRAGMA synchronous of the hub (default FULL)",
    )
    parser.add_argument("--postgres-url", default=os.environ.get("MOTCUA_TEST_POSTGRES_URL"))
    parser.add_argument(
        "--output", type=Path, help="default: bench/results/hub_throughput_<db>.json"
    )
    parser.add_argument(
        "--profile", type=Path, help="folder for py-spy profiles of the hub (needs py-spy)"
    )
    args = parser.parse_args(argv)
    result = run(args.db, args.seconds, args.postgres_url, args.synchronous, args.profile)
    label = args.db if args.db != "sqlite" or args.synchronous == "FULL" else "sqlite_normal"
    for phase in ("issue", "call_next"):
        s: dict[str, Any] = result[phase]  # type: ignore[assignment]
        print(
            f"{label} {phase}: {s['per_second']}/s, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, "
            f"max {s['max_ms']} ms, server CPU {s['server_cpu_ms_per_request']} ms/request "
            f"({s['requests_ok']} ok, errors {s['errors'] or 'none'})"
        )
    if args.profile:
        for name in ("issue", "call-next"):
            path = args.profile / f"{name}.txt"
            if path.exists():
                print(f"\nwhere the hub's GIL time goes during {name} (inclusive %):")
                for pct, frame in profile_summary(path):
                    print(f"  {pct:5.1f}  {frame}")
    output = args.output or RESULTS / f"hub_throughput_{label}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
