"""The ``motcua`` command line.

Every command that touches the database migrates it first (``create_app`` and
:func:`open_services` call :func:`hub.store.db.upgrade`). Errors a person can
fix end with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from config import ConfigError, config_path, load_config
from hub import errors

logger = logging.getLogger("motcua")

EXIT_USAGE = 2
Command = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A one-line error for the person at the terminal (exit status 2)."""


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # python-escpos calls basicConfig() on import; ours wins
    )
    for noisy in ("werkzeug", "engineio.server", "socketio.server", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The threaded Werkzeug server is what we ship on a Pi (see BENCHMARKS.md); its
    # "production deployment" warning would only alarm an administrator.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def _load(args: argparse.Namespace) -> Any:
    return load_config(config_path(getattr(args, "config", None)))


def open_services(args: argparse.Namespace) -> Any:
    """The hub's services without a web server (for user/device/report commands)."""
    from hub.app import create_app
    from hub.settings import Settings

    config = _load(args)
    settings = Settings.from_env(config)
    settings.background = False
    app = create_app(settings)
    return app.extensions["motcua"]


# ------------------------------------------------------------------ commands
def cmd_serve(args: argparse.Namespace) -> int:
    import threading

    from hub.app import create_app, start_background
    from hub.settings import Settings

    config = _load(args)
    settings = Settings.from_env(config)
    app = create_app(settings)
    hub = app.extensions["motcua"]
    _first_admin(hub)
    stop = threading.Event()
    start_background(app, hub, stop)
    url = f"http://{args.host}:{args.port}"
    print(f"motcua hub for «{config.site.name}» on {url}", flush=True)
    try:
        hub.socketio.run(
            app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False
        )
    finally:
        stop.set()
    return 0


def _first_admin(hub: Any) -> None:
    """No default credentials: on first run ask for an admin, or say how to add one."""
    if hub.auth.user_count() > 0:
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
    hub.auth.add_user(name, password, "admin")
    hub.audit.record("user_add", actor="cli", target=f"user:{name}", after={"role": "admin"})
    print(f"Đã tạo tài khoản quản trị {name}.")


def cmd_user_add(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu: ")
    else:
        raise CliError("pass --password-stdin and write the password on standard input")
    if not password:
        raise CliError("empty password")
    hub = open_services(args)
    _, created = hub.auth.add_user(args.name, password, args.role, display_name=args.display_name)
    hub.audit.record(
        "user_add" if created else "user_update",
        actor="cli",
        target=f"user:{args.name}",
        after={"role": args.role},
    )
    print(f"{'added' if created else 'updated'} user {args.name} ({args.role})")
    return 0


def cmd_device_add(args: argparse.Namespace) -> int:
    hub = open_services(args)
    if args.counter is not None and hub.config.counter(args.counter) is None:
        from config.errors import did_you_mean

        known = [c.id for c in hub.config.counters]
        raise CliError(f'unknown counter "{args.counter}"' + did_you_mean(args.counter, known))
    token = hub.auth.add_device(args.name, args.kind, args.counter)
    hub.audit.record(
        "device_add",
        actor="cli",
        target=f"device:{args.name}",
        after={"kind": args.kind, "counter": args.counter},
    )
    print(f"device {args.name} ({args.kind}) registered; its token (shown once):")
    print(token)
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    from display.announcer import AnnouncerError
    from display.say import say

    counter_name = args.counter
    template = None
    kwargs_clip: dict[str, Any] = {}
    region = args.region
    if args.config or os.environ.get("MOTCUA_CONFIG"):
        config = _load(args)
        template = config.display.template
        region = args.region or config.display.region
        if config.display.clip_dir:
            kwargs_clip = {"clip_dir": Path(config.display.clip_dir)}
    kwargs: dict[str, Any] = {
        "counter": counter_name,
        "region": region or "north",
        "digits": args.digits,
    }
    if template:
        kwargs["template"] = template
    kwargs.update(kwargs_clip)
    if args.wav:
        kwargs["wav_path"] = Path(args.wav)
    try:
        print(say(args.number, **kwargs))
    except (ValueError, AnnouncerError) as err:
        raise CliError(str(err)) from None
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from hub.demo import run_demo

    return run_demo(args)


# -------------------------------------------------------------------- parser
def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua", description="Queue and satisfaction system for one-stop service centres"
    )
    parser.add_argument("--config", help="configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the hub with the display service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=cmd_serve)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add or update a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["staff", "manager", "admin"])
    add.add_argument("--password-stdin", action="store_true", help="read the password on stdin")
    add.add_argument("--display-name", help="full name shown on pages and reports")
    add.set_defaults(func=cmd_user_add)

    device = sub.add_parser("device", help="manage devices").add_subparsers(
        dest="action", required=True
    )
    dadd = device.add_parser("add", help="register a device and print its token")
    dadd.add_argument("name")
    dadd.add_argument(
        "--kind", required=True, choices=["kiosk", "rating-pad", "display", "counter-keypad"]
    )
    dadd.add_argument("--counter", help="the counter a rating pad or keypad belongs to")
    dadd.set_defaults(func=cmd_device_add)

    say = sub.add_parser("say", help="print (and render) the Vietnamese words for a number")
    say.add_argument("number")
    say.add_argument("--counter", help="read the whole call phrase for this counter")
    say.add_argument("--region", choices=["north", "south"], default=None)
    say.add_argument("--digits", action="store_true", help="read digit by digit")
    say.add_argument("--wav", help="also write the audio to this WAV file")
    say.set_defaults(func=cmd_say)

    demo = sub.add_parser("demo", help="a whole centre on this machine with fake hardware")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--data", help="data folder (default: a new temporary folder)")
    demo.set_defaults(func=cmd_demo)

    for add_command in _contributed(argv):
        add_command(sub)
    return parser


#: Entry-point group of the commands other packages (and the hub's own reports)
#: add; each entry is named after its command and adds it to the subparsers.
COMMANDS_GROUP = "motcua.commands"
BUILTIN = ("serve", "user", "device", "say", "demo")


def _wanted_command(argv: Sequence[str] | None) -> str | None:
    args = list(sys.argv[1:] if argv is None else argv)
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg == "--config":
            skip_next = True
        elif not arg.startswith("-"):
            return arg
    return None


def _contributed(argv: Sequence[str] | None = None) -> list[Callable[[Any], None]]:
    """The ``add_command`` functions to load: only the one of the command being run
    (``motcua kiosk`` on a Pi does not load the hub's reports and database), or all
    of them for ``--help`` and unknown commands."""
    command = _wanted_command(argv)
    found = entry_points(group=COMMANDS_GROUP)
    if command in BUILTIN:
        return []
    chosen = [ep for ep in found if ep.name == command] or list(found)
    return [ep.load() for ep in sorted(chosen, key=lambda ep: ep.name)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except ConfigError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_USAGE
    except (CliError, errors.HubError) as err:
        print(f"motcua: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
