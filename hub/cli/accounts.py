"""``motcua user add``, ``motcua device add`` and ``motcua upstream link``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from config.errors import did_you_mean
from config.wire import DEVICE_KINDS, ROLES
from hub.cli import CliError
from hub.cli.common import open_services


def add_user_command(sub: Any) -> None:
    """Add ``motcua user add``."""
    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add or update a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password on stdin")
    add.add_argument("--display-name", help="full name shown on pages and reports")
    add.set_defaults(func=cmd_user_add)


def add_device_command(sub: Any) -> None:
    """Add ``motcua device add``."""
    device = sub.add_parser("device", help="manage devices").add_subparsers(
        dest="action", required=True
    )
    dadd = device.add_parser("add", help="register a device and print its token")
    dadd.add_argument("name")
    dadd.add_argument("--kind", required=True, choices=DEVICE_KINDS)
    dadd.add_argument("--counter", help="the counter a rating pad or keypad belongs to")
    dadd.set_defaults(func=cmd_device_add)


def add_upstream_command(sub: Any) -> None:
    """Add ``motcua upstream link``."""
    upstream = sub.add_parser("upstream", help="links from centres' hubs to this hub")
    actions = upstream.add_subparsers(dest="action", required=True)
    link = actions.add_parser("link", help="register a centre's hub and print its token")
    link.add_argument("name", help="e.g. the centre's site id")
    link.set_defaults(func=cmd_upstream_link)


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
    _, created = hub.users.add_user(args.name, password, args.role, display_name=args.display_name)
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
        known = [c.id for c in hub.config.counters]
        raise CliError(f'unknown counter "{args.counter}"' + did_you_mean(args.counter, known))
    token = hub.devices.add_device(args.name, args.kind, args.counter)
    hub.audit.record(
        "device_add",
        actor="cli",
        target=f"device:{args.name}",
        after={"kind": args.kind, "counter": args.counter},
    )
    print(f"device {args.name} ({args.kind}) registered; its token (shown once):")
    print(token)
    return 0


def cmd_upstream_link(args: argparse.Namespace) -> int:
    hub = open_services(args)
    token = hub.devices.add_link(args.name)
    hub.audit.record("device_add", actor="cli", target=f"device:{args.name}", after={"kind": "hub"})
    print(f"upstream link {args.name} registered; put this token in the centre's [upstream]:")
    print(token)
    return 0
