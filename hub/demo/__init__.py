"""``motcua demo``: a whole centre on one machine, with fake hardware.

Clearly marked demo accounts and devices are created in a throw-away data
folder; nothing here is ever used outside the demo. The hub runs on the same
production server as ``motcua serve``; the fake kiosk, pads, keypad and display
agent run in a process of their own (:mod:`hub.demo.agents`) and talk to it
over HTTP and Socket.IO, exactly as real Pis would.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from config.paths import EXAMPLES
from config.schema import Config, load_config
from config.wire import DeviceKind, Role
from hub.accounts import DeviceService, UserService
from hub.cli.server import HubServer, warn_without_public_url
from hub.clock import utcnow
from hub.demo.history import seed_history
from hub.settings import Settings
from hub.store.backup import serving
from hub.store.db import make_engine, upgrade

logger = logging.getLogger(__name__)

CONFIG = EXAMPLES / "demo.toml"
DEMO_USERS = (
    ("admin", "demo-admin-2026", Role.ADMIN, "Quản trị (demo)"),
    ("quanly", "demo-quanly-2026", Role.MANAGER, "Lãnh đạo Trung tâm (demo)"),
    ("canbo1", "demo-canbo1-2026", Role.STAFF, "Nguyễn Thị Lan (demo)"),
    ("canbo2", "demo-canbo2-2026", Role.STAFF, "Trần Văn Minh (demo)"),
    ("canbo3", "demo-canbo3-2026", Role.STAFF, "Lê Thu Hà (demo)"),
)


def add_command(sub: Any) -> None:
    """Add ``motcua demo``."""
    demo = sub.add_parser("demo", help="a whole centre on this machine with fake hardware")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument(
        "--data", help="data folder (default: a new temporary folder, removed at the end)"
    )
    demo.add_argument(
        "--simulate",
        action="store_true",
        help="citizens arrive and officers call them by themselves (a morning, sped up)",
    )
    demo.set_defaults(func=run_demo)


def demo_devices(config: Config) -> list[tuple[str, str, str | None]]:
    """Every device of the demo: ``(name, kind, counter)``."""
    last = config.counters[-1].id
    return [
        ("kiosk-demo", DeviceKind.KIOSK, None),
        ("display-agent-demo", DeviceKind.DISPLAY, None),
        (f"keypad-demo-{last}", DeviceKind.COUNTER_KEYPAD, last),
        *((f"pad-demo-{c.id}", DeviceKind.RATING_PAD, c.id) for c in config.counters),
    ]


def prepare(data_dir: Path) -> tuple[Settings, dict[str, str]]:
    """The demo's database in ``data_dir``: accounts, devices (their tokens) and history."""
    os.environ["MOTCUA_DATA"] = str(data_dir)
    os.environ.pop("MOTCUA_DATABASE_URL", None)
    config = load_config(CONFIG)
    settings = Settings.from_env(config, data_dir)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    users = UserService(engine, config.security, utcnow, PasswordHasher())
    for username, password, role, name in DEMO_USERS:
        users.add_user(username, password, role, display_name=name, enforce_policy=False)
    devices = DeviceService(engine, utcnow)
    tokens = {
        name: devices.add_device(name, kind, counter)
        for name, kind, counter in demo_devices(config)
    }
    try:
        seed_history(engine, config, utcnow())
    except Exception:  # noqa: BLE001 - the demo runs without history too
        logger.exception("could not seed the demo history")
    engine.dispose()  # the server's worker opens its own, after gevent patched it
    return settings, tokens


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo until Ctrl+C."""
    data_dir = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="motcua-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _serve_demo(args, data_dir)
    finally:
        if not args.data:  # the throw-away folder goes with the demo
            shutil.rmtree(data_dir, ignore_errors=True)


def _serve_demo(args: argparse.Namespace, data_dir: Path) -> int:
    settings, tokens = prepare(data_dir)
    base = f"http://{args.host}:{args.port}"
    agents = FakeDevices(base, tokens, data_dir, simulate=args.simulate)
    print("\n".join(banner(settings.config, base, data_dir)), flush=True)
    warn_without_public_url(settings.config, base)
    server = HubServer(
        settings,
        bind=f"{args.host}:{args.port}",
        workers=1,
        tls=None,
        on_ready=agents.start,
        on_exit=agents.stop,
    )
    with serving(data_dir):
        server.run()
    return 0


def banner(config: Config, base: str, data_dir: Path) -> list[str]:
    """What the demo prints at start."""
    return [
        "",
        f"  motcua demo — {config.site.name}",
        f"  data folder (throw-away): {data_dir}",
        "",
        f"  Màn hình gọi số (display)     {base}/display",
        f"  Bàn làm việc cán bộ (console) {base}/counter",
        f"  Tổng quan lãnh đạo (dashboard) {base}/dashboard",
        f"  Quản trị (admin)              {base}/admin",
        f"  API (OpenAPI)                 {base}/api/v1/openapi.json",
        "",
        "  Demo accounts (DEMO ONLY — never use these passwords for real):",
        *(f"    {u:<8} {p:<18} {r}" for u, p, r, _ in DEMO_USERS),
        "",
        "  Báo cáo trên dữ liệu demo (report on the demo's data, while it runs):",
        f"    {report_command(data_dir)}",
        "",
        "  Ctrl+C to stop.",
        "",
    ]


def report_command(data_dir: Path) -> str:
    """The exact ``motcua report`` command line that reads the demo's data folder.

    The data folder goes in ``MOTCUA_DATA`` and the demo's configuration in
    ``--config``; ``MOTCUA_DATABASE_URL`` is emptied, as the demo itself does, so that
    a database named in the person's shell is not read instead.
    """
    return (
        f"MOTCUA_DATA={shlex.quote(str(data_dir))} MOTCUA_DATABASE_URL= "
        f"{_motcua()} --config {shlex.quote(str(CONFIG))} "
        "report satisfaction --period month --out bao-cao-demo.xlsx"
    )


def _motcua() -> str:
    """How to run ``motcua`` from a shell: by name when that finds this very
    installation, else the script beside this Python, else ``python -m hub.cli``."""
    script = Path(sys.executable).with_name("motcua")
    if not script.exists():
        return f"{shlex.quote(sys.executable)} -m hub.cli"
    found = shutil.which("motcua")
    if found and Path(found).resolve() == script.resolve():
        return "motcua"
    return shlex.quote(str(script))


class FakeDevices:
    """The process running the demo's fake-hardware agents (:mod:`hub.demo.agents`)."""

    def __init__(
        self, base: str, tokens: dict[str, str], data_dir: Path, *, simulate: bool = False
    ) -> None:
        self.job_file = data_dir / "demo-agents.json"
        self.job = {
            "config": str(CONFIG),
            "hub_url": base,
            "tokens": tokens,
            "data_dir": str(data_dir),
            "accounts": [list(u) for u in DEMO_USERS],
            "simulate": simulate,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the agents (the server listens by now: they begin connected)."""
        self.job_file.write_text(json.dumps(self.job), encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub.demo.agents", str(self.job_file)]
        )

    def stop(self) -> None:
        """Stop the agents (each closes its devices and outbox)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
