"""phone suffixes: every number's digit suffixes, so a phone filter is a key range scan

``call_phone_suffixes`` holds, for every distinct ``client_phone_digits`` a user's calls hold,
one row per suffix of at least 3 digits: ``(user_id, digits[i:], digits)``. A query ``q``
(3 digits or more) occurs in ``d`` iff some suffix of ``d`` starts with ``q``, so the numbers
matching ``q`` are the primary-key range ``user_id = u AND q <= suffix < q || ':'`` (``':'``
follows ``'9'`` bytewise; the PostgreSQL column is ``COLLATE "C"``, SQLite compares bytes).
Calls are then found by number on ``ix_calls_phone_digits_newest``.

Triggers on ``calls`` add a number's rows in the writing transaction the first time a user's
call carries it (insert, or update of the digits; ``COPY`` fires the statement triggers too).
Rows record existence only, without counts: deleting or renumbering calls leaves the rows,
and a stale number simply matches no calls (so there is no hot row and no decrement).
``TRUNCATE calls`` empties the table; deleting a user cascades to their rows.

This replaces 0003's phone indexes: the ``pg_trgm`` GIN index and ``ix_calls_phone_newest``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

# ruff: noqa: S608  (every SQL string here is assembled from constants)

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SHORTEST = 3
"""The shortest suffix kept: phone queries have at least this many digits."""
LONGEST = 64
"""``client_phone_digits`` is a ``VARCHAR(64)``."""

# One row per (user, suffix) of each distinct number of ``{numbers}`` (columns user_id,
# digits) not stored yet, in key order: concurrent writers of the same new numbers take
# their index entries in one order, so one statement against another cannot deadlock.
_PG_ADD = f"""
    INSERT INTO call_phone_suffixes (user_id, suffix, digits)
    SELECT n.user_id, substr(n.digits, p.start), n.digits
    FROM (
      SELECT DISTINCT user_id, client_phone_digits AS digits FROM {{numbers}}
      WHERE length(client_phone_digits) >= {SHORTEST}
    ) AS n
    CROSS JOIN LATERAL generate_series(1, length(n.digits) - {SHORTEST - 1}) AS p(start)
    WHERE NOT EXISTS (
      SELECT 1 FROM call_phone_suffixes AS s
      WHERE s.user_id = n.user_id AND s.suffix = n.digits COLLATE "C" AND s.digits = n.digits
    )
    ORDER BY n.user_id, substr(n.digits, p.start) COLLATE "C", n.digits
    ON CONFLICT DO NOTHING"""

_PG_FUNCTION = f"""
CREATE FUNCTION call_phone_suffixes_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_PG_ADD.format(numbers="call_phones_new")};
  RETURN NULL;
END $$
"""

_PG_TRUNCATE_FUNCTION = """
CREATE FUNCTION call_phone_suffixes_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM call_phone_suffixes;
  RETURN NULL;
