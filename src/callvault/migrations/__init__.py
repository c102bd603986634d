"""Alembic migrations; ``upgrade_database`` runs them to head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.schema import SchemaItem

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


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the schema at ``database_url`` up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)
