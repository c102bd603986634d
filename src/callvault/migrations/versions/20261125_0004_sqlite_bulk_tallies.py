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

# ruff: noqa: S608  (every SQL string here is assembled from constants)

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KEYS = (
    "SELECT '*' AS key UNION ALL SELECT 's:' || NEW.status "
    "UNION ALL SELECT 't:' || NEW.type "
    "UNION ALL SELECT 'st:' || NEW.status || ':' || NEW.type "
    "UNION ALL SELECT 'a:' || NEW.assistant_id "
    "UNION ALL SELECT 'c:' || NEW.campaign_id"
)
_COUNT_NEW = (
    "INSERT INTO call_counts (user_id, key, day, n) "
    f"SELECT NEW.user_id, key, substr(NEW.created_at, 1, 10), 1 FROM ({_KEYS}) "
    "WHERE key IS NOT NULL "
    "ON CONFLICT (user_id, key, day) DO UPDATE SET n = n + excluded.n;"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "call_counts_paused",
        sa.Column("paused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("paused", name=op.f("pk_call_counts_paused")),
    )
    op.execute("DROP TRIGGER trg_calls_counts_insert")
    op.execute(
        "CREATE TRIGGER trg_calls_counts_insert AFTER INSERT ON calls "
        "WHEN NOT EXISTS (SELECT 1 FROM call_counts_paused) "
        f"BEGIN {_COUNT_NEW} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER trg_calls_counts_insert")
    op.execute(
        f"CREATE TRIGGER trg_calls_counts_insert AFTER INSERT ON calls BEGIN {_COUNT_NEW} END"
    )
    op.drop_table("call_counts_paused")
