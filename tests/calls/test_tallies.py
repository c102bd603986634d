"""The maintained per-day tallies answer exactly what a recount answers, under any writes."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import DateTime, bindparam, func, select, text

from callvault.calls import repository as repository_module
from callvault.calls import service, statements
from callvault.calls.fields import ITEM_KEYS
from callvault.calls.filters import CallFilters
from callvault.calls.repository import CallRepository
from callvault.calls.schemas import MAX_PER_PAGE, CallListQuery
from callvault.calls.tallies import call_count_deltas, call_counts, split_days, tally_key
from callvault.db.database import Database
from tests.conftest import Tenant

START = datetime(2025, 3, 1)
STATUSES = ("completed", "failed", "no-answer", "busy")
TYPES = ("inbound", "outbound", "web")


def _call(call_id: int, rng: random.Random) -> dict[str, Any]:
    created = START + timedelta(minutes=rng.randrange(0, 6 * 24 * 60) // 7 * 7)
    number = f"+1555{rng.randrange(0, 10_000_000):07d}"
    return {
        "id": call_id,
        "type": rng.choice(TYPES),
        "status": rng.choice(STATUSES),
        "assistant_id": rng.choice((None, 1, 2)),
        "campaign_id": rng.choice((None, 1)),
        "client_phone_number": number,
        "client_phone_digits": number[1:],
        "created_at": created,
        "updated_at": created,
    }


def _with_refs(tenant: Tenant) -> Tenant:
    tenant.add_assistant(1, "One")
    tenant.add_assistant(2, "Two")
    tenant.add_campaign(1, "Spring")
    return tenant


def _filter_sets() -> list[CallFilters]:
    ranges: list[tuple[datetime | None, datetime | None]] = [
        (None, None),
        (datetime(2025, 3, 2), datetime(2025, 3, 4)),  # whole days
        (datetime(2025, 3, 1, 5), datetime(2025, 3, 2, 5)),  # one day in UTC-5, spans midnight
        (datetime(2025, 3, 1, 4, 30), datetime(2025, 3, 5, 4, 30)),  # edges on both sides
        (datetime(2025, 3, 3, 1), datetime(2025, 3, 3, 2)),  # inside one day
        (None, datetime(2025, 3, 4, 12)),
        (datetime(2025, 3, 2, 12), None),
    ]
    categorical: list[dict[str, Any]] = [
        {},
        {"status": "failed"},
        {"type": "web"},
        {"assistant_id": 2},
        {"campaign_id": 1},
        {"status": "completed", "type": "outbound"},
        {"status": "busy", "assistant_id": 1},
        {"phone_digits": "555"},
    ]
    return [
        CallFilters(created_from=low, created_before=high, **fields)
        for low, high in ranges
        for fields in categorical
    ]


def _recount(repository: CallRepository, filters: CallFilters) -> int:
    return repository.count_rows(filters)


def _tallies_match_calls(db: Database) -> None:
    """Every non-zero tally (folded plus pending) equals a recount of its key and day."""
    stored: dict[tuple[int, str, str], int] = {}
    with db.read() as session:
        for table in (call_counts, call_count_deltas):
            for user, key, day, n in session.execute(
                select(table.c.user_id, table.c.key, table.c.day, table.c.n)
            ).all():
                stored[(user, key, str(day))] = stored.get((user, key, str(day)), 0) + n
        stored = {k: n for k, n in stored.items() if n != 0}
        rows = session.execute(
            text("SELECT user_id, status, type, assistant_id, campaign_id, created_at FROM calls")
        ).all()
    expected: dict[tuple[int, str, str], int] = {}
    for user, status, kind, assistant, campaign, created in rows:
        day = str(created)[:10]
        keys = ["*", f"s:{status}", f"t:{kind}", f"st:{status}:{kind}"]
        keys += [f"a:{assistant}"] if assistant is not None else []
        keys += [f"c:{campaign}"] if campaign is not None else []
        for key in keys:
            expected[(user, key, day)] = expected.get((user, key, day), 0) + 1
    assert stored == expected


def test_tally_keys() -> None:
    assert tally_key(CallFilters()) == "*"
    assert tally_key(CallFilters(status="failed")) == "s:failed"
    assert tally_key(CallFilters(status="failed", type="web")) == "st:failed:web"
    assert tally_key(CallFilters(campaign_id=3, created_from=START)) == "c:3"
    assert tally_key(CallFilters(status="failed", campaign_id=3)) is None
    assert tally_key(CallFilters(phone_digits="123")) is None


def test_split_days_edges() -> None:
    split = split_days(datetime(2025, 3, 1, 5), datetime(2025, 3, 4, 5))
    assert split is not None
    assert (str(split.first_day), str(split.last_day)) == ("2025-03-02", "2025-03-03")
    assert split.low_edge == (datetime(2025, 3, 1, 5), datetime(2025, 3, 2))
    assert split.high_edge == (datetime(2025, 3, 4), datetime(2025, 3, 4, 5))
    inside = split_days(datetime(2025, 3, 1, 5), datetime(2025, 3, 2, 5))
    assert inside is not None
    assert not inside.whole_days
    assert split_days(None, datetime.min) is None


def test_counts_and_deep_pages_match_a_recount(
    make_tenant: Callable[[str], Tenant], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(4)
    owner = _with_refs(make_tenant("owner@example.com"))
    other = _with_refs(make_tenant("other@example.com"))
    for tenant in (owner, other):
        with db.write() as session:
            CallRepository(session.connection(), tenant.user.id).insert_many(
                [_call(i, rng) for i in range(1, 401)]
            )
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 0)
    with db.read() as session:
        repository = CallRepository(session.connection(), owner.user.id)
        for filters in _filter_sets():
            total = repository.count(filters)
            assert total == _recount(repository, filters), filters
            everything = [row.id for row in repository.page(filters, offset=0, limit=1000)]
            assert len(everything) == total
            for offset in {1, 7, total // 3, total // 2, total - 5, total - 1, total}:
                if offset < 0:
                    continue
                got = [row.id for row in repository.page(filters, offset=offset, limit=6)]
                assert got == everything[offset : offset + 6], (filters, offset)
    _tallies_match_calls(db)


def test_deep_pages_walk_to_their_anchor_from_the_nearer_end_of_the_day(
    tenant: Tenant, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every offset of a crowded day (calls sharing their second, so ``id`` breaks ties) and
    of its neighbours gives the rows a plain OFFSET gives, whichever end the anchor is
    counted from."""
    _with_refs(tenant)
    calls = []
    for call_id in range(1, 121):
        day = START + timedelta(days=call_id % 3)  # three days of 40 calls each
        created = day + timedelta(hours=9, seconds=(call_id // 3) % 7)
        calls.append({**_call(call_id, random.Random(call_id)), "created_at": created})
    with db.write() as session:
        CallRepository(session.connection(), tenant.user.id).insert_many(calls)
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 0)
    walks: list[bool] = []
    page_from_anchor = statements.page_from_anchor

    def recording(terms: Any, window: Any, on_postgresql: bool, oldest_first: bool) -> Any:
        walks.append(oldest_first)
        return page_from_anchor(terms, window, on_postgresql, oldest_first)

    monkeypatch.setattr(statements, "page_from_anchor", recording)
    with db.read() as session:
        repository = CallRepository(session.connection(), tenant.user.id)
        for filters in (CallFilters(), CallFilters(status="failed")):
            everything = [row.id for row in repository.page(filters, offset=0, limit=1000)]
            assert len(everything) == repository.count(filters)
            for offset in range(1, len(everything) + 1):
                got = [row.id for row in repository.page(filters, offset=offset, limit=3)]
                assert got == everything[offset : offset + 3], (filters, offset)
    assert set(walks) == {False, True}


def test_tallies_follow_every_kind_of_write(tenant: Tenant, db: Database) -> None:
    _with_refs(tenant)
    rng = random.Random(7)
    user_id = tenant.user.id
    with db.write() as session:
        CallRepository(session.connection(), user_id).insert_many(
            [_call(i, rng) for i in range(1, 201)]
        )
    with db.write() as session:
        session.execute(text("UPDATE calls SET status = 'failed', type = 'web' WHERE id % 3 = 0"))
        session.execute(
            text("UPDATE calls SET created_at = :moved WHERE id % 5 = 0").bindparams(
                bindparam("moved", type_=DateTime())
            ),
            {"moved": datetime(2025, 3, 4, 7, 15)},
        )
        session.execute(text("UPDATE calls SET assistant_id = NULL WHERE id % 7 = 0"))
        session.execute(text("UPDATE calls SET transcript = 'touched' WHERE id % 2 = 0"))
        session.execute(text("DELETE FROM calls WHERE id % 11 = 0"))
    with db.write() as session:
        repository = CallRepository(session.connection(), user_id)
        for call_id in (1, 2, 3):
            repository.delete(call_id)
        # An upsert, as the webhook ingest writes them: one new row, one changed row.
        session.execute(
            text(
                "INSERT INTO calls (user_id, id, type, status, created_at, updated_at) "
                "VALUES (:u, 5000, 'inbound', 'ringing', :t, :t), "
                "(:u, 4, 'inbound', 'ended', :t, :t) "
                "ON CONFLICT (user_id, id) DO UPDATE SET status = excluded.status, "
                "type = excluded.type, created_at = excluded.created_at"
            ).bindparams(bindparam("t", type_=DateTime())),
            {"u": user_id, "t": datetime(2025, 3, 9, 23, 59, 59)},
        )
    _tallies_match_calls(db)
    with db.write() as session:  # cascades from the user fire the triggers too
        session.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})
    _tallies_match_calls(db)


