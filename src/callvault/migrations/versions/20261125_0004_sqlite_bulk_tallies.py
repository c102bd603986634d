"""SQLite bulk tallies: a bulk insert may pause the row trigger and count its rows at once

On SQLite the per-row tally trigger costs more than the insert itself. A bulk writer (the
importer) inserts a row into ``call_counts_paused`` inside its write transaction, inserts
its calls, adds their tallies with one grouped statement and deletes the row again before
committing. SQLite has one writer at a time and other connections only ever see committed
data, so nobody else can observe the pause; a failure rolls the pause back with the rest.
PostgreSQL keeps its statement-level triggers (already one grouped statement per insert).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Rendered from the app's tally keys at upgrade time. Changing the keys needs a new migration
# that reinstalls the triggers; this one is never edited for it.
from callvault.calls.tally_sql import sqlite_insert_trigger

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "call_counts_paused",
        sa.Column("paused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("paused", name=op.f("pk_call_counts_paused")),
    )
    op.execute("DROP TRIGGER trg_calls_counts_insert")
    op.execute(sqlite_insert_trigger(pausable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER trg_calls_counts_insert")
    op.execute(sqlite_insert_trigger(pausable=False))
    op.drop_table("call_counts_paused")
