"""The SQL that keeps ``call_counts`` exact, rendered from ``TALLY_KEYS``.

Migrations 0003 and 0004 install the triggers (and fill the table from the calls); SQLite's
bulk insert counts its rows with ``sqlite_insert_counts``. A database keeps the triggers it
was migrated with: changing the keys or this SQL needs a new migration that reinstalls them.
"""

# ruff: noqa: S608  (every SQL string here is assembled from constants)

from __future__ import annotations

from callvault.calls.tallies import TALLY_KEYS, TallyKey

TALLIED_COLUMNS: tuple[str, ...] = (
    "user_id",
    "created_at",
    *dict.fromkeys(column for key in TALLY_KEYS for column in key.columns),
)
"""The call columns a row's tallies depend on."""


def key_sql(key: TallyKey, row: str = "") -> str:
    """``key`` of the call row aliased ``row`` (bare columns without one); NULL when one of its
    columns is NULL (the same on both backends)."""
    if not key.columns:
        return f"'{key.prefix}'"
    values = " || ':' || ".join(f"{row}.{column}" if row else column for column in key.columns)
    return f"'{key.prefix}:' || {values}"


# PostgreSQL: statement-level triggers with transition tables (see migration 0003).

# The tally keys of one call row ``r``; a NULL key (no assistant/campaign) is skipped.
_PG_KEY_ROWS = ", ".join(f"({key_sql(key, 'r')})" for key in TALLY_KEYS)
_PG_KEYS = f"(VALUES {_PG_KEY_ROWS}) AS k(key)"

# A statement's net change per (user, key, day), appended to ``call_count_deltas``.
_PG_APPEND = """
    INSERT INTO call_count_deltas (user_id, key, day, n)
    SELECT r.user_id, k.key, r.created_at::date, sum(r.d)
    FROM ({rows}) AS r CROSS JOIN LATERAL {keys}
    WHERE k.key IS NOT NULL
    GROUP BY r.user_id, k.key, r.created_at::date
    HAVING sum(r.d) <> 0;
"""
_PG_COLUMNS = ", ".join(TALLIED_COLUMNS)
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
_PG_APPLY_FUNCTION = f"""
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

POSTGRES_FUNCTIONS = (_PG_FOLD_FUNCTION, _PG_APPLY_FUNCTION, _PG_TRUNCATE_FUNCTION)
"""``call_counts_fold``, ``call_counts_apply`` and ``call_counts_truncate``, in that order."""

POSTGRES_TRIGGERS = (
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

POSTGRES_REBUILD = _PG_APPEND.format(
    rows=f"SELECT {_PG_COLUMNS}, 1 AS d FROM calls", keys=_PG_KEYS
).replace("call_count_deltas", "call_counts")
"""Fill an empty ``call_counts`` from the calls themselves."""


# SQLite: one writer at a time, so row triggers upsert the counters directly.


def _sqlite_count(row: str, delta: int) -> str:
    """A row trigger's statement: add ``delta`` to each tally of ``row`` (``NEW``/``OLD``)."""
    keys = " UNION ALL ".join(
        f"SELECT {key_sql(key, row)}{' AS key' if index == 0 else ''}"
        for index, key in enumerate(TALLY_KEYS)
    )
    return (
        f"INSERT INTO call_counts (user_id, key, day, n) "
        f"SELECT {row}.user_id, key, substr({row}.created_at, 1, 10), {delta} "
        f"FROM ({keys}) WHERE key IS NOT NULL "
        f"ON CONFLICT (user_id, key, day) DO UPDATE SET n = n + excluded.n;"
    )


def sqlite_insert_trigger(pausable: bool) -> str:
    """The insert trigger; a pausable one (migration 0004) does nothing while
    ``call_counts_paused`` has a row, for a bulk insert that counts its rows itself."""
    pause = "WHEN NOT EXISTS (SELECT 1 FROM call_counts_paused) " if pausable else ""
    return (
        "CREATE TRIGGER trg_calls_counts_insert AFTER INSERT ON calls "
        f"{pause}BEGIN {_sqlite_count('NEW', 1)} END"
    )


SQLITE_DELETE_TRIGGER = (
    f"CREATE TRIGGER trg_calls_counts_delete AFTER DELETE ON calls BEGIN "
    f"{_sqlite_count('OLD', -1)} END"
)
SQLITE_UPDATE_TRIGGER = (
    f"CREATE TRIGGER trg_calls_counts_update AFTER UPDATE OF {', '.join(TALLIED_COLUMNS)} "
    f"ON calls BEGIN {_sqlite_count('OLD', -1)} {_sqlite_count('NEW', 1)} END"
)


def sqlite_insert_counts(source: str) -> str:
    """``INSERT INTO call_counts`` the tallies of the rows of ``source`` (a table or CTE with
    ``TALLIED_COLUMNS``), grouped; the caller appends any ``ON CONFLICT``."""
    keys = " UNION ALL ".join(
        f"SELECT user_id, {key_sql(key)} AS key, substr(created_at, 1, 10) AS day FROM {source}"
        for key in TALLY_KEYS
    )
    return (
        "INSERT INTO call_counts (user_id, key, day, n) SELECT user_id, key, day, count(*) "
        f"FROM ({keys}) WHERE key IS NOT NULL GROUP BY user_id, key, day"
    )


SQLITE_REBUILD = sqlite_insert_counts("calls")
"""Fill an empty ``call_counts`` from the calls themselves."""