END $$
"""

# Transition tables rule out ``UPDATE OF client_phone_digits``: every update probes its
# distinct numbers (one index lookup each), known numbers add nothing.
_PG_TRIGGERS = (
    "CREATE TRIGGER trg_calls_phones_insert AFTER INSERT ON calls "
    "REFERENCING NEW TABLE AS call_phones_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_phone_suffixes_add()",
    "CREATE TRIGGER trg_calls_phones_update AFTER UPDATE ON calls "
    "REFERENCING NEW TABLE AS call_phones_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_phone_suffixes_add()",
    "CREATE TRIGGER trg_calls_phones_truncate AFTER TRUNCATE ON calls "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_phone_suffixes_truncate()",
)

# SQLite allows no CTE (so no generate_series substitute) inside a trigger: the start
# positions come from a small static table. A known number costs the one probe of WHEN.
_SQLITE_NEW_NUMBER = (
    f"WHEN length(NEW.client_phone_digits) >= {SHORTEST} AND NOT EXISTS ("
    "SELECT 1 FROM call_phone_suffixes WHERE user_id = NEW.user_id "
    "AND suffix = NEW.client_phone_digits AND digits = NEW.client_phone_digits)"
)
_SQLITE_ADD = (
    "INSERT INTO call_phone_suffixes (user_id, suffix, digits) "
    "SELECT NEW.user_id, substr(NEW.client_phone_digits, start), NEW.client_phone_digits "
    f"FROM call_phone_positions WHERE start <= length(NEW.client_phone_digits) - {SHORTEST - 1} "
    "ORDER BY start ON CONFLICT DO NOTHING;"
)
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER trg_calls_phones_insert AFTER INSERT ON calls {_SQLITE_NEW_NUMBER} "
    f"BEGIN {_SQLITE_ADD} END",
    "CREATE TRIGGER trg_calls_phones_update AFTER UPDATE OF user_id, client_phone_digits "
    f"ON calls {_SQLITE_NEW_NUMBER} BEGIN {_SQLITE_ADD} END",
)

_SQLITE_BACKFILL = f"""
    INSERT INTO call_phone_suffixes (user_id, suffix, digits)
    SELECT n.user_id, substr(n.digits, p.start), n.digits
    FROM (
      SELECT DISTINCT user_id, client_phone_digits AS digits FROM calls
      WHERE length(client_phone_digits) >= {SHORTEST}
    ) AS n
    JOIN call_phone_positions AS p ON p.start <= length(n.digits) - {SHORTEST - 1}
    ORDER BY 1, 2, 3"""


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "call_phone_suffixes",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "suffix",
            sa.String(length=LONGEST).with_variant(
                sa.String(length=LONGEST, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("digits", sa.String(length=LONGEST), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_call_phone_suffixes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "suffix", "digits", name=op.f("pk_call_phone_suffixes")),
    )
    if bind.dialect.name == "postgresql":
        # Triggers first: CREATE TRIGGER locks out writers of calls until the backfill commits.
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRUNCATE_FUNCTION)
        for trigger in _PG_TRIGGERS:
            op.execute(trigger)
        op.execute(_PG_ADD.format(numbers="calls"))
        op.execute("DROP INDEX IF EXISTS ix_calls_phone_trgm")
    else:
        positions = op.create_table(
            "call_phone_positions",
            sa.Column("start", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("start", name=op.f("pk_call_phone_positions")),
        )
        op.bulk_insert(positions, [{"start": i} for i in range(1, LONGEST + 1)])
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute(_SQLITE_BACKFILL)
    op.drop_index("ix_calls_phone_newest", table_name="calls")
    # The page and the count for a set of numbers: one index range per number.
    op.create_index(
        "ix_calls_phone_digits_newest",
        "calls",
        ["user_id", "client_phone_digits", "created_at", "id"],
    )


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index("ix_calls_phone_digits_newest", table_name="calls")
    op.create_index(
        "ix_calls_phone_newest",
        "calls",
        ["user_id", "created_at", "id", "client_phone_digits"],
    )
    if bind.dialect.name == "postgresql":
        for name in ("insert", "update", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_calls_phones_{name} ON calls")
        op.execute("DROP FUNCTION IF EXISTS call_phone_suffixes_add()")
        op.execute("DROP FUNCTION IF EXISTS call_phone_suffixes_truncate()")
        _postgres_trigram_index()
    else:
        for name in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_calls_phones_{name}")
        op.drop_table("call_phone_positions")
    op.drop_table("call_phone_suffixes")


def _postgres_trigram_index() -> None:
    """0003's trigram index, when ``pg_trgm`` is (or may be) installed, as 0003 made it."""
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
        savepoint.rollback()
        return
    savepoint.commit()
    op.execute(
        "CREATE INDEX ix_calls_phone_trgm ON calls USING gin (client_phone_digits gin_trgm_ops)"
    )