def test_totals_stay_exact_under_concurrent_writes(
    make_tenant: Callable[[str], Tenant],
    database_url: str,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writers insert, move (status, type, day) and delete calls while readers compare
    every total with a recount taken in the same snapshot, and the list's pages (shallow,
    and deep ones through the day jump) with their totals."""
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 10)
    tenants = [_with_refs(make_tenant(f"t{i}@example.com")) for i in range(2)]
    hammer = Database(database_url, pool_size=8)
    errors: list[BaseException] = []
    stop = threading.Event()
    checks = [0]

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        next_id = seed * 100_000
        try:
            for _ in range(60):
                user_id = rng.choice(tenants).user.id
                with hammer.write() as session:
                    repository = CallRepository(session.connection(), user_id)
                    action = rng.random()
                    if action < 0.45:
                        # Several statements in one transaction, days and keys in any order.
                        for _ in range(rng.randint(1, 3)):
                            batch = []
                            for _ in range(rng.randint(1, 4)):
                                next_id += 1
                                batch.append(_call(next_id, rng))
                            repository.insert_many(batch)
                    elif action < 0.8:
                        session.execute(
                            text(
                                "UPDATE calls SET status = :s, type = :t, created_at = :c "
                                "WHERE user_id = :u AND id IN (SELECT id FROM calls "
                                "WHERE user_id = :u ORDER BY id LIMIT 2 OFFSET :o)"
                            ).bindparams(bindparam("c", type_=DateTime())),
                            {
                                "s": rng.choice(STATUSES),
                                "t": rng.choice(TYPES),
                                "c": START + timedelta(hours=rng.randrange(0, 140)),
                                "u": user_id,
                                "o": rng.randrange(0, 20),
                            },
                        )
                    else:
                        victim = session.scalar(
                            select(func.min(text("id")))
                            .select_from(text("calls"))
                            .where(text("user_id = :u"))
                            .params(u=user_id)
                        )
                        if victim is not None:
                            repository.delete(int(victim))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        filter_sets = _filter_sets()
        try:
            while not stop.is_set():
                tenant = rng.choice(tenants)
                filters = rng.choice(filter_sets)
                with hammer.read() as session:
                    repository = CallRepository(session.connection(), tenant.user.id)
                    total = repository.count(filters)
                    assert total == _recount(repository, filters), filters
                    checks[0] += 1
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def lister(seed: int) -> None:
        """The list endpoint's read: its total and its page must come from one snapshot."""
        rng = random.Random(seed)
        filter_sets = _filter_sets()
        try:
            while not stop.is_set():
                tenant = rng.choice(tenants)
                number, size = rng.choice(((1, MAX_PER_PAGE), (2, 7), (4, 7), (9, 7)))
                query = CallListQuery(rng.choice(filter_sets), page=number, per_page=size)
                with hammer.connect() as connection:
                    page = service.list_calls(connection, tenant.user.id, query)
                offset = (number - 1) * size
                assert len(page.rows) == max(0, min(size, page.total - offset)), query
                items = [dict(zip(ITEM_KEYS, row, strict=True)) for row in page.rows]
                keys = [(item["created_at"], item["id"]) for item in items]
                assert keys == sorted(keys, reverse=True)
                checks[0] += 1
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(1, 5)]
    readers = [threading.Thread(target=reader, args=(seed,)) for seed in range(100, 102)]
    readers.append(threading.Thread(target=lister, args=(200,)))
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in readers:
        thread.join()
    hammer.dispose()
    assert not errors, errors[0]
    assert checks[0] > 0
    _tallies_match_calls(db)
    for tenant in tenants:
        with db.read() as session:
            repository = CallRepository(session.connection(), tenant.user.id)
            for filters in _filter_sets():
                assert repository.count(filters) == _recount(repository, replace(filters))
