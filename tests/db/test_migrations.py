"""The migrations build what the models declare, and they go down and up again cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text

from callvault.migrations import alembic_config, comparison_options, upgrade_database
from callvault.models import Base
from tests.conftest import BACKENDS, empty_database

# Each object as (kind, name, the table it belongs to, its definition).
_SQLITE_SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master"
_POSTGRES_SCHEMA = (
    "SELECT 'column', column_name, table_name, "
    "concat_ws(' ', data_type, character_maximum_length, is_nullable, column_default) "
    "FROM information_schema.columns WHERE table_schema = 'public'",
    "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "SELECT 'trigger', tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) "
    "FROM pg_trigger WHERE NOT tgisinternal",
    # The functions the migrations made (not those of an extension such as pg_trgm).
    "SELECT 'function', proname, '', prosrc FROM pg_proc AS p "
    "WHERE pronamespace = 'public'::regnamespace AND NOT EXISTS "
    "(SELECT 1 FROM pg_depend WHERE objid = p.oid AND deptype = 'e')",
)


def test_the_models_and_the_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=comparison_options())
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend, for this test alone."""
    with empty_database(request.param, tmp_path) as url:
        yield url


def _schema(connection: Connection) -> set[tuple[str, ...]]:
    """Every table, column, index, trigger and function, with its definition."""
    statements = (_SQLITE_SCHEMA,) if connection.dialect.name == "sqlite" else _POSTGRES_SCHEMA
    return {
        tuple(str(value) for value in row)
        for statement in statements
        for row in connection.execute(text(statement))
    }


def _schema_of(database_url: str) -> set[tuple[str, ...]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return _schema(connection)
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(fresh_database_url: str) -> None:
    upgrade_database(fresh_database_url)
    migrated = _schema_of(fresh_database_url)

    command.downgrade(alembic_config(fresh_database_url), "base")
    assert {row for row in _schema_of(fresh_database_url) if row[2] != "alembic_version"} == set()

    upgrade_database(fresh_database_url)
    assert _schema_of(fresh_database_url) == migrated
