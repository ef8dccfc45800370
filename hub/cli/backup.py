"""``motcua backup`` and ``motcua restore``: copies of the database a centre keeps."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from hub.cli import CliError
from hub.cli.settings import load
from hub.clock import utcnow
from hub.settings import Settings
from hub.store import backup
from hub.store.db import make_engine, upgrade

DEFAULT_KEEP = 14


def add_backup_command(sub: Any) -> None:
    """Add ``motcua backup``."""
    cmd = sub.add_parser("backup", help="a consistent copy of the database, while the hub serves")
    cmd.add_argument("--out", help="folder of the backups (default: <data folder>/backups)")
    cmd.add_argument(
        "--keep", type=int, default=DEFAULT_KEEP, help=f"backups to keep (default {DEFAULT_KEEP})"
    )
    cmd.set_defaults(func=cmd_backup)


def add_restore_command(sub: Any) -> None:
    """Add ``motcua restore``."""
    cmd = sub.add_parser("restore", help="put a backup in place (the hub must be stopped)")
    cmd.add_argument("file", help="a file written by `motcua backup`")
    cmd.set_defaults(func=cmd_restore)


def _progress(done: int, total: int) -> None:
    print(f"\r  {done}/{total} pages", end="" if done < total else "\n", file=sys.stderr)


def cmd_backup(args: argparse.Namespace) -> int:
    settings = Settings.from_env(load(args))
    if args.keep < 1:
        raise CliError("--keep must be at least 1")
    folder = Path(args.out) if args.out else settings.data_dir / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{backup.PREFIX}{backup.stamp(utcnow())}"
    if settings.database_url.startswith("sqlite"):
        target = folder / f"{name}.db"
        backup.sqlite_backup(backup.sqlite_path(settings.database_url), target, _progress)
        print(f"SQLite online backup, integrity checked: {target.stat().st_size:,} bytes")
        gone = backup.rotate(folder, args.keep, ".db")
    else:
        target = folder / f"{name}.pgdump"
        backup.pg_dump(settings.database_url, target)
        print(f"PostgreSQL: pg_dump in custom format: {target.stat().st_size:,} bytes")
        gone = backup.rotate(folder, args.keep, ".pgdump")
    for path in gone:
        print(f"removed the old backup {path}")
    print(target)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = Settings.from_env(load(args))
    source = Path(args.file)
    if not source.is_file():
        raise CliError(f"no such file: {source}")
    with backup.no_hub_serving(settings.data_dir):
        if settings.database_url.startswith("sqlite"):
            kept = _restore_sqlite(settings, source)
        else:
            kept = settings.data_dir / f"before-restore-{backup.stamp(utcnow())}.pgdump"
            backup.pg_dump(settings.database_url, kept)
            backup.pg_restore(settings.database_url, source)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
    print(f"restored {source}; the database it replaced is kept as {kept}")
    return 0


def _restore_sqlite(settings: Settings, source: Path) -> Path:
    problems = backup.integrity_problems(source)
    if problems:
        raise CliError(f"{source}: {problems}")
    current = backup.sqlite_path(settings.database_url)
    kept = current.with_name(f"{current.name}.before-restore-{backup.stamp(utcnow())}")
    if current.exists():
        backup.sqlite_backup(current, kept)
    for suffix in ("-wal", "-shm"):
        current.with_name(current.name + suffix).unlink(missing_ok=True)
    partial = current.with_suffix(".restoring")
    shutil.copyfile(source, partial)
    partial.replace(current)
    return kept
