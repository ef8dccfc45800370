"""Runtime settings of one hub process (the config file plus the environment)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from config.schema import Config
from hub.clock import utcnow
from hub.errors import HubError
from hub.store.db import database_url, default_data_dir


@dataclass
class Settings:
    """What :func:`hub.app.create_app` needs; tests build one directly."""

    config: Config
    database_url: str
    data_dir: Path
    redis_url: str | None = None
    redis_channel: str = "motcua"
    """Pub/sub channel of the Socket.IO message queue: the hubs of one installation
    share it; another installation on the same Redis uses its own."""
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    clock: Callable[[], datetime] = utcnow
    sqlite_synchronous: str = "FULL"
    background: bool = True
    testing: bool = False
    cheap_password_hashing: bool = False
    """Tests only: a fast Argon2 profile."""

    @classmethod
    def from_env(cls, config: Config, data_dir: Path | None = None) -> Settings:
        """Settings from ``MOTCUA_DATA``, ``MOTCUA_DATABASE_URL``, ``MOTCUA_REDIS_URL``."""
        folder = data_dir or default_data_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DataFolderError(f"cannot create the data folder {folder}", err) from err
        return cls(
            config=config,
            database_url=database_url(folder),
            data_dir=folder,
            redis_url=os.environ.get("MOTCUA_REDIS_URL") or None,
            redis_channel=os.environ.get("MOTCUA_REDIS_CHANNEL") or "motcua",
            secret_key=_secret_key(folder),
            sqlite_synchronous=os.environ.get("MOTCUA_SQLITE_SYNCHRONOUS", "FULL").upper(),
        )


class DataFolderError(HubError):
    """The data folder, or the secret key in it, cannot be made (one line: what
    failed, why, and what to do)."""

    status = 503
    code = "data_folder_unusable"

    def __init__(self, what: str, err: OSError) -> None:
        super().__init__(
            f"{what} ({err.strerror or err}): make the data folder writable by the "
            "hub's user, or point MOTCUA_DATA at a folder it can write"
        )


def _secret_key(folder: Path) -> str:
    """A per-installation secret for session cookies, kept in the data folder."""
    path = folder / "secret_key"
    if path.exists():
        try:
            return path.read_text().strip()
        except OSError as err:
            raise DataFolderError(f"cannot read the hub's secret key {path}", err) from err
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise DataFolderError(f"cannot create the hub's secret key {path}", err) from err
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
    except OSError as err:
        path.unlink(missing_ok=True)  # never an empty key for the next start to read
        raise DataFolderError(f"cannot write the hub's secret key {path}", err) from err
    return key
