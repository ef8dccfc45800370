"""Helpers for the end-to-end tests: real ``motcua`` processes and an HTTP client.

Everything here talks to real processes on 127.0.0.1 only: the ``motcua``
command line (users, devices) and ``motcua serve`` (the hub), through
``requests``. Every loop is bounded and every process is killed by the fixture
that started it (see ``conftest.py``).
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from tests.support.live import free_port
from tests.support.paths import REPO

logger = logging.getLogger(__name__)

DEMO_CONFIG = REPO / "config" / "examples" / "demo.toml"
LOCALHOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 40.0
CLI_TIMEOUT_S = 90.0
# SQLite waits up to 10 s for its write lock; a request may queue behind that.
REQUEST_TIMEOUT_S = 30.0


def motcua_command() -> list[str]:
    """The installed ``motcua`` script next to this interpreter, else ``python -m hub.cli``."""
    script = Path(sys.executable).with_name("motcua")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "hub.cli"]


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without any ``MOTCUA_*`` variable, plus ``extra``.

    A developer's own ``MOTCUA_DATABASE_URL`` must never leak into a test hub.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


# ------------------------------------------------------------------ config
@dataclass(frozen=True)
class ServiceNumbering:
    """How a field's numbers look: ``prefix`` + the day's sequence padded to ``digits``."""

    id: str
    start: int
    prefix: str
    digits: int

    def seq(self, number: str) -> int:
        if not number.startswith(self.prefix):
            raise ValueError(f"{number!r} lacks prefix {self.prefix!r} of {self.id}")
        return int(number[len(self.prefix) :])

    def number(self, seq: int) -> str:
        return f"{self.prefix}{seq:0{self.digits}d}"


@dataclass(frozen=True)
class SiteConfig:
    """The parts of a configuration file the tests reason about."""

    path: Path
    timezone: str
    services: dict[str, ServiceNumbering]
    counters: dict[str, tuple[str, ...]]

    @classmethod
    def read(cls, path: Path) -> SiteConfig:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        services = {
            s["id"]: ServiceNumbering(
                s["id"], int(s.get("start", 1)), s.get("prefix", ""), int(s.get("digits", 3))
            )
            for s in data["services"]
        }
        counters = {c["id"]: tuple(c["services"]) for c in data["counters"]}
        tz = data.get("site", {}).get("timezone", "Asia/Ho_Chi_Minh")
        return cls(path, tz, services, counters)

    def local_day(self, iso: str) -> date:
        """The site-local day of an ISO 8601 instant (numbers restart each local day)."""
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        return when.astimezone(ZoneInfo(self.timezone)).date()


# Users and devices every seeded site holds (see ``conftest.py``).
STAFF = ("staff1", "staff2", "staff3")
ADMIN = "admin1"
KIOSK = "kiosk1"
PAD = "pad1"  # a rating pad (the fuzzing gate needs one)
LINK = "xa-hoa-vang"  # an upstream link: a centre's hub forwarding to this one (the same)
PAD_COUNTER = "1"


def display_name(user: str) -> str:
    """The name a seeded user shows (public answers never carry a login name)."""
    return f"Cán bộ {user}"


# --------------------------------------------------------------------- cli
class MotcuaCli:
    """Runs ``motcua --config CONFIG …`` against one database."""

    def __init__(self, config: Path, env: dict[str, str], cwd: Path) -> None:
        self.config = config
        self.env = env
        self.cwd = cwd

    def run(self, *args: str, stdin: str | None = None) -> str:
        """Run a command; returns its stdout, raises with its stderr on failure."""
        cmd = [*motcua_command(), "--config", str(self.config), *args]
        done = subprocess.run(
            cmd,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"`motcua {' '.join(args)}` exited with {done.returncode}:\n{done.stderr[-4000:]}"
            )
        return done.stdout

    def add_user(self, name: str, role: str, password: str) -> None:
        self.run("user", "add", name, "--role", role, "--display-name", display_name(name),
                 "--password-stdin", stdin=password + "\n")  # fmt: skip

    def add_device(self, name: str, kind: str, counter: str | None = None) -> str:
        """Register a device; returns the token (the last line of stdout)."""
        args = ["device", "add", name, "--kind", kind]
        if counter is not None:
            args += ["--counter", counter]
        return _last_word(self.run(*args), "device add")

    def add_link(self, name: str) -> str:
        """Register a centre's hub that forwards to this one; returns its token."""
        return _last_word(self.run("upstream", "link", name), "upstream link")


