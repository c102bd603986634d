"""performance: exact per-day call counts kept by triggers, phone search indexes

``call_counts`` holds, per user and UTC day of ``created_at``, how many calls there are in
total (key ``*``) and per status (``s:<status>``), type (``t:<type>``), status and type
(``st:<status>:<type>``), assistant (``a:<id>``) and campaign (``c:<id>``). Triggers on
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

# ruff: noqa: S608  (every SQL string here is assembled from constants)

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The tally keys of one call row ``r``; a NULL key (no assistant/campaign) is skipped.
_PG_KEYS = """(VALUES ('*'), ('s:' || r.status), ('t:' || r.type),
        ('st:' || r.status || ':' || r.type), ('a:' || r.assistant_id),
        ('c:' || r.campaign_id)) AS k(key)"""

# A statement's net change per (user, key, day), appended to ``call_count_deltas``.
_PG_APPEND = """
    INSERT INTO call_count_deltas (user_id, key, day, n)
    SELECT r.user_id, k.key, r.created_at::date, sum(r.d)
    FROM ({rows}) AS r CROSS JOIN LATERAL {keys}
    WHERE k.key IS NOT NULL
    GROUP BY r.user_id, k.key, r.created_at::date
    HAVING sum(r.d) <> 0;
"""
_PG_COLUMNS = "user_id, created_at, status, type, assistant_id, campaign_id"
_PG_NEW = f"SELECT {_PG_COLUMNS}, 1 AS d FROM call_counts_new"
_PG_OLD = f"SELECT {_PG_COLUMNS}, -1 AS d FROM call_counts_old"

_PG_UPSERT = _PG_APPEND.replace("call_count_deltas", "call_counts").replace(
    "HAVING sum(r.d) <> 0;",
    "HAVING sum(r.d) <> 0 ORDER BY k.key, r.created_at::date\n"
    "    ON CONFLICT (user_id, key, day) DO UPDATE SET n = call_counts.n + excluded.n;",
)


def _pg_block(rows: str) -> str:
    """Apply one statement's rows: straight into ``call_counts`` when the statement is about
    one user whose fold lock is free (the webhook case), else as deltas plus folds."""
    return f"""
    SELECT min(r.user_id), max(r.user_id) INTO low, high FROM ({rows}) AS r;
    IF low IS NULL THEN
      RETURN NULL;
    END IF;
    IF low = high AND pg_try_advisory_xact_lock(20261125, (low % 2147483647)::integer) THEN
      IF EXISTS (SELECT 1 FROM call_count_deltas WHERE user_id = low) THEN
        PERFORM call_counts_fold(low);
      END IF;
      {_PG_UPSERT.format(rows=rows, keys=_PG_KEYS)}
    ELSE
      {_PG_APPEND.format(rows=rows, keys=_PG_KEYS)}
      FOR owner IN SELECT DISTINCT r.user_id FROM ({rows}) AS r LOOP
        PERFORM call_counts_fold(owner);
      END LOOP;
    END IF;"""


# Writers never wait on a counter row. A user's ``call_counts`` rows are written only by the
# transaction holding that user's fold lock (a transaction-scoped advisory lock, only ever
# *tried*, never waited for); everyone else appends deltas, folded in by the next holder.
# So there is no hot row and no lock-order deadlock; readers sum both tables.
_PG_FUNCTION = f"""
CREATE FUNCTION call_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner bigint;
  low bigint;
  high bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_pg_block(_PG_NEW)}
  ELSIF TG_OP = 'DELETE' THEN
    {_pg_block(_PG_OLD)}
  ELSE
    {_pg_block(f"{_PG_NEW} UNION ALL {_PG_OLD}")}
  END IF;
  RETURN NULL;
