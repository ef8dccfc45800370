"""Alembic: the schema comes from migrations, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from hub.store.db import alembic_config, current_revision, make_test_engine, upgrade
from hub.store.tables import metadata


def heads() -> list[str]:
    with make_test_engine("sqlite://").connect() as conn:
        return list(ScriptDirectory.from_config(alembic_config(conn)).get_heads())


def test_one_linear_history() -> None:
    assert len(heads()) == 1, "migrations have several heads: merge them"


def test_upgrade_from_empty_matches_the_models(database) -> None:
    """GIVEN an empty database WHEN upgraded THEN the schema equals tables.py."""
    engine = make_test_engine(database.url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == heads()[0]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_works(database) -> None:
    from alembic import command

    engine = make_test_engine(database.url)
    upgrade(engine)
    upgrade(engine)
    with engine.connect() as raw:
        conn = raw.execution_options(motcua_write=True)
        with conn.begin():
            command.downgrade(alembic_config(conn), "base")
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(engine)
    assert "tickets" in inspect(engine).get_table_names()
    engine.dispose()


def test_every_revision_upgrades_from_its_predecessor(database) -> None:
    """Walk the history one revision at a time, from base to head."""
    from alembic import command

    engine = make_test_engine(database.url)
    with engine.connect() as conn:
        script = ScriptDirectory.from_config(alembic_config(conn))
        revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        with engine.connect() as raw:
            conn = raw.execution_options(motcua_write=True)
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
        assert current_revision(engine) == revision
    engine.dispose()


def test_sqlite_runs_in_wal_mode(sqlite_database) -> None:
    engine = make_test_engine(sqlite_database.url)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
