"""The hubs the benchmarks measure, on fresh data, and how their CPU is counted.

Two servers can be started side by side on the same kind of data:

- ``shipped``: ``motcua serve`` as a person runs it: gunicorn, its master and
  ``--workers`` gevent workers, in a process group of its own;
- ``werkzeug``: :mod:`bench.baseline_server`, the hub on Flask-SocketIO's threaded
  Werkzeug server, as ``motcua serve`` ran before gunicorn (kept here only).

Each runs on a :func:`deployment` of its own: a temporary data folder, and for
PostgreSQL a database of its own (created, then dropped), and for Redis a
channel of its own. :func:`seed` adds the accounts a benchmark needs.

CPU is read from ``/proc`` and summed over process trees (gunicorn's master
and its workers; a client process and its children); :class:`Meter` takes the
deltas of one phase, with the machine's total and load average, so that every
figure says how busy the machine was meanwhile.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
HOST = "127.0.0.1"
SERVERS = ("shipped", "werkzeug")
SERVER_LABELS = {
    "shipped": "motcua serve (gunicorn + gevent)",
    "werkzeug": "Werkzeug threaded baseline (bench/baseline_server.py)",
}
STARTUP_TIMEOUT_S = 60.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
POSTGRES_ENV = "MOTCUA_TEST_POSTGRES_URL"
REDIS_ENV = "MOTCUA_TEST_REDIS_URL"


# ------------------------------------------------------------------ CPU and load
def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process, all its threads (``/proc``), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _parents() -> dict[int, int]:
    """Every live process's parent id."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def tree_pids(root: int) -> list[int]:
    """``root`` and all its live descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds of each process of ``root``'s tree, by pid."""
    cpu = {}
    for pid in tree_pids(root):
        seconds = process_cpu_s(pid)
        if seconds is not None:
            cpu[pid] = seconds
    return cpu


