"""``motcua serve``: the hub with the display service, on a production server."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import logging
import sys
from typing import Any

from argon2 import PasswordHasher

from config.schema import Config
from config.wire import Role
from hub.accounts import UserService
from hub.audit import AuditLog
from hub.cli import EXIT_USAGE, CliError
from hub.cli.server import HubServer, warn_without_public_url
from hub.cli.settings import load
from hub.clock import utcnow
from hub.settings import Settings
from hub.store.backup import serving
from hub.store.db import make_engine, upgrade

logger = logging.getLogger("motcua")


def add_command(sub: Any) -> None:
    """Add ``motcua serve``."""
    serve = sub.add_parser("serve", help="run the hub with the display service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (more than 1 needs PostgreSQL and Redis)",
    )
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    config = load(args)
    settings = Settings.from_env(config)
    if args.workers < 1:
        raise CliError("--workers must be at least 1")
    if args.workers > 1 and refuse_workers(settings):
        return EXIT_USAGE
    engine = make_engine(settings.database_url, synchronous=settings.sqlite_synchronous)
    upgrade(engine)
    _first_admin(engine, config)
    engine.dispose()
    tls = config.server.tls
    scheme = "https" if tls else "http"
    if tls is None and not is_loopback(args.host):
        logger.warning(
            "serving plain HTTP on %s: passwords and session cookies cross the LAN in "
            "clear; run `motcua tls init` and set [server] tls_cert and tls_key",
            args.host,
        )
    base = f"{scheme}://{args.host}:{args.port}"
    print(f"motcua hub for «{config.site.name}» on {base}", flush=True)
    warn_without_public_url(config, base)
    server = HubServer(settings, bind=f"{args.host}:{args.port}", workers=args.workers, tls=tls)
    with serving(settings.data_dir):  # `motcua restore` waits until this is released
        server.run()
    return 0


def refuse_workers(settings: Settings) -> bool:
    """Print one line and return True when several processes cannot share this setup."""
    if settings.database_url.startswith("sqlite"):
        print(
            "motcua: --workers above 1 needs PostgreSQL (set MOTCUA_DATABASE_URL): "
            "processes writing one SQLite file stall each other",
            file=sys.stderr,
        )
        return True
    if not settings.redis_url:
        print(
            "motcua: --workers above 1 needs Redis (set MOTCUA_REDIS_URL), so that every "
            "process's screens get every call",
            file=sys.stderr,
        )
        return True
    return False


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _first_admin(engine: Any, config: Config) -> None:
    """No default credentials: on first run ask for an admin, or say how to add one."""
    users = UserService(engine, config.security, utcnow, PasswordHasher())
    if users.user_count() > 0:
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
    users.add_user(name, password, Role.ADMIN)
    AuditLog(engine, utcnow).record(
        "user_add", actor="cli", target=f"user:{name}", after={"role": Role.ADMIN.value}
    )
    print(f"Đã tạo tài khoản quản trị {name}.")
