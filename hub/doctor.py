"""``motcua doctor``'s checks of the hub role (the entry ``hub`` of ``motcua.doctor``).

For a file with ``[site]`` and the centre's sections: the data folder is
writable, the database opens and is at the newest migration (read only: the
doctor never creates or migrates a database), ``[site] public_url`` is an
address citizens' phones can reach, the TLS files of ``[server]`` load when they
are configured, and espeak-ng is there for words the clip set lacks.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import ssl
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from config.doctor import Check, failed, hint, passed, within
from config.hub import Server
from config.schema import load_config
from hub.store.db import DatabaseTooNew, alembic_config, default_data_dir, refuse_newer

__all__ = ["checks", "database", "data_folder", "public_url", "tls"]

DB_TIMEOUT_S = 5


def checks(path: Path) -> list[Check]:
    """The hub's lines for the configuration file ``path``.

    Raises:
        ConfigError: the file is not a valid hub configuration.
    """
    config = load_config(path)
    folder = default_data_dir()
    return [
        *within(10, "data folder", lambda: data_folder(folder)),
        *within(
            4 * DB_TIMEOUT_S,
            "database",
            lambda: database(folder),
            on_timeout="the database does not answer: is another program holding it locked?",
        ),
        public_url(config.site.public_url),
        *within(10, "TLS", lambda: tls(config.server)),
        _espeak(),
    ]


def data_folder(folder: Path) -> Check:
    """✓ when the hub can write in ``folder`` (tried with a file made and removed)."""
    unset = "" if os.environ.get("MOTCUA_DATA") else " (MOTCUA_DATA is not set)"
    if not folder.is_dir():
        return failed(
            f"data folder {folder}{unset} does not exist",
            f"make it for the hub's user: sudo install -d -o motcua -g motcua {folder.absolute()}"
            " (or set MOTCUA_DATA to the folder the hub uses)",
        )
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as err:
        return failed(
            f"data folder {folder}{unset} is not writable ({err.strerror})",
            f"give it to the hub's user: sudo chown -R motcua:motcua {folder.absolute()}",
        )
    return passed(f"data folder {folder}{unset} is writable")


def database(folder: Path) -> Check:
    """✓ when the database opens and is at the newest migration; never changes it."""
    url = os.environ.get("MOTCUA_DATABASE_URL")
    if not url:
        file = folder / "motcua.db"
        if not file.is_file():
            return failed(
                f"no database at {file}",
                "start the hub once (sudo systemctl start motcua-hub): it makes the database; "
                "or put a backup in place: motcua restore FILE",
            )
        url = f"sqlite:///{file.resolve()}"
    where = make_url(url).render_as_string(hide_password=True)
    sqlite = url.startswith("sqlite")
    timeout = {"timeout": DB_TIMEOUT_S} if sqlite else {"connect_timeout": DB_TIMEOUT_S}
    engine = create_engine(url, poolclass=NullPool, connect_args=timeout)
    try:
        with engine.connect() as conn:
            scripts = alembic_config(conn)
            refuse_newer(conn, scripts)
            current = MigrationContext.configure(conn).get_current_revision()
            head = ScriptDirectory.from_config(scripts).get_current_head()
    except DatabaseTooNew as err:
        return failed(f"database {where}: {err.message}", "then check again")
    except SQLAlchemyError as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        return failed(
            f"database {where} does not open: {reason}",
            "is the file there and readable by this user? (PostgreSQL: is the server up, "
            "is MOTCUA_DATABASE_URL right?)",
        )
    finally:
        engine.dispose()
    if current == head:
        return passed(f"database {where} opens, at the newest migration ({head})")
    if current is None:
        return failed(f"database {where} is empty", "start the hub once: it migrates the database")
    return failed(
        f"database {where} is at migration {current}, not the newest ({head})",
        "back it up (motcua backup), then restart the hub: it migrates on start "
        "(sudo systemctl restart motcua-hub)",
    )


def public_url(url: str | None) -> Check:
    """✓ when ``[site] public_url`` is set to an address other machines can reach."""
    advice = (
        "set public_url in [site] to the address phones on the centre's network reach the "
        'hub at, e.g. public_url = "http://192.168.1.10:8080"'
    )
    if not url:
        return failed(
            "[site] public_url is not set: printed QR codes will not open on citizens' phones",
            advice,
        )
    host = urlsplit(url).hostname or ""
    if host == "localhost" or _is_own_address(host):
        return failed(
            f"[site] public_url {url} is this machine's own address: printed QR codes will not "
            "open on citizens' phones",
            advice,
        )
    return passed(f"[site] public_url is {url} (the tickets' QR codes)")


def _is_own_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def tls(server: Server) -> list[Check]:
    """✓ when ``[server] tls_cert`` and ``tls_key`` load as a pair; nothing when not set."""
    if server.tls is None:
        return []
    cert, key = server.tls
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except OSError as err:
        reason = err.strerror or str(err)
        return [
            failed(
                f"TLS certificate {cert} and key {key} do not load: {reason}",
                "the hub's user must read both (the key 0600, owned by motcua); "
                "make them again with motcua tls init if they are gone or do not match",
            )
        ]
    return [passed(f"TLS certificate {cert} and key {key} load and match")]


def _espeak() -> Check:
    if shutil.which("espeak-ng"):
        return passed("espeak-ng is there for words the clip set lacks")
    return hint(
        "espeak-ng is not installed: a call with a word the clip set lacks cannot be said",
        "sudo apt install espeak-ng",
    )
