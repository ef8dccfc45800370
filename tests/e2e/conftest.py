"""Fixtures for the end-to-end tests: seeded sites and real ``motcua serve`` processes.

A *site* is a database (a SQLite data folder, or a PostgreSQL schema of its
own) already holding users and devices made with the ``motcua`` command line.
``start_hub`` starts ``motcua serve`` processes on it; every process is killed
when the test ends, and the log of each one is attached to a failing test's
report.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.e2e.fuzzing import TALLY
from tests.e2e.support import (
    ADMIN,
    DEMO_CONFIG,
    KIOSK,
    LINK,
    PAD,
    PAD_COUNTER,
    STAFF,
    Database,
    HubProcess,
    MotcuaCli,
    Site,
    SiteConfig,
    StartHub,
    clean_env,
)

POSTGRES_ENV = "MOTCUA_TEST_POSTGRES_URL"
REDIS_ENV = "MOTCUA_TEST_REDIS_URL"


@dataclass
class _Seed:
    passwords: dict[str, str] = field(default_factory=dict)
    kiosk_token: str = ""
    pad_token: str = ""
    link_token: str = ""


def _password() -> str:
    # ≥ 10 characters, varied, never containing a user name.
    return f"Mk-{secrets.token_hex(6)}!"


def _seed(cli: MotcuaCli, *, parallel: bool, full: bool) -> _Seed:
    """Users and devices through the real command line.

    Always the kiosk and the staff; with ``full`` also the admin, the rating
    pad and an upstream link (the fuzzing gate needs them). Each command is mostly interpreter
    start-up. On PostgreSQL they run two at a time once the first one has
    migrated the empty schema; on SQLite that only adds lock waits, so they
    run one after the other.
    """
    seed = _Seed(passwords={name: _password() for name in (*STAFF, ADMIN)})
    seed.kiosk_token = cli.add_device(KIOSK, "kiosk")  # migrates the empty database
    with ThreadPoolExecutor(max_workers=2 if parallel else 1) as pool:
        jobs = [pool.submit(cli.add_user, n, "staff", seed.passwords[n]) for n in STAFF]
        if full:
            jobs.append(pool.submit(cli.add_user, ADMIN, "admin", seed.passwords[ADMIN]))
            pad = pool.submit(cli.add_device, PAD, "rating-pad", PAD_COUNTER)
            link = pool.submit(cli.add_link, LINK)
            seed.pad_token, seed.link_token = pad.result(), link.result()
        for job in jobs:
            job.result()
    return seed


# ------------------------------------------------------------------ SQLite
@pytest.fixture(scope="session")
def sqlite_seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, _Seed]:
    """One SQLite data folder seeded once per session; tests get copies of it."""
    folder = tmp_path_factory.mktemp("seed-sqlite")
    cli = MotcuaCli(DEMO_CONFIG, clean_env({"MOTCUA_DATA": str(folder)}), folder)
    return folder, _seed(cli, parallel=False, full=True)


@pytest.fixture
def sqlite_site(tmp_path: Path, sqlite_seed: tuple[Path, _Seed]) -> Site:
    """A fresh copy of the seeded SQLite folder (database, WAL, secret key)."""
    return copy_sqlite_site(sqlite_seed, tmp_path / "data", tmp_path)


@pytest.fixture
def make_sqlite_site(tmp_path: Path, sqlite_seed: tuple[Path, _Seed]) -> Callable[[Path], Site]:
    """``make_sqlite_site(data)``: a copy of the seeded SQLite folder at ``data`` (a folder
    that does not exist yet, e.g. on a small filesystem of the test's own)."""
    return lambda data: copy_sqlite_site(sqlite_seed, data, tmp_path)


def copy_sqlite_site(sqlite_seed: tuple[Path, _Seed], data: Path, workdir: Path) -> Site:
    """A copy of the seeded SQLite folder at ``data`` (which must not exist yet)."""
    source, seed = sqlite_seed
    shutil.copytree(source, data)
    return Site(
        config=SiteConfig.read(DEMO_CONFIG),
        env=clean_env({"MOTCUA_DATA": str(data)}),
        passwords=dict(seed.passwords),
        kiosk_token=seed.kiosk_token,
        pad_token=seed.pad_token,
        link_token=seed.link_token,
        db=Database("sqlite", str(data / "motcua.db")),
        workdir=workdir,
    )


# -------------------------------------------------------------- PostgreSQL
def _with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    option = f"options=-csearch_path%3D{schema}"
    query = f"{parts.query}&{option}" if parts.query else option
    return urlunsplit(parts._replace(query=query))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema of this test alone (dropped after)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    import psycopg

    schema = f"e2e_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield _with_search_path(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def postgres_site(tmp_path: Path, postgres_url: str) -> Site:
    """A seeded site in its own PostgreSQL schema."""
    env = clean_env({"MOTCUA_DATABASE_URL": postgres_url, "MOTCUA_DATA": str(tmp_path / "data")})
    cli = MotcuaCli(DEMO_CONFIG, env, tmp_path)
    seed = _seed(cli, parallel=True, full=True)
    return Site(
        config=SiteConfig.read(DEMO_CONFIG),
        env=env,
        passwords=seed.passwords,
        kiosk_token=seed.kiosk_token,
        pad_token=seed.pad_token,
        link_token=seed.link_token,
        db=Database("postgres", postgres_url),
        workdir=tmp_path,
    )


@pytest.fixture
def redis_url() -> str:
    """``MOTCUA_TEST_REDIS_URL``, checked to answer PING."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set (e.g. redis://127.0.0.1:6379/0)")
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        if not client.ping():
            pytest.fail(f"Redis at {url} does not answer PING")
    finally:
        client.close()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_site(request: pytest.FixtureRequest) -> Site:
    """The same test on SQLite, and on PostgreSQL when it is available."""
    name = "sqlite_site" if request.param == "sqlite" else "postgres_site"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


# -------------------------------------------------------------------- hubs
@pytest.fixture
def start_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StartHub]:
    """``start_hub(site, *names, extra_env=None)`` → running, healthy hub processes.

    The processes start together (each takes a couple of seconds of imports);
    it returns one :class:`HubProcess` per name, in order. Every process
    started here is killed at teardown, whatever happened.
    """
    started: list[HubProcess] = []
    request.node.motcua_hubs = started

    def start(site: Site, *names: str, extra_env: dict[str, str] | None = None) -> list[HubProcess]:
        env = {**site.env, **(extra_env or {})}
        hubs = [HubProcess(n, site.config.path, env, tmp_path, site.workdir) for n in names]
        started.extend(hubs)
        for hub in hubs:
            hub.launch()
        for hub in hubs:
            hub.wait_healthy()
        return hubs

    try:
        yield start
    finally:
        for hub in started:
            hub.kill()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzzing gate's figures: requests sent and 5xx answers, per gate and database."""
    lines = TALLY.lines()
    if lines:
        terminalreporter.write_sep("-", "fuzzing gate")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # noqa: ANN201
    """Attach each hub's log to the report of a failing test."""
    report = yield
    if report.failed:
        for hub in getattr(item, "motcua_hubs", []):
            report.sections.append((f"motcua serve [{hub.name}] log", hub.log_tail(20_000)))
    return report
