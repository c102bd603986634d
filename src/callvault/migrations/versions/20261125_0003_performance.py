"""performance: exact per-day call counts kept by triggers, phone search indexes

``call_counts`` holds, per user and UTC day of ``created_at``, how many calls there are
under each key of ``callvault.calls.tallies.TALLY_KEYS`` (in total, per status, …). Triggers on
``calls`` keep it exact for every write path (ORM, raw SQL, ``ON CONFLICT``, ``COPY``, cascades)
in the same transaction as the write. On SQLite (one writer at a time) row triggers upsert
the counters. On PostgreSQL statement-level triggers with transition tables append one
grouped delta per (user, key, day) to ``call_count_deltas`` and fold a user's deltas into
``call_counts`` only when that user's fold lock is free: concurrent writers never wait on a
counter row, so there is no hot row and no lock-order deadlock. Readers sum both tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The SQL is rendered from the app's tally keys at upgrade time. Changing the keys (or that
# SQL) needs a new migration that reinstalls the triggers; this one is never edited for it.
from callvault.calls.tally_sql import (
    POSTGRES_FUNCTIONS,
    POSTGRES_REBUILD,
    POSTGRES_TRIGGERS,
    SQLITE_DELETE_TRIGGER,
    SQLITE_REBUILD,
    SQLITE_UPDATE_TRIGGER,
    sqlite_insert_trigger,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_counts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", "day", name=op.f("pk_call_counts")),
    )
    op.create_table(
        "call_count_deltas",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(),
            nullable=False,
        ),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", "day", "id", name=op.f("pk_call_count_deltas")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Counters are rewritten in place (HOT); the delta table churns and stays small.
        op.execute("ALTER TABLE call_counts SET (fillfactor = 80)")
        op.execute(
            "ALTER TABLE call_count_deltas SET (autovacuum_vacuum_scale_factor = 0, "
            "autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_threshold = 1000)"
        )
        for statement in (*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS, POSTGRES_REBUILD):
            op.execute(statement)
        _postgres_phone_index()
    else:
        op.execute(sqlite_insert_trigger(pausable=False))
        op.execute(SQLITE_DELETE_TRIGGER)
        op.execute(SQLITE_UPDATE_TRIGGER)
        op.execute(SQLITE_REBUILD)
    # Phone searches scan one user's keys newest first without touching the wide rows.
    op.create_index(
        "ix_calls_phone_newest",
        "calls",
        ["user_id", "created_at", "id", "client_phone_digits"],
    )


def _postgres_phone_index() -> None:
    """A trigram index for digit substrings, when the server offers ``pg_trgm``."""
    bind = op.get_bind()
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).scalar()
    if not available:
        return
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        savepoint.rollback()  # not allowed to create it: the scans still answer exactly
        return
    savepoint.commit()
    op.execute(
        "CREATE INDEX ix_calls_phone_trgm ON calls USING gin (client_phone_digits gin_trgm_ops)"
    )


def downgrade() -> None:
    op.drop_index("ix_calls_phone_newest", table_name="calls")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_calls_phone_trgm")
        for name in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_calls_counts_{name} ON calls")
        op.execute("DROP FUNCTION IF EXISTS call_counts_apply()")
        op.execute("DROP FUNCTION IF EXISTS call_counts_truncate()")
        op.execute("DROP FUNCTION IF EXISTS call_counts_fold(bigint)")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_calls_counts_{name}")
    op.drop_table("call_count_deltas")
    op.drop_table("call_counts")