def _last_word(stdout: str, command: str) -> str:
    """The token a command prints on its last line."""
    lines = stdout.strip().splitlines()
    if not lines or len(lines[-1].split()) != 1:
        raise RuntimeError(f"no token on the last line of `motcua {command}`: {lines!r}")
    return lines[-1]


def _signal_group(pgid: int, signum: int) -> None:
    """Signal every process of a group (the server started in a session of its own)."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------- hub
class HubProcess:
    """One ``motcua serve`` process on a free port of 127.0.0.1."""

    def __init__(
        self, name: str, config: Path, env: dict[str, str], log_dir: Path, cwd: Path
    ) -> None:
        self.name = name
        self.config = config
        self.env = env
        self.cwd = cwd
        self.log_path = log_dir / f"hub-{name}.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.serve_args: list[str] = []
        """More options of ``motcua serve`` (e.g. ``["--workers", "2"]``)."""

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def start(self, timeout_s: float = STARTUP_TIMEOUT_S) -> HubProcess:
        """Start the process and wait until ``/healthz`` answers 200."""
        self.launch()
        self.wait_healthy(timeout_s)
        return self

    def launch(self) -> None:
        """Start the process on a new free port (without waiting for it)."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError(f"hub {self.name} is already running")
        self.port = free_port()
        self.starts += 1
        cmd = [
            *motcua_command(),
            "--config",
            str(self.config),
            "serve",
            "--host",
            LOCALHOST,
            "--port",
            str(self.port),
            *self.serve_args,
        ]
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts} on port {self.port} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,  # its own group: kill() reaches the workers too
            )

    def wait_healthy(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Poll ``/healthz`` (bounded) until it answers 200; raise with the log if not."""
        deadline = time.monotonic() + timeout_s
        with requests.Session() as session:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(
                        f"hub {self.name} exited during start-up:\n{self.log_tail()}"
                    )
                try:
                    response = session.get(f"{self.url}/healthz", timeout=2)
                    if response.status_code == 200:
                        return
                except requests.RequestException:  # refused, or queued while the worker boots
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"hub {self.name} not healthy after {timeout_s} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """``kill -9`` of the server and its worker processes: no chance to flush or close
        anything."""
        if self.proc is not None:
            _signal_group(self.proc.pid, signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        """SIGTERM to the server's group as systemd sends it, then SIGKILL to whatever of
        the group is left after gunicorn's graceful timeout (10 s) and a margin: no worker
        outlives the stop still holding the data folder's serving lock."""
        if self.proc is not None and self.proc.poll() is None:
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        if self.proc is not None:
            _signal_group(self.proc.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            self.proc.wait(timeout=10)
            self.proc = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, chars: int = 6000) -> str:
        return self.log_text()[-chars:]


# -------------------------------------------------------------------- site
@dataclass
class Site:
    """A seeded database and how to reach it."""

    config: SiteConfig
    env: dict[str, str]
    passwords: dict[str, str]
    kiosk_token: str
    db: Database
    workdir: Path
    pad_token: str = ""
    link_token: str = ""


StartHub = Callable[..., list[HubProcess]]


# -------------------------------------------------------------------- http
class ApiError(AssertionError):
    """An API answer other than the one a test needed."""


class ApiClient:
    """A ``requests`` session against one hub's ``/api/v1``, with an optional bearer token."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def request(
        self, method: str, path: str, *, json: Any = None, token: str | None = None
    ) -> requests.Response:
        headers = {}
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        url = f"{self.base_url}/api/v1{path}"
        return self.session.request(
            method, url, json=json, headers=headers, timeout=REQUEST_TIMEOUT_S
        )

    def expect(
        self, method: str, path: str, status: int | Sequence[int], *, json: Any = None
    ) -> requests.Response:
        wanted = (status,) if isinstance(status, int) else tuple(status)
        response = self.request(method, path, json=json)
        if response.status_code not in wanted:
            raise ApiError(
                f"{method} {path} -> {response.status_code} (wanted {wanted}): "
                f"{response.text[:500]}"
            )
        return response

    # The API calls the tests use, each checking its documented status.
    def login(self, username: str, password: str) -> str:
        body = {"username": username, "password": password}
        return str(self.expect("POST", "/auth/login", 200, json=body).json()["token"])

    def issue(self, service: str, priority: str | None = None) -> dict[str, Any]:
        body = {"service": service, "priority": priority}
        return dict(self.expect("POST", "/tickets", 201, json=body).json())

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return dict(self.expect("GET", f"/tickets/{ticket_id}", 200).json())

    def open_counter(self, counter: str) -> dict[str, Any]:
        return dict(self.expect("POST", f"/counters/{counter}/open", 200).json())

    def call_next(self, counter: str) -> dict[str, Any] | None:
        """The called ticket, or ``None`` on 204 (nobody waits)."""
        response = self.expect("POST", f"/counters/{counter}/call-next", (200, 204))
        return None if response.status_code == 204 else dict(response.json())

    def counters(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.expect("GET", "/counters", 200).json()}


def login_token(base_url: str, username: str, password: str) -> str:
    with ApiClient(base_url) as api:
        return api.login(username, password)


# ------------------------------------------------------------ load drivers
@dataclass
class Issued:
    """A ticket whose ``POST /tickets`` answered 201, and which hub answered."""

    ticket: dict[str, Any]
    hub: str


def ticket_key(ticket: dict[str, Any]) -> tuple[str, str]:
    """What identifies a ticket in every answer: its number and issue time.

    Counter answers carry no ticket ``id`` (the id is the holder's right to
    rate), and a number is unique per day, so (number, issued_at) is unique.
    """
    return str(ticket["number"]), str(ticket["issued_at"])


@dataclass
class Called:
    """A ticket a counter's ``call-next`` answered 200 with (no ``id`` in it)."""

    counter: str
    ticket: dict[str, Any]
    hub: str


@dataclass
class LoadLog:
    """What the load threads saw, thread-safe."""

    issued: list[Issued] = field(default_factory=list)
    called: list[Called] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_issued(self, item: Issued) -> None:
        with self.lock:
            self.issued.append(item)

    def add_called(self, item: Called) -> None:
        with self.lock:
            self.called.append(item)

    def add_error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.issued), len(self.called)