def tree_rss_kb(root: int) -> dict[int, int]:
    """Resident memory (``VmRSS``, KiB) of each process of ``root``'s tree, by pid."""
    rss = {}
    for pid in tree_pids(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    return rss


def machine_busy_s() -> float:
    """CPU seconds every core of the machine spent busy since boot (``/proc/stat``)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(v, 2) for v in os.getloadavg()]


CpuSource = Callable[[], dict[int, float]]


@dataclass
class Meter:
    """CPU of named process groups, the machine's, wall time and load over one phase.

    Each source returns ``{pid: cpu seconds}``; a process that appears during the
    phase counts from zero (a forked worker, a new database backend), one that
    ends during it is lost (none should).
    """

    sources: dict[str, CpuSource]
    _before: dict[str, dict[int, float]] = field(default_factory=dict)
    _machine: float = 0.0
    _wall: float = 0.0
    _load: list[float] = field(default_factory=list)

    def start(self) -> Meter:
        self._load = loadavg()
        self._before = {name: source() for name, source in self.sources.items()}
        self._machine = machine_busy_s()
        self._wall = time.monotonic()
        return self

    def stop(self) -> dict[str, Any]:
        """The deltas since :meth:`start`."""
        wall = time.monotonic() - self._wall
        machine = machine_busy_s() - self._machine
        cpu = {}
        for name, source in self.sources.items():
            before = self._before.get(name, {})
            cpu[name] = sum(s - before.get(pid, 0.0) for pid, s in source().items())
        return {
            "wall_s": round(wall, 3),
            "cpu_s": {name: round(s, 3) for name, s in cpu.items()},
            "machine_busy_s": round(machine, 3),
            # CPU the machine spent on anything else (other people's work, the kernel's
            # loopback, Redis): the noise of this phase.
            "other_cpu_s": round(machine - sum(cpu.values()), 3),
            "machine_cores_busy": round(machine / wall, 2) if wall else None,
            "loadavg_before": self._load,
            "loadavg_after": loadavg(),
        }


def this_process() -> dict[int, float]:
    """The benchmark's own process (not its children)."""
    pid = os.getpid()
    seconds = process_cpu_s(pid)
    return {pid: seconds} if seconds is not None else {}


# ------------------------------------------------------------------ deployments
def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def motcua_command() -> list[str]:
    """The installed ``motcua`` script next to this interpreter, else ``python -m hub.cli``."""
    script = Path(sys.executable).with_name("motcua")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hub.cli"]


@dataclass
class Deployment:
    """One hub's data: a folder, a configuration, the environment a server runs in."""

    db: str
    folder: Path
    config: Path
    env: dict[str, str]
    database_url: str
    database_name: str | None = None
    """The PostgreSQL database of this deployment alone (None on SQLite)."""
    admin_url: str | None = None

    def database_cpu(self) -> dict[int, float]:
        """CPU seconds of the PostgreSQL backends serving this deployment, by pid."""
        if self.database_name is None or self.admin_url is None:
            return {}
        import psycopg

        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            pids = [row[0] for row in conn.execute(query, (self.database_name,))]
        cpu = {}
        for pid in pids:
            seconds = process_cpu_s(pid)
            if seconds is not None:
                cpu[pid] = seconds
        return cpu


@contextmanager
def deployment(
    db: str,
    config: str | Path,
    *,
    postgres_url: str | None = None,
    redis_url: str | None = None,
    synchronous: str = "FULL",
) -> Iterator[Deployment]:
    """A fresh data folder (and PostgreSQL database, and Redis channel), removed after.

    Args:
        db: ``sqlite`` or ``postgres``.
        config: a configuration file to copy, or its text.
        postgres_url: a server's URL (any database: a new one is created beside it).
        redis_url: Redis for the Socket.IO message queue (several workers), or None.
        synchronous: SQLite ``PRAGMA synchronous`` of the hub.
    """
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    try:
        path = folder / "motcua.toml"
        if isinstance(config, Path):
            shutil.copy(config, path)
        else:
            path.write_text(config, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
        env.update(
            MOTCUA_DATA=str(folder / "data"),
            MOTCUA_SQLITE_SYNCHRONOUS=synchronous,
            PYTHONUNBUFFERED="1",
        )
        if redis_url:
            env["MOTCUA_REDIS_URL"] = redis_url
            env["MOTCUA_REDIS_CHANNEL"] = f"motcua-bench-{secrets.token_hex(4)}"
        if db == "sqlite":
            url = f"sqlite:///{(folder / 'data' / 'motcua.db').resolve()}"
            yield Deployment(db, folder, path, env, url)
            return
        if not postgres_url:
            raise SystemExit(f"PostgreSQL needs --postgres-url or {POSTGRES_ENV}")
        with _postgres_database(postgres_url) as (name, url):
            env["MOTCUA_DATABASE_URL"] = url
            yield Deployment(db, folder, path, env, url, name, postgres_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgres_database(server_url: str) -> Iterator[tuple[str, str]]:
    """A new database on the server of ``server_url``; yields (name, URL); dropped after."""
    import psycopg

    name = f"motcua_bench_{secrets.token_hex(5)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(
    dep: Deployment,
    *,
    staff: dict[str, str] | None = None,
    devices: tuple[str, ...] = (),
    pads: dict[str, str] | None = None,
    displays: tuple[str, ...] = (),
    managers: dict[str, str] | None = None,
    display_names: dict[str, str] | None = None,
) -> dict[str, str]:
    """Add staff users and managers (name → password; ``display_names``: their full
    names), kiosk devices, display devices and rating pads (name → counter); returns
    each device's token.

    Done in this process on the deployment's database (migrating it), before any
    server starts: the servers then find accounts, as after ``motcua user add``.
    """
    from config.schema import load_config
    from hub.app import create_app
    from hub.context import hub_of
    from hub.settings import Settings

    data = Path(dep.env["MOTCUA_DATA"])
    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        config=load_config(dep.config),
        database_url=dep.database_url,
        data_dir=data,
        background=False,
        sqlite_synchronous=dep.env["MOTCUA_SQLITE_SYNCHRONOUS"],
    )
    hub = hub_of(create_app(settings))
    try:
        names = display_names or {}
        for role, people in (("staff", staff), ("manager", managers)):
            for name, password in (people or {}).items():
                hub.users.add_user(
                    name, password, role, display_name=names.get(name), enforce_policy=False
                )
        tokens = {name: hub.devices.add_device(name, "kiosk", None) for name in devices}
        tokens.update({name: hub.devices.add_device(name, "display", None) for name in displays})
        for name, counter in (pads or {}).items():
            tokens[name] = hub.devices.add_device(name, "rating-pad", counter)
        return tokens
    finally:
        hub.engine.dispose()


# ------------------------------------------------------------------ servers
class Server:
    """A hub server in a process group of its own; always ended by :meth:`stop`.

    Args:
        kind: ``shipped`` (``motcua serve``) or ``werkzeug`` (the baseline).
        dep: its deployment.
        workers: gunicorn workers (``shipped`` only).
        extra_env: more environment variables for the server alone (investigations,
            e.g. ``PSYCOPG_WAIT_FUNC=wait_poll``).
    """

    def __init__(
        self, kind: str, dep: Deployment, workers: int = 1, extra_env: dict[str, str] | None = None
    ) -> None:
        if kind not in SERVERS:
            raise ValueError(f"unknown server {kind!r}")
        if kind == "werkzeug" and workers != 1:
            raise ValueError("the Werkzeug baseline is one process")
        self.kind = kind
        self.workers = workers
        self.dep = dep
        self.env = {**dep.env, **(extra_env or {})}
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = dep.folder / f"{kind}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def label(self) -> str:
        if self.kind == "shipped":
            return f"{SERVER_LABELS['shipped']}, {self.workers} worker(s)"
        return SERVER_LABELS[self.kind]

    def command(self) -> list[str]:
        where = ["--host", HOST, "--port", str(self.port)]
        if self.kind == "shipped":
            return [
                *motcua_command(),
                *("--config", str(self.dep.config), "serve", *where),
                *("--workers", str(self.workers)),
            ]
        return [sys.executable, "-m", "bench.baseline_server", "--config", str(self.dep.config)] + (
            where
        )

    def start(self) -> Server:
        """Start the server and wait for ``/healthz`` (and every worker's readiness)."""
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200 and self._workers_up():
                        time.sleep(0.5)  # every worker's background has started
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.kind} server not healthy:\n{self.log_tail()}")

    def _workers_up(self) -> bool:
        """All gunicorn workers forked (one answered /healthz; the others must exist)."""
        assert self.proc is not None
        return self.kind != "shipped" or len(tree_pids(self.proc.pid)) >= 1 + self.workers

    def cpu(self) -> dict[int, float]:
        """CPU seconds of each of the server's processes (master and workers)."""
        return tree_cpu(self.proc.pid) if self.proc is not None else {}

    def meter(self, client: CpuSource) -> Meter:
        """A :class:`Meter` of this server, its clients' processes (``client``), its
        database backends and the benchmark's own process."""
        sources = {"server": self.cpu, "client": client, "database": self.dep.database_cpu}
        return Meter({**sources, "bench": this_process})

    def worker_cpu(self) -> dict[int, float]:
        """The workers' CPU alone (gunicorn's children), to see how the load spread."""
        if self.proc is None:
            return {}
        return {pid: s for pid, s in self.cpu().items() if pid != self.proc.pid}

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Quick shutdown of the whole process group (SIGKILL after 15 s)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            # gunicorn's quick shutdown is SIGINT; the baseline ends on SIGTERM.
            self.proc.send_signal(signal.SIGINT if self.kind == "shipped" else signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # stray workers of this group
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=15)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ------------------------------------------------------------------ figures
def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def latency_summary(values_ms: list[float]) -> dict[str, float | None]:
    """p50, p90, p99, max and mean (ms) of some latencies."""
    lat = sorted(values_ms)
    if not lat:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    return {
        "p50_ms": round(percentile(lat, 50), 2),
        "p90_ms": round(percentile(lat, 90), 2),
        "p99_ms": round(percentile(lat, 99), 2),
        "max_ms": round(lat[-1], 2),
        "mean_ms": round(sum(lat) / len(lat), 2),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b`` rounded, or None when either is missing or ``b`` is 0."""
    return round(a / b, 2) if a is not None and b else None


def environment() -> dict[str, Any]:
    """What a figure depends on besides the code."""
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        **{name: version(name) for name in ("gunicorn", "gevent", "werkzeug", "flask-socketio")},
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "command": " ".join(sys.orig_argv),
        "commit": _git_commit(),
    }


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def write_result(name: str, result: dict[str, Any], output: Path | None = None) -> Path:
    """Write ``bench/results/<name>.json`` (or ``output``); returns the path."""
    path = output or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    result.setdefault("measured_at", datetime.now(UTC).isoformat(timespec="seconds"))
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def noise(usage: dict[str, Any]) -> str:
    """How busy the machine was during a phase, in a few words."""
    before, after = usage["loadavg_before"][0], usage["loadavg_after"][0]
    return f"others {usage['other_cpu_s']} s CPU; load {before}→{after}"


def print_table(
    title: str, columns: list[str], rows: tuple[tuple[str, str], ...], cells: list[dict[str, Any]]
) -> None:
    """One figure a row, one column a server (or a ratio), then the machine's load."""
    print(f"\n{title}")
    print(f"  {'':<28}" + "".join(f"{c:>14}" for c in columns))
    for label, key in rows:
        values = ["—" if c.get(key) is None else str(c[key]) for c in cells]
        print(f"  {label:<28}" + "".join(f"{v:>14}" for v in values))
    used = [c["usage"] for c in cells if "usage" in c]
    loads = [f"{u['loadavg_before'][0]}→{u['loadavg_after'][0]}" for u in used]
    print(f"  {'load average, 1 min':<28}" + "".join(f"{v:>14}" for v in loads))
    others = [str(u["other_cpu_s"]) for u in used]
    print(f"  {'others CPU s (noise)':<28}" + "".join(f"{v:>14}" for v in others))


# ------------------------------------------------------------------ profiles
def start_profiler(
    proc: subprocess.Popen[bytes] | None, output: Path, seconds: float
) -> subprocess.Popen[bytes] | None:
    """``py-spy record`` of a server's processes for ``seconds``: the threads holding the GIL
    (Python's CPU time; waits and C calls that release it are left out), raw stacks.

    Only when py-spy is installed next to this interpreter (``pip install py-spy``);
    an investigation's tool, not a dependency of the benchmarks.
    """
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists() or proc is None:
        print("py-spy is not installed in this environment: no profile", file=sys.stderr)
        return None
    output.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(spy), "record", "--pid", str(proc.pid), "--subprocesses", "--gil", "--rate", "250"]
    cmd += ["--duration", str(max(1, round(seconds))), "--format", "raw", "--nonblocking"]
    cmd += ["--output", str(output)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def profiling(server: Server, output: Path | None, seconds: float) -> Iterator[None]:
    """py-spy records ``server`` into ``output`` (when given) while the block runs."""
    spy = start_profiler(server.proc, output, seconds) if output else None
    try:
        yield
    finally:
        stop_profiler(spy)


def stop_profiler(spy: subprocess.Popen[bytes] | None, grace_s: float = 15.0) -> None:
    """Wait for py-spy to write its profile; interrupt it (it still writes) if it lags."""
    if spy is None:
        return
    try:
        spy.wait(grace_s)
    except subprocess.TimeoutExpired:
        spy.send_signal(signal.SIGINT)  # many threads slow it down; it saves on SIGINT
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait(10)


#: Frames every request or thread goes through, left out of the inclusive shares.
WRAPPERS = ("threading.py", "socketserver.py", "http/server.py", "greenlet", "process ", "Hub.run")


def profile_summary(path: Path, top: int = 25) -> tuple[list[tuple[float, str]], ...]:
    """Shares of samples (%) by function, from py-spy's raw output: (inclusive, own).

    Line numbers are dropped so a function counts once per stack; the wrappers of
    :data:`WRAPPERS` are left out of the inclusive list.
    """
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            if not any(w in frame for w in WRAPPERS):
                inclusive[frame] += n
    if not total:
        return [], []
    return tuple(
        [(round(100 * n / total, 1), f) for f, n in counts.most_common(top)]
        for counts in (inclusive, own)
    )


def print_profiles(folder: Path) -> None:
    """Where the server's time went, for each profile under ``folder``."""
    for path in sorted(folder.rglob("*.txt")):
        inclusive, own = profile_summary(path)
        print(f"\nwhere the server's time goes, {path} (inclusive % | own %):")
        for (pct, frame), (own_pct, own_frame) in zip(inclusive, own, strict=False):
            print(f"  {pct:5.1f} {frame[:70]:<70} | {own_pct:5.1f} {own_frame[:70]}")
