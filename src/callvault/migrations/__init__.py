"""Alembic migrations; ``upgrade_database`` runs them to head."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.schema import SchemaItem

from callvault.db.database import create_database_engine

MIGRATIONS_DIR = Path(__file__).parent

TRIGGER_TABLES = frozenset(
    {
        "call_counts",
        "call_count_deltas",
        "call_counts_paused",  # SQLite
        "call_phone_suffixes",
        "call_phone_positions",  # SQLite
    }
)
"""Tables the triggers own: made by the migrations, deliberately not in ``Base.metadata``."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


def include_object(
    item: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    """Autogenerate compares everything but the trigger-owned tables (it would drop them)."""
    return not (type_ == "table" and name in TRIGGER_TABLES)


def comparison_options() -> dict[str, Any]:
    """How autogenerate compares the models with a database (``env.py`` and the tests)."""
    return {
        "compare_type": True,
        "compare_server_default": True,
        "include_object": include_object,
    }


class Upgrade(NamedTuple):
    """The schema revision before and after an upgrade (``None``: no schema)."""

    before: str | None
    after: str | None


def schema_revision(connection: Connection) -> str | None:
    """The revision the database is stamped with; ``None`` when it has no schema."""
    return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> list[str]:
    """The revisions this callvault knows, newest first."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return [step.revision for step in script.walk_revisions()]


def _stamped(database_url: str) -> str | None:
    engine = create_database_engine(database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            return schema_revision(connection)
    finally:
        engine.dispose()


def upgrade_database(database_url: str, revision: str = "head") -> Upgrade:
    """Bring the schema at ``database_url`` up to ``revision``; say from where to where."""
    before = _stamped(database_url)
    command.upgrade(alembic_config(database_url), revision)
    return Upgrade(before, _stamped(database_url))