class LoadThreads:
    """Threads that run until :attr:`stop` is set: started on entering the ``with``,
    stopped and joined (bounded) on leaving it."""

    def __init__(self, targets: Iterable[Callable[[], None]], join_s: float = 40.0) -> None:
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=t, daemon=True) for t in targets]
        self.join_s = join_s

    def __enter__(self) -> Any:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        deadline = time.monotonic() + self.join_s
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self.threads if t.is_alive()]
        if alive and exc[0] is None:
            raise AssertionError(f"load threads still running after {self.join_s} s: {alive}")


def run_threads(targets: Iterable[Callable[[], None]], timeout_s: float) -> None:
    """Run each target in its own thread and join them all (bounded)."""
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        raise AssertionError(f"threads still running after {timeout_s} s: {alive}")


def issue_plan(n: int, services: Sequence[str]) -> list[tuple[str, str | None]]:
    """``n`` ticket requests over the fields, one in seven a priority (elderly)."""
    return [(services[i % len(services)], "elderly" if i % 7 == 3 else None) for i in range(n)]


# ------------------------------------------------------- direct DB queries
@dataclass(frozen=True)
class Database:
    """Read-only SQL on the hub's database, for invariants no API lists.

    SQLite is read while a hub holds it open (WAL), so closing this connection
    never checkpoints behind the hub's back.
    """

    kind: str  # "sqlite" | "postgres"
    target: str  # file path or libpq URL (with its search_path option)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.kind == "sqlite":
            with closing(sqlite3.connect(self.target, timeout=10)) as conn:
                return list(conn.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.target) as conn:
            return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]
