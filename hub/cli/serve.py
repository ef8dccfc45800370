"""``motcua serve``: the hub with the display service."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Any

from config.wire import Role
from hub.app import create_app
from hub.background import start_background
from hub.cli import CliError
from hub.cli.common import load
from hub.context import Hub, hub_of
from hub.settings import Settings

logger = logging.getLogger("motcua")


def add_command(sub: Any) -> None:
    """Add ``motcua serve``."""
    serve = sub.add_parser("serve", help="run the hub with the display service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    config = load(args)
    app = create_app(Settings.from_env(config))
    hub = hub_of(app)
    _first_admin(hub)
    background = start_background(app)
    url = f"http://{args.host}:{args.port}"
    print(f"motcua hub for «{config.site.name}» on {url}", flush=True)
    try:
        hub.socketio.run(
            app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False
        )
    finally:
        background.stop()
    return 0


def _first_admin(hub: Hub) -> None:
    """No default credentials: on first run ask for an admin, or say how to add one."""
    if hub.users.user_count() > 0:
        return
    if not sys.stdin.isatty():
        logger.warning(
            "no user exists yet: add an administrator with "
            "`motcua user add NAME --role admin --password-stdin`"
        )
        return
    print("Chưa có tài khoản nào. Tạo tài khoản quản trị (admin) đầu tiên:")
    name = input("Tên đăng nhập: ").strip()
    password = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != password:
        raise CliError("hai lần nhập mật khẩu không khớp")
    hub.users.add_user(name, password, Role.ADMIN)
    hub.audit.record(
        "user_add", actor="cli", target=f"user:{name}", after={"role": Role.ADMIN.value}
    )
    print(f"Đã tạo tài khoản quản trị {name}.")
