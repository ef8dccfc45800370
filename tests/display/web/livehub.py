"""A real hub for the screen's tests: its accounts and callers, and ``motcua serve`` as a process.

Shared by ``conftest.py`` and ``shoot_screens.py`` (the screenshot script).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from config.paths import EXAMPLES
from config.schema import load_config
from hub.settings import Settings
from tests.support.live import free_port
from tests.support.paths import REPO

# Short, chime-less announcements keep the audio tests quick ("Số bê một").
FAST_DISPLAY: dict[str, Any] = {"template": "Số {number}", "chime": False, "recent_s": 60}
STAFF_PASSWORD = "mat-khau-kiem-thu"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(
    folder: Path,
    *,
    timezone: str | None = None,
    example: str = "demo.toml",
    extra: str = "",
    **display: Any,
) -> Path:
    """An example configuration (the demo's by default) with ``[display]`` keys (and
    the site's timezone) overridden and ``extra`` TOML appended; returns its path."""
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    if timezone is not None:
        zone_line = 'timezone = "Asia/Ho_Chi_Minh"\n'
        assert zone_line in text
        text = text.replace(zone_line, f'timezone = "{timezone}"\n', 1)
    keys = "".join(f"{key} = {_toml(value)}\n" for key, value in display.items())
    text = text.replace("[display]\n", "[display]\n" + keys, 1) + extra
    path = folder / "motcua.toml"
    path.write_text(text, encoding="utf-8")
    return path


def settings_for(config_path: Path, data_dir: Path, **kwargs: Any) -> Settings:
    """Test settings on the SQLite file ``motcua serve`` uses for ``data_dir``."""
    return Settings(
        config=load_config(config_path),
        database_url=f"sqlite:///{data_dir / 'motcua.db'}",
        data_dir=data_dir,
        testing=True,
        background=False,
        sqlite_synchronous="NORMAL",
        cheap_password_hashing=True,
        **kwargs,
    )


class FakeClock:
    """The hub's clock, moved by the test (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Accounts:
    """A kiosk token and three staff accounts (``canbo1``… for counters 1…3)."""

    kiosk_token: str
    staff: list[str] = field(default_factory=list)


def add_staff(app: Any, counter: str) -> str:
    """Add the staff account ``canbo<counter>`` (password :data:`STAFF_PASSWORD`)."""
    name = f"canbo{counter}"
    app.extensions["motcua"].users.add_user(name, STAFF_PASSWORD, "staff", enforce_policy=False)
    return name


def add_accounts(app: Any, counters: tuple[str, ...] = ("1", "2", "3")) -> Accounts:
    """A kiosk device and a staff account per counter in ``counters``.

    Each password hash takes a few hundred milliseconds, so add only those needed.
    """
    hub = app.extensions["motcua"]
    staff = [add_staff(app, counter) for counter in counters]
    return Accounts(kiosk_token=hub.devices.add_device("kiosk-test", "kiosk", None), staff=staff)


class HubClient:
    """Drives a hub through its HTTP API, as the kiosk and the staff console do."""

    def __init__(self, base_url: str, accounts: Accounts) -> None:
        self.base_url = base_url
        self.accounts = accounts
        self.http = requests.Session()
        self._tokens: dict[str, str] = {}

    def _post(self, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.post(
            f"{self.base_url}/api/v1{path}",
            json=body or {},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def issue(self, service: str) -> dict[str, Any]:
        return self._post("/tickets", self.accounts.kiosk_token, {"service": service})

    def staff_token(self, counter: str) -> str:
        if counter not in self._tokens:
            answer = self.http.post(
                f"{self.base_url}/api/v1/auth/login",
                json={"username": f"canbo{counter}", "password": STAFF_PASSWORD},
                timeout=10,
            )
            answer.raise_for_status()
            self._tokens[counter] = answer.json()["token"]
        return self._tokens[counter]

    def open(self, counter: str) -> None:
        self._post(f"/counters/{counter}/open", self.staff_token(counter))

    def call_next(self, counter: str) -> dict[str, Any]:
        return self._post(f"/counters/{counter}/call-next", self.staff_token(counter))


class Caller:
    """Issues tickets and calls them through the HTTP API (Flask test client)."""

    def __init__(self, app: Any, accounts: Accounts) -> None:
        self.app = app
        self.http = app.test_client()
        self.hub = app.extensions["motcua"]
        self.accounts = accounts
        self.tokens: dict[str, str] = {}

    def _post(self, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.post(
            f"/api/v1{path}", json=body or {}, headers={"Authorization": f"Bearer {token}"}
        )
        if answer.status_code >= 300:
            raise AssertionError(f"{path}: {answer.status_code} {answer.get_data(as_text=True)}")
        return answer.get_json()

    def staff(self, counter: str) -> str:
        if counter not in self.tokens:
            if f"canbo{counter}" not in self.accounts.staff:
                self.accounts.staff.append(add_staff(self.app, counter))
            answer = self.http.post(
                "/api/v1/auth/login",
                json={"username": f"canbo{counter}", "password": STAFF_PASSWORD},
            )
            self.tokens[counter] = answer.get_json()["token"]
            self._post(f"/counters/{counter}/open", self.tokens[counter])
        return self.tokens[counter]

    def call(self, counter: str, service: str) -> dict[str, Any]:
        """Issue a ticket in ``service``, call the next at ``counter``; return the call."""
        self._post("/tickets", self.accounts.kiosk_token, {"service": service})
        ticket = self._post(f"/counters/{counter}/call-next", self.staff(counter))
        call = self.hub.views.snapshot(recent=1)["recent"][-1]
        if call["number"] != ticket["number"]:
            raise AssertionError(f"the newest call is {call}, not ticket {ticket}")
        return call


class HubProcess:
    """``motcua serve`` in its own process, so it can be killed and started again."""

    def __init__(self, config_path: Path, data_dir: Path, port: int | None = None) -> None:
        self.config_path = config_path
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "serve.log"
        self._ready = False

    def start(self, *, wait: bool = True) -> None:
        """Spawn ``motcua serve``; with ``wait``, return once it answers /healthz."""
        env = dict(os.environ, MOTCUA_DATA=str(self.data_dir), MOTCUA_SQLITE_SYNCHRONOUS="NORMAL")
        env.pop("MOTCUA_DATABASE_URL", None)
        command = [sys.executable, "-m", "hub.cli", "--config", str(self.config_path)]
        command += ["serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._ready = False
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the spawned server answers /healthz."""
        if self._ready:
            return
        if self.process is None:
            raise RuntimeError("motcua serve was not started")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"motcua serve exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    self._ready = True
                    return
            except requests.RequestException:  # refused, or queued while the worker boots
                pass
            time.sleep(0.05)
        raise RuntimeError(f"motcua serve did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """Stop the server the hard way (a crash or a pulled plug)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None
