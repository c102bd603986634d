"""Phone filters answered through ``call_phone_suffixes`` equal a substring recount in Python:
totals, the list's pages (deep ones included) and the export, combined with the other
filters, under every kind of write."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import Engine, event, insert, inspect, text

from callvault.calls import repository as repository_module
from callvault.calls import service, statements
from callvault.calls.fields import phone_digits
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.calls.repository import CallRepository
from callvault.calls.schemas import MAX_PER_PAGE, CallListQuery, call_item
from callvault.calls.statements import Field, Match, Term
from callvault.db.database import Database
from callvault.ingest.records import parse_call
from callvault.ingest.service import ingest_calls
from callvault.migrations import alembic_config, upgrade_database
from callvault.unit_of_work import Tenant as TenantView
from callvault.unit_of_work import writing
from callvault.users.models import User
from callvault.users.service import create_user
from tests.calls.test_tallies import _expected, _list, _record_deep_pages, _with_refs
from tests.conftest import Tenant, _create_postgres_database, tenant_read, tenant_write

START = datetime(2025, 3, 1)
DAY = timedelta(days=1)
LATER = "2025-03-03 11:00:00"
STATUSES = ("completed", "failed", "no-answer")
TYPES = ("inbound", "outbound", "web")
# Shared by both users (so isolation is tested), with repeats inside a number ("5555"), a
# 3-digit number, a too-short one and international lengths.
SHARED = (
    "+1 (555) 123-4567",
    "+15551234568",
    "+44 20 7946 0958",
    "+359 888 123 456",
    "+1 555 555 5555",
    "123",
    "12",
    "+1 987 654 3210",
)
OWNER_ONLY = ("+1 555 777 0001", "+61 2 9876 5432")
OTHER_ONLY = ("+1 555 888 0002", "+81 3 1234 5678")


def _numbers(rng: random.Random, own: tuple[str, ...]) -> list[str | None]:
    randoms = [f"+1555{rng.randrange(10**7):07d}" for _ in range(25)]
    return [*SHARED, *own, *randoms, None]


def _call(call_id: int, rng: random.Random, numbers: list[str | None]) -> dict[str, Any]:
    created = START + timedelta(minutes=rng.randrange(0, 6 * 24 * 60) // 5 * 5)
    number = rng.choice(numbers)
    return {
        "id": call_id,
        "type": rng.choice(TYPES),
        "status": rng.choice(STATUSES),
        "assistant_id": rng.choice((None, 1, 2)),
        "campaign_id": rng.choice((None, 1)),
        "client_phone_number": number,
        "client_phone_digits": phone_digits(number),
        "created_at": created,
        "updated_at": created,
    }


def _check(view: TenantView, rows: list[dict[str, Any]], filters: CallFilters) -> None:
    """The list's pages (first, second, middle, last, past the end; every page of the
    largest size) and the export equal the recount."""
    expected = _expected(rows, filters)
    total = len(expected)
    assert CallRepository.of(view).count(filters) == total, filters
    for per_page in (4, 7, MAX_PER_PAGE):
        last = max(1, -(-total // per_page))
        pages = range(1, last + 1) if per_page == MAX_PER_PAGE else {1, 2, last // 2 or 1, last}
        for page in sorted({*pages, last + 1, last + 50}):
            offset = (page - 1) * per_page
            assert _list(view, filters, page, per_page) == (
                total,
                expected[offset : offset + per_page],
            ), (filters, page, per_page)
    exported = [row.id for row in CallRepository.of(view).newest_first(filters, chunk=7)]
    assert exported == expected, filters


def _queries(rows: list[dict[str, Any]]) -> list[str]:
    """Whole numbers and pieces of them (start, middle, end, 3 digits), repeats, misses."""
    queries = {"5555", "555", "123", "0000000", "99999999999", "8880002", "81312345678"}
    fixed = {phone_digits(n) for n in (*SHARED, *OWNER_ONLY, *OTHER_ONLY)}
    drawn = sorted({row["client_phone_digits"] or "" for row in rows} - fixed)[:4]
    for digits in [*sorted(d for d in fixed if d), *drawn]:
        if len(digits) < 3:
            continue
        queries.update(
            {digits, digits[:3], digits[:5], digits[-3:], digits[-4:], digits[2:8], digits[4:7]}
        )
    return sorted(q for q in queries if len(q) >= 3)


def _filter_sets(query: str) -> list[CallFilters]:
    return [
        CallFilters(phone_digits=query),
        CallFilters(phone_digits=query, status="failed"),
        CallFilters(phone_digits=query, type="inbound", assistant_id=1),
        CallFilters(phone_digits=query, created_from=START + DAY, created_before=START + 3 * DAY),
        CallFilters(
            phone_digits=query,
            status="completed",
            created_from=datetime(2025, 3, 1, 5),
            created_before=datetime(2025, 3, 5, 5),
        ),
        CallFilters(phone_digits=query, campaign_id=1, created_before=datetime(2025, 3, 4, 12)),
    ]


@pytest.fixture
def two_users(
    make_tenant: Callable[[str], Tenant],
) -> tuple[Tenant, Tenant, dict[int, list[dict[str, Any]]]]:
    """An owner and another user, 240 calls each, numbers partly shared."""
    rng = random.Random(5)
    owner = _with_refs(make_tenant("owner@example.com"))
    other = _with_refs(make_tenant("other@example.com"))
    stored: dict[int, list[dict[str, Any]]] = {}
    for tenant, own in ((owner, OWNER_ONLY), (other, OTHER_ONLY)):
        numbers = _numbers(rng, own)
        rows = [_call(i, rng, numbers) for i in range(1, 241)]
        for start in range(0, len(rows), 60):  # several statements, several transactions
            with tenant.write() as view:
                CallRepository.of(view).insert_many(rows[start : start + 60])
        stored[tenant.user.id] = rows
    return owner, other, stored


def _suffix_rows(db: Database) -> set[tuple[int, str, str]]:
    with db.connect() as connection:
        rows = connection.execute(text("SELECT user_id, suffix, digits FROM call_phone_suffixes"))
        return {(int(user), suffix, digits) for user, suffix, digits in rows}


def _suffixes_of_calls(db: Database) -> set[tuple[int, str, str]]:
    """The rows the table must hold for the calls stored now."""
    with db.connect() as connection:
        numbers = connection.execute(
            text("SELECT DISTINCT user_id, client_phone_digits FROM calls")
        ).all()
    return {
        (int(user), digits[i:], digits)
        for user, digits in numbers
        if digits is not None
        for i in range(len(digits) - 2)
    }


def _assert_suffixes_cover_calls(db: Database) -> None:
    """Every number of every call is fully present, and every row is a true suffix."""
    stored = _suffix_rows(db)
    assert _suffixes_of_calls(db) <= stored
    for _user, suffix, digits in stored:
        assert len(suffix) >= 3
        assert digits.endswith(suffix)


@pytest.mark.parametrize("plain_offset_limit", [300, 0])
@pytest.mark.parametrize("max_numbers", [1000, 3])
def test_phone_filters_match_a_substring_recount(
    two_users: tuple[Tenant, Tenant, dict[int, list[dict[str, Any]]]],
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    max_numbers: int,
    plain_offset_limit: int,
) -> None:
    """Both paths (numbers from the suffix table, and the substring scan a query matching
    more than ``MAX_PHONE_NUMBERS`` suffixes falls back to) give the recount's answer, on
    plain pages and, for the scan, on deep pages (every page past the first when
    ``PLAIN_OFFSET_LIMIT`` is 0)."""
    owner, other, stored = two_users
    monkeypatch.setattr(repository_module, "MAX_PHONE_NUMBERS", max_numbers)
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", plain_offset_limit)
    deep = _record_deep_pages(monkeypatch)
    paths = set()
    for tenant in (owner, other):
        rows = stored[tenant.user.id]
        with tenant.read() as view:
            for query in _queries(stored[owner.user.id] + stored[other.user.id]):
                numbers = CallRepository.of(view)._phone_numbers(query)
                paths.add("scan" if numbers is None else "numbers" if numbers else "none")
                filter_sets = _filter_sets(query) if tenant is owner else _filter_sets(query)[:1]
                for filters in filter_sets:
                    _check(view, rows, filters)
    assert paths == ({"scan", "numbers", "none"} if max_numbers == 3 else {"numbers", "none"})
    assert bool(deep) == (max_numbers == 3 and plain_offset_limit == 0)
    _assert_suffixes_cover_calls(db)
    assert _suffix_rows(db) == _suffixes_of_calls(db)


def test_another_users_numbers_never_match(
    two_users: tuple[Tenant, Tenant, dict[int, list[dict[str, Any]]]],
) -> None:
    owner, other, stored = two_users
    with owner.read() as mine, other.read() as theirs:
        for query in ("15558880002", "8880002", "81312345678"):
            filters = CallFilters(phone_digits=query)
            assert CallRepository.of(mine)._phone_numbers(query) == ()
            assert CallRepository.of(mine).count(filters) == 0
            assert _list(mine, filters, 1, MAX_PER_PAGE) == (0, [])
            expected = _expected(stored[other.user.id], filters)
            assert expected
            assert CallRepository.of(theirs).count(filters) == len(expected)
            assert _list(theirs, filters, 1, MAX_PER_PAGE) == (len(expected), expected)
        assert CallRepository.of(mine)._phone_numbers("5551234567") == ("15551234567",)
        assert CallRepository.of(mine)._phone_numbers("555123456") == ("15551234567", "15551234568")


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def grab(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def test_a_number_nobody_holds_costs_no_query_on_calls(tenant: Tenant, db: Database) -> None:
    tenant.add_call(id=1, client_phone_number="+19876543210")
    filters = CallFilters(phone_digits="4242", status="completed")
    with _statements(db.engine) as seen:
        with tenant.read() as view:
            assert CallRepository.of(view).count(filters) == 0
            for page in (1, 2, 100):  # a first, a plain and a deep offset
                assert _list(view, filters, page, 15) == (0, [])
            assert list(CallRepository.of(view).newest_first(filters)) == []
        assert seen, "the suffix lookup runs"
        assert not [s for s in seen if "FROM calls" in s], seen


def _ingest(db: Database, user_id: int, *calls: dict[str, Any]) -> None:
    records = [parse_call(call, ZoneInfo("UTC")) for call in calls]
    with tenant_write(db, user_id) as view:
        ingest_calls(view, records)


def _webhook_call(
    call_id: int, number: str | None, status: str, updated: str = "2025-03-02 11:00:00"
) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "inbound",
        "status": status,
        "client_phone_number": number,
        "created_at": "2025-03-02 10:00:00",
        "updated_at": updated,
    }


def _ids(db: Database, user_id: int, query: str, per_page: int = MAX_PER_PAGE) -> list[int]:
    """Every call the list finds for ``query``, page after page; the total agrees."""
    filters = CallFilters(phone_digits=query)
    ids: list[int] = []
    with tenant_read(db, user_id) as view:
        page = 1
        while True:
            total, found = _list(view, filters, page, per_page)
            ids += found
            if len(found) < per_page:
                break
            page += 1
        assert total == len(ids) == CallRepository.of(view).count(filters)
    return ids


def test_numbers_follow_ingest_updates_and_deletes(
    make_tenant: Callable[[str], Tenant], db: Database
) -> None:
    owner = make_tenant("owner@example.com")
    other = make_tenant("other@example.com")
    user_id = owner.user.id
    # A call first seen without a number gets one from a later event (an UPDATE).
    _ingest(db, user_id, _webhook_call(7, None, "ringing", "2025-03-02 10:00:00"))
    assert _ids(db, user_id, "4155550199") == []
    _ingest(db, user_id, _webhook_call(7, "+1 415 555 0199", "completed", "2025-03-02 10:05:00"))
    assert _ids(db, user_id, "4155550199") == [7]
    assert _ids(db, user_id, "0199") == [7]
    _assert_suffixes_cover_calls(db)

    # A batch big enough for the bulk paths (COPY / executemany), numbers repeating, and a
    # batch mixing new calls with updates that bring new numbers.
    rng = random.Random(3)
    batch = [
        _webhook_call(100 + i, f"+1 212 555 {rng.randrange(40):04d}", "completed")
        for i in range(100)
    ]
    _ingest(db, user_id, *batch)
    _ingest(db, other.user.id, *batch[:10])
    mixed = [_webhook_call(100 + i, f"+1 646 555 {i:04d}", "failed", LATER) for i in range(5)]
    mixed += [_webhook_call(900 + i, f"+1 646 555 {i:04d}", "failed", LATER) for i in range(3)]
    _ingest(db, user_id, *mixed)
    _assert_suffixes_cover_calls(db)
    assert _ids(db, user_id, "6465550002") == [902, 102]
    assert _ids(db, other.user.id, "6465550002") == []
    # Pages after the first agree with the first.
    everyone = _ids(db, user_id, "2125550")
    assert everyone == sorted(everyone, reverse=True)  # one second: newest is highest id
    assert len(everyone) == 95  # the batch less the five renumbered to 646
    assert _ids(db, user_id, "2125550", per_page=3) == everyone

    # Renumbering and deleting leave stale numbers behind; they match no calls.
    with tenant_write(db, user_id) as view:
        CallRepository.of(view).connection.execute(
            text(
                "UPDATE calls SET client_phone_number = '+1 303 555 0100', "
                "client_phone_digits = '13035550100' WHERE user_id = :u AND id = 7"
            ),
            {"u": user_id},
        )
        CallRepository.of(view).connection.execute(
            text("DELETE FROM calls WHERE user_id = :u AND id >= 900"), {"u": user_id}
        )
    assert _ids(db, user_id, "4155550199") == []
    assert _ids(db, user_id, "3035550100") == [7]
    assert _ids(db, user_id, "6465550002") == [102]
    with tenant_read(db, user_id) as view:
        assert CallRepository.of(view)._phone_numbers("4155550199") == ("14155550199",)
    _assert_suffixes_cover_calls(db)

    # Deleting a user removes their rows and nobody else's.
    with tenant_write(db, user_id) as view:
        CallRepository.of(view).connection.execute(
            text("DELETE FROM users WHERE id = :u"), {"u": user_id}
        )
    left = _suffix_rows(db)
    assert left
    assert {user for user, _, _ in left} == {other.user.id}
    assert left == _suffixes_of_calls(db)


def test_truncate_empties_the_suffixes(tenant: Tenant, db: Database) -> None:
    if db.backend.name == "sqlite":
        pytest.skip("SQLite has no TRUNCATE")
    tenant.add_call(id=1, client_phone_number="+19876543210")
    assert _suffix_rows(db)
    with db.write() as session:
        session.execute(text("TRUNCATE calls"))
    assert _suffix_rows(db) == set()
    assert _ids(db, tenant.user.id, "9876543210") == []


def test_concurrent_writers_of_the_same_new_numbers(
    make_tenant: Callable[[str], Tenant], database_url: str, db: Database
) -> None:
    """Transactions racing to introduce the same numbers neither fail nor lose any."""
    tenant = make_tenant("racer@example.com")
    hammer = Database(database_url, pool_size=8)
    errors: list[BaseException] = []
    numbers = [f"+1 555 010 {i:04d}" for i in range(12)]

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for round_ in range(8):
                chosen = rng.sample(numbers, 4)
                calls = [
                    _webhook_call(seed * 1000 + round_ * 10 + i, n, "completed")
                    for i, n in enumerate(chosen)
                ]
                _ingest(hammer, tenant.user.id, *calls)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hammer.dispose()
    assert not errors, errors[0]
    assert _suffix_rows(db) == _suffixes_of_calls(db)
    with db.connect() as connection:
        stored = connection.execute(
            text("SELECT id, client_phone_digits FROM calls WHERE user_id = :u"),
            {"u": tenant.user.id},
        ).all()
    for number in numbers:
        digits = phone_digits(number)
        assert digits is not None
        expected = sorted(i for i, d in stored if d == digits)
        assert sorted(_ids(db, tenant.user.id, digits[-7:])) == expected


def _fresh_database(database_url: str, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.db'}", lambda: None
    return _create_postgres_database()


def _names(url: str) -> tuple[set[str], set[str], set[str]]:
    """Tables, indexes on calls and phone triggers."""
    database = Database(url, pool_size=1)
    try:
        inspector = inspect(database.engine)
        tables = set(inspector.get_table_names())
        indexes = {index["name"] or "" for index in inspector.get_indexes("calls")}
        with database.engine.connect() as connection:
            if database.backend.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            else:
                query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            triggers = {name for (name,) in connection.execute(text(query))}
        return tables, indexes, {t for t in triggers if "phones" in t}
    finally:
        database.dispose()


def _add_calls(url: str, email: str, calls: list[dict[str, Any]]) -> int:
    database = Database(url, pool_size=1)
    try:
        with writing(database) as unit:
            user_id = create_user(unit, name=email, email=email).id
            CallRepository.of(unit.tenant(user_id)).insert_many(calls)
        return int(user_id)
    finally:
        database.dispose()


def test_upgrade_backfills_and_downgrade_restores(database_url: str, tmp_path: Path) -> None:
    url, drop = _fresh_database(database_url, tmp_path)
    try:
        upgrade_database(url, "0004")
        rng = random.Random(9)
        numbers = _numbers(rng, OWNER_ONLY)
        rows = [
            {
                "id": i,
                "type": "inbound",
                "status": "completed",
                "client_phone_number": n,
                "client_phone_digits": phone_digits(n),
                "created_at": datetime(2025, 3, 1 + i % 5, 10, i % 60),
                "updated_at": datetime(2025, 3, 6),
            }
            for i, n in enumerate((rng.choice(numbers) for _ in range(150)), 1)
        ]
        owner = _add_calls(url, "before@example.com", rows)

        upgrade_database(url)
        tables, indexes, triggers = _names(url)
        assert "call_phone_suffixes" in tables
        assert "ix_calls_phone_digits_newest" in indexes
        assert not {"ix_calls_phone_newest", "ix_calls_phone_trgm"} & indexes
        assert triggers
        database = Database(url, pool_size=1)
        try:
            assert _suffix_rows(database) == _suffixes_of_calls(database)
            for query in ("5551234567", "555", "0958", "123", "1234"):
                assert _ids(database, owner, query) == _expected(
                    rows, CallFilters(phone_digits=query)
                )
        finally:
            database.dispose()

        command.downgrade(alembic_config(url), "0004")
        tables, indexes, triggers = _names(url)
        assert "call_phone_suffixes" not in tables
        assert "call_phone_positions" not in tables
        assert "ix_calls_phone_newest" in indexes
        assert "ix_calls_phone_digits_newest" not in indexes
        assert not triggers
        later = _add_calls(url, "between@example.com", rows[:3])  # writes work without them

        upgrade_database(url)
        database = Database(url, pool_size=1)
        try:
            assert _suffix_rows(database) == _suffixes_of_calls(database)
            assert {user for user, _, _ in _suffix_rows(database)} == {owner, later}
        finally:
            database.dispose()
    finally:
        drop()


def test_the_numbers_lookup_and_the_list_share_one_snapshot(db: Database, tenant: Tenant) -> None:
    """A call renumbered (to another matching number) between the lookup and the list must
    still be counted once: both statements read the state from before the write."""
    tenant.add_call(id=1, client_phone_number="+15550001111")
    renumbered: list[bool] = []

    def renumber_after_the_lookup(*args: object) -> None:
        if "call_phone_suffixes" in str(args[2]) and not renumbered:
            renumbered.append(True)
            with db.write() as session:
                session.execute(
                    text(
                        "UPDATE calls SET client_phone_number = '+15550002222', "
                        "client_phone_digits = '15550002222' WHERE id = 1"
                    )
                )

    query = CallListQuery(CallFilters(phone_digits="555000"), page=1, per_page=15)
    event.listen(db.engine, "after_cursor_execute", renumber_after_the_lookup)
    try:
        with tenant.read() as view:
            page = service.list_calls(view, query)
    finally:
        event.remove(db.engine, "after_cursor_execute", renumber_after_the_lookup)
    assert renumbered
    assert (page.total, [call_item(row, None)["client_phone_number"] for row in page.rows]) == (
        1,
        ["+15550001111"],
    )
    with tenant.read() as view:
        again = service.list_calls(view, query)
    assert (again.total, [call_item(row, None)["client_phone_number"] for row in again.rows]) == (
        1,
        ["+15550002222"],
    )


def _generic_plan(db: Database, statement: Any, values: dict[str, str]) -> str:
    """PostgreSQL's generic plan of ``statement`` (the plan a prepared statement settles on
    after a few runs, made without looking at the values), run with literal ``values``."""
    with db.connect() as connection:
        sql = str(statement.compile(dialect=connection.dialect))
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
        numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", sql)
        connection.exec_driver_sql(f"PREPARE generic_probe AS {numbered}")
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        try:
            arguments = ", ".join(values[name] for name in names)
            plan = connection.exec_driver_sql(f"EXPLAIN EXECUTE generic_probe({arguments})")
            return "\n".join(row[0] for row in plan)
        finally:
            connection.exec_driver_sql("DEALLOCATE generic_probe")
            connection.exec_driver_sql("RESET plan_cache_mode")


def test_a_generic_plan_still_probes_each_number(tenant: Tenant, db: Database) -> None:
    """A skewed table (one user with thousands of calls among hundreds with one) must not
    make the prepared phone page filter the large user's index entries, as a generic plan
    made for the average user does with ``= ANY(numbers)``: each number stays a probe, in
    the list's page, its count and the export's chunks."""
    if db.backend.name == "sqlite":
        pytest.skip("SQLite plans each statement with its values (no generic plans)")

    def call(user_id: int, call_id: int) -> dict[str, Any]:
        return {
            "user_id": user_id,
            "id": call_id,
            "type": "inbound",
            "status": "completed",
            "client_phone_digits": f"1555{call_id:07d}",
            "created_at": START,
            "updated_at": START,
        }

    with db.write() as session:
        others = [
            session.execute(
                insert(User).values(name="n", email=f"u{n}@example.com").returning(User.id)
            ).scalar_one()
            for n in range(300)
        ]
        session.execute(insert(Call), [call(tenant.user.id, i) for i in range(1, 3001)])
        session.execute(insert(Call), [call(user_id, 1) for user_id in others])
        session.execute(text("ANALYZE calls"))
    with tenant.read() as view:  # the shape the list and the export bind for a phone filter
        terms = CallRepository.of(view).where(CallFilters(phone_digits="15550000001")).terms
    assert terms == (
        Term(Field.USER, Match.EQUAL, "user_id"),
        Term(Field.DIGITS, Match.ONE_OF, "numbers"),
    )
    backend = db.backend
    values = {
        "user_id": str(tenant.user.id),
        "numbers": "'{15550000001}'",
        "offset": "0",
        "limit": "15",
        "after_at": "'2030-01-01'",
        "after_id": "1",
    }
    for statement in (
        statements.counted_page_by_number(terms, backend),
        statements.count(terms, backend),
        statements.export_chunk(terms, True, False, backend),
        statements.export_chunk(terms, True, True, backend),
    ):
        plan = _generic_plan(db, statement, values)
        assert re.search(r"Index Cond: .*client_phone_digits = ", plan), plan
        assert not re.search(r"Filter: .*client_phone_digits", plan), plan


def test_sqlite_fetches_the_numbers_calls_by_key_without_statistics(
    tenant: Tenant, db: Database
) -> None:
    """An imported SQLite file has no ``sqlite_stat1``: the planner then guessed that
    walking the user's ``ix_calls_type_newest`` entries (and probing the keys) was as good
    as fetching the page's keys by primary key, which made a 4-digit phone filter 120 ms
    at 210k calls. The page's rows come by key whatever the statistics say."""
    if db.backend.name != "sqlite":
        pytest.skip("PostgreSQL probes each number (test_a_generic_plan_still_probes_...)")
    rows = [
        {
            "user_id": tenant.user.id,
            "id": n,
            "type": "inbound",
            "status": "completed",
            "client_phone_digits": f"1555{n:07d}",
            "created_at": START,
            "updated_at": START,
        }
        for n in range(1, 301)
    ]
    with db.write() as session:
        session.execute(insert(Call), rows)
        session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    executed: list[tuple[str, Any]] = []

    def capture(_c: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        executed.append((statement, parameters))

    filters = CallFilters(phone_digits="5550000")
    with tenant_read(db, tenant.user.id) as view:
        event.listen(view.connection, "before_cursor_execute", capture)
        calls = CallRepository.of(view)
        total, page = calls.count_and_page(filters, offset=0, limit=15)
        exported = list(calls.newest_first(filters))
        event.remove(view.connection, "before_cursor_execute", capture)
        plans = [
            [step for *_, step in view.connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", p)]
            for sql, p in executed
            if "FROM calls" in sql
        ]
    assert (total, len(page), len(exported)) == (300, 15, 300)
    assert len(plans) >= 2, executed  # the counted page, and the export's chunks
    for plan in plans:
        searches = [step for step in plan if re.match(r"(SEARCH|SCAN) calls\b", step)]
        assert searches, plan
        for step in searches:
            assert re.search(r"\(user_id=\? AND (client_phone_digits|id)=\?\)", step), plan
