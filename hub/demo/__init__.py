"""``motcua demo``: a whole centre on one machine, with fake hardware.

Clearly marked demo accounts and devices are created in a throw-away data
folder; nothing here is ever used outside the demo.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import tempfile
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from flask import Flask

from config import EXAMPLES, Config, load_config
from config.wire import DeviceKind, Role
from hub.app import create_app
from hub.background import start_background
from hub.context import Hub, hub_of
from hub.demo.history import seed_history
from hub.settings import Settings

logger = logging.getLogger(__name__)

#: Entry-point group of the demo's fake-hardware agents. Each is a callable
#: ``start(*, config, hub_url, tokens, data_dir, stop, accounts) -> list[str]``
#: (the lines to print); agents talk to the demo hub over HTTP like real Pis.
DEMO_GROUP = "motcua.demo"

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
    demo.add_argument("--data", help="data folder (default: a new temporary folder)")
    demo.set_defaults(func=run_demo)


def prepare(data_dir: Path) -> tuple[Flask, Hub, dict[str, str]]:
    """Build the demo app in ``data_dir`` with its accounts and device tokens."""
    os.environ["MOTCUA_DATA"] = str(data_dir)
    os.environ.pop("MOTCUA_DATABASE_URL", None)
    config = load_config(EXAMPLES / "demo.toml")
    settings = Settings.from_env(config, data_dir)
    app = create_app(settings)
    hub = hub_of(app)
    for username, password, role, name in DEMO_USERS:
        hub.users.add_user(username, password, role, display_name=name, enforce_policy=False)
    last = config.counters[-1].id
    devices: list[tuple[str, str, str | None]] = [
        ("kiosk-demo", DeviceKind.KIOSK, None),
        ("screen-demo", DeviceKind.DISPLAY, None),
        ("display-agent-demo", DeviceKind.DISPLAY, None),
        (f"keypad-demo-{last}", DeviceKind.COUNTER_KEYPAD, last),
        *((f"pad-demo-{c.id}", DeviceKind.RATING_PAD, c.id) for c in config.counters),
    ]
    tokens = {name: hub.devices.add_device(name, kind, counter) for name, kind, counter in devices}
    try:
        seed_history(hub)
    except Exception:  # noqa: BLE001 - the demo runs without history too
        logger.exception("could not seed the demo history")
    return app, hub, tokens


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo until Ctrl+C."""
    data_dir = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="motcua-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    app, hub, tokens = prepare(data_dir)
    base = f"http://{args.host}:{args.port}"
    stop = threading.Event()
    background = start_background(app)

    def agents_when_up() -> None:
        # The fake kiosk, pads, keypad and display agent talk to the hub over HTTP
        # like real Pis; start them once it answers, so they begin connected.
        wait_until_serving(args.host, args.port, stop)
        agents = start_demo_agents(hub.config, base, tokens, data_dir, stop)
        print("\n".join(["", "  Thiết bị giả lập (fake hardware):", *agents, ""]), flush=True)

    threading.Thread(target=agents_when_up, name="demo-agents", daemon=True).start()
    lines = [
        "",
        f"  motcua demo — {hub.config.site.name}",
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
        "  Ctrl+C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)
    try:
        hub.socketio.run(
            app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False
        )
    finally:
        stop.set()
        background.stop()
    return 0


def wait_until_serving(host: str, port: int, stop: threading.Event, timeout_s: float = 15) -> None:
    """Block until ``host:port`` accepts connections (or the timeout passes)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)


def start_demo_agents(
    config: Config, base: str, tokens: dict[str, str], data_dir: Path, stop: threading.Event
) -> list[str]:
    """Start the fake-hardware agents installed with this build; returns URL lines."""
    lines: list[str] = []
    for part in sorted(entry_points(group=DEMO_GROUP), key=lambda ep: ep.name):
        start = part.load()
        lines.extend(
            start(
                config=config,
                hub_url=base,
                tokens=tokens,
                data_dir=data_dir,
                stop=stop,
                accounts=DEMO_USERS,
            )
        )
    return lines