END $$
"""

_PG_FOLD_FUNCTION = """
CREATE FUNCTION call_counts_fold(owner bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(20261125, (owner % 2147483647)::integer) THEN
    RETURN;  -- another transaction is folding this user; our deltas wait for the next fold
  END IF;
  WITH moved AS (
    DELETE FROM call_count_deltas WHERE user_id = owner RETURNING key, day, n
  )
  INSERT INTO call_counts (user_id, key, day, n)
  SELECT owner, key, day, sum(n) FROM moved GROUP BY key, day HAVING sum(n) <> 0
  ON CONFLICT (user_id, key, day) DO UPDATE SET n = call_counts.n + excluded.n;
END $$
"""

_PG_TRUNCATE_FUNCTION = """
CREATE FUNCTION call_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM call_counts;
  DELETE FROM call_count_deltas;
  RETURN NULL;
END $$
"""

_PG_TRIGGERS = (
    "CREATE TRIGGER trg_calls_counts_insert AFTER INSERT ON calls "
    "REFERENCING NEW TABLE AS call_counts_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_counts_apply()",
    "CREATE TRIGGER trg_calls_counts_update AFTER UPDATE ON calls "
    "REFERENCING OLD TABLE AS call_counts_old NEW TABLE AS call_counts_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_counts_apply()",
    "CREATE TRIGGER trg_calls_counts_delete AFTER DELETE ON calls "
    "REFERENCING OLD TABLE AS call_counts_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_counts_apply()",
    "CREATE TRIGGER trg_calls_counts_truncate AFTER TRUNCATE ON calls "
    "FOR EACH STATEMENT EXECUTE FUNCTION call_counts_truncate()",
)


def _sqlite_apply(row: str, delta: int) -> str:
    keys = (
        f"SELECT '*' AS key UNION ALL SELECT 's:' || {row}.status "
        f"UNION ALL SELECT 't:' || {row}.type "
        f"UNION ALL SELECT 'st:' || {row}.status || ':' || {row}.type "
        f"UNION ALL SELECT 'a:' || {row}.assistant_id "
        f"UNION ALL SELECT 'c:' || {row}.campaign_id"
    )
    return (
        f"INSERT INTO call_counts (user_id, key, day, n) "
        f"SELECT {row}.user_id, key, substr({row}.created_at, 1, 10), {delta} "
        f"FROM ({keys}) WHERE key IS NOT NULL "
        f"ON CONFLICT (user_id, key, day) DO UPDATE SET n = n + excluded.n;"
    )


_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER trg_calls_counts_insert AFTER INSERT ON calls BEGIN "
    f"{_sqlite_apply('NEW', 1)} END",
    f"CREATE TRIGGER trg_calls_counts_delete AFTER DELETE ON calls BEGIN "
    f"{_sqlite_apply('OLD', -1)} END",
    "CREATE TRIGGER trg_calls_counts_update "
    "AFTER UPDATE OF user_id, created_at, status, type, assistant_id, campaign_id ON calls "
    f"BEGIN {_sqlite_apply('OLD', -1)} {_sqlite_apply('NEW', 1)} END",
)

# Exact rebuild from the calls themselves (also used to fill the table on upgrade).
_PG_REBUILD = _PG_APPEND.format(
    rows=f"SELECT {_PG_COLUMNS}, 1 AS d FROM calls", keys=_PG_KEYS
).replace("call_count_deltas", "call_counts")


def _sqlite_rebuild() -> str:
    keys = " UNION ALL ".join(
        f"SELECT user_id, {expr} AS key, substr(created_at, 1, 10) AS day FROM calls"
        for expr in (
            "'*'",
            "'s:' || status",
            "'t:' || type",
            "'st:' || status || ':' || type",
            "'a:' || assistant_id",
            "'c:' || campaign_id",
        )
    )
    return (
        "INSERT INTO call_counts (user_id, key, day, n) SELECT user_id, key, day, count(*) "
        f"FROM ({keys}) WHERE key IS NOT NULL GROUP BY user_id, key, day"
    )


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
        op.execute(_PG_FOLD_FUNCTION)
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRUNCATE_FUNCTION)
        for trigger in _PG_TRIGGERS:
            op.execute(trigger)
        op.execute(_PG_REBUILD)
        _postgres_phone_index()
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute(_sqlite_rebuild())
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
