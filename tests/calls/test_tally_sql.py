"""The tally keys have one definition: the installed triggers and ``tally_key`` follow it."""

from __future__ import annotations

import itertools
from dataclasses import fields
from typing import Any

from sqlalchemy import text

from callvault.calls.filters import CallFilters
from callvault.calls.tallies import TALLY_KEYS, tally_key
from callvault.calls.tally_sql import (
    POSTGRES_FUNCTIONS,
    POSTGRES_TRIGGERS,
    SQLITE_DELETE_TRIGGER,
    SQLITE_UPDATE_TRIGGER,
    key_sql,
    sqlite_insert_trigger,
)
from callvault.db.database import Database
from tests.conftest import Tenant

STORED: dict[str, tuple[Any, ...]] = {
    "status": ("completed", "failed"),
    "type": ("inbound", "web"),
    "assistant_id": (None, 1),
    "campaign_id": (None, 1),
}
"""One call per combination of these values."""
CHOICES: dict[str, tuple[Any, ...]] = {
    "status": (None, "completed", "failed", "busy"),
    "type": (None, "inbound", "web", "outbound"),
    "assistant_id": (None, 1, 2),
    "campaign_id": (None, 1, 2),
    "phone_digits": (None, "987"),
}
"""Every filter but the date range: "any", the stored values and one no call has."""


def _by_name(statements: tuple[str, ...] | list[str], word: int) -> dict[str, str]:
    """Statements keyed by the name they create (``CREATE TRIGGER name …``)."""
    return {statement.split()[word].split("(")[0]: statement for statement in statements}


def test_the_installed_triggers_are_the_rendered_ones(db: Database) -> None:
    """A migration installing other tally SQL than ``callvault.calls.tally_sql`` fails here."""
    with db.connect() as connection:
        if db.backend.name == "sqlite":
            installed = connection.execute(
                text(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'trigger' AND name LIKE 'trg_calls_counts_%'"
                )
            )
            rendered = [
                sqlite_insert_trigger(pausable=True),
                SQLITE_DELETE_TRIGGER,
                SQLITE_UPDATE_TRIGGER,
            ]
            assert {name: sql for name, sql in installed} == _by_name(rendered, 2)
            return
        functions = connection.execute(
            text("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'call_counts_%'")
        )
        triggers = connection.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'calls'::regclass AND tgname LIKE 'trg_calls_counts_%'"
            )
        )
        bodies = {name: sql.split("$$")[1] for name, sql in _by_name(POSTGRES_FUNCTIONS, 2).items()}
        assert {name: source for name, source in functions} == bodies
        assert {
            name: definition.replace(" ON public.calls ", " ON calls ")
            for name, definition in triggers
        } == _by_name(POSTGRES_TRIGGERS, 2)


def test_tally_key_names_the_key_counting_exactly_the_matching_calls(
    db: Database, tenant: Tenant
) -> None:
    """For every combination of filters, ``tally_key`` is None or the key (as the SQL renders
    it for each stored call) that exactly the calls matching the filters count under."""
    assert set(CHOICES) == {f.name for f in fields(CallFilters)} - {
        "created_from",
        "created_before",
    }
    tenant.add_assistant(1, "One")
    tenant.add_campaign(1, "Spring")
    calls = [
        tenant.add_call(**dict(zip(STORED, values, strict=True)))
        for values in itertools.product(*STORED.values())
    ]
    keys_of: dict[int, set[str]] = {call["id"]: set() for call in calls}
    with db.connect() as connection:
        for tally in TALLY_KEYS:
            rows = connection.execute(
                text(f"SELECT r.id, {key_sql(tally, 'r')} FROM calls AS r WHERE r.user_id = :u"),
                {"u": tenant.user.id},
            )
            for call_id, key in rows:
                if key is not None:
                    keys_of[call_id].add(key)

    kinds = [set(tally.columns) for tally in TALLY_KEYS]
    for values in itertools.product(*CHOICES.values()):
        chosen = {name: v for name, v in zip(CHOICES, values, strict=True) if v is not None}
        filters = CallFilters(**chosen)
        key = tally_key(filters)
        if key is None:
            assert "phone_digits" in chosen or set(chosen) not in kinds, filters
            continue
        matching = {call["id"] for call in calls if all(call[n] == v for n, v in chosen.items())}
        assert {call_id for call_id, keys in keys_of.items() if key in keys} == matching, filters
