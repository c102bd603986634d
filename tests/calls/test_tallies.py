"""The maintained per-day tallies answer exactly what a recount answers, under any writes,
and the list (``service.list_calls``, deep pages found from them included) gives the rows a
plain query gives."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import DateTime, bindparam, event, select, text

from callvault.calls import repository as repository_module
from callvault.calls import service, statements
from callvault.calls.fields import ITEM_KEYS, phone_digits
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.calls.repository import CallRepository
from callvault.calls.schemas import MAX_PER_PAGE, CallListQuery
from callvault.calls.tallies import call_count_deltas, call_counts, split_days, tally_key
from callvault.db.database import Database
from callvault.unit_of_work import Tenant as TenantView
from tests.conftest import Tenant, tenant_read, tenant_write

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


# References, independent of the repository: a recount in Python of the rows a test stored,
# and a plain query over ``calls`` (no tallies, no suffix table, no anchors).


def _matches(row: dict[str, Any], filters: CallFilters) -> bool:
    digits = row["client_phone_digits"]
    return (
        (filters.status is None or row["status"] == filters.status)
        and (filters.type is None or row["type"] == filters.type)
        and (filters.assistant_id is None or row["assistant_id"] == filters.assistant_id)
        and (filters.campaign_id is None or row["campaign_id"] == filters.campaign_id)
        and (filters.phone_digits is None or filters.phone_digits in (digits or ""))
        and (filters.created_from is None or row["created_at"] >= filters.created_from)
        and (filters.created_before is None or row["created_at"] < filters.created_before)
    )


def _expected(rows: list[dict[str, Any]], filters: CallFilters) -> list[int]:
    """The ids of the stored ``rows`` matching ``filters``, newest first."""
    found = [row for row in rows if _matches(row, filters)]
    found.sort(key=lambda row: (row["created_at"], row["id"]), reverse=True)
    return [row["id"] for row in found]


def _naive_ids(view: TenantView, filters: CallFilters) -> list[int]:
    """The matching ids newest first, by a plain ORDER BY over ``calls`` on the view's
    connection (so in its snapshot)."""
    conditions = [Call.user_id == view.user_id]
    for column, value in (
        (Call.status, filters.status),
        (Call.type, filters.type),
        (Call.assistant_id, filters.assistant_id),
        (Call.campaign_id, filters.campaign_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.phone_digits is not None:
        conditions.append(Call.client_phone_digits.contains(filters.phone_digits))
    if filters.created_from is not None:
        conditions.append(Call.created_at >= filters.created_from)
    if filters.created_before is not None:
        conditions.append(Call.created_at < filters.created_before)
    statement = select(Call.id).where(*conditions).order_by(Call.created_at.desc(), Call.id.desc())
    return [int(call_id) for call_id in CallRepository.of(view).connection.scalars(statement)]


def _item_ids(rows: Sequence[Sequence[Any]]) -> list[int]:
    """The ids of a page's rows, which must each hold exactly the item's columns."""
    return [dict(zip(ITEM_KEYS, row, strict=True))["id"] for row in rows]


def _list(
    view: TenantView, filters: CallFilters, page: int, per_page: int
) -> tuple[int, list[int]]:
    """The total and the page's ids, as the list endpoint reads them."""
    found = service.list_calls(view, CallListQuery(filters, page=page, per_page=per_page))
    return found.total, _item_ids(found.rows)


def _check_pages(
    view: TenantView, filters: CallFilters, expected: list[int], sizes: Sequence[int]
) -> None:
    """Every page of each size (and the one past the end) is its slice of ``expected``."""
    total = len(expected)
    for per_page in sizes:
        for page in range(1, total // per_page + 3):
            offset = (page - 1) * per_page
            assert _list(view, filters, page, per_page) == (
                total,
                expected[offset : offset + per_page],
            ), (filters, page, per_page)


def _record_deep_pages(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The offsets the list reads through ``deep_page`` from now on."""
    offsets: list[int] = []
    deep_page = CallRepository.deep_page

    def recording(self: CallRepository, filters: CallFilters, *, offset: int, limit: int) -> Any:
        offsets.append(offset)
        return deep_page(self, filters, offset=offset, limit=limit)

    monkeypatch.setattr(CallRepository, "deep_page", recording)
    return offsets


def _tallies_match_calls(db: Database) -> None:
    """Every non-zero tally (folded plus pending) equals a recount of its key and day."""
    stored: dict[tuple[int, str, str], int] = {}
    with db.connect() as connection:
        for table in (call_counts, call_count_deltas):
            for user, key, day, n in connection.execute(
                select(table.c.user_id, table.c.key, table.c.day, table.c.n)
            ).all():
                stored[(user, key, str(day))] = stored.get((user, key, str(day)), 0) + n
        stored = {k: n for k, n in stored.items() if n != 0}
        rows = connection.execute(
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
    """Totals and every page of the list (deep ones through the day jump) equal a recount
    of the stored rows; the other user's calls, stored alongside, never show."""
    rng = random.Random(4)
    owner = _with_refs(make_tenant("owner@example.com"))
    other = _with_refs(make_tenant("other@example.com"))
    stored: dict[int, list[dict[str, Any]]] = {}
    for tenant in (owner, other):
        stored[tenant.user.id] = [_call(i, rng) for i in range(1, 401)]
        with tenant.write() as view:
            CallRepository.of(view).insert_many(stored[tenant.user.id])
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 0)
    deep = _record_deep_pages(monkeypatch)
    with owner.read() as view:
        for filters in _filter_sets():
            expected = _expected(stored[owner.user.id], filters)
            total = len(expected)
            assert CallRepository.of(view).count(filters) == total, filters
            _check_pages(view, filters, expected, (6, 7, MAX_PER_PAGE))
            for offset in {1, 7, total // 3, total // 2, total - 5, total - 1, total}:
                if offset >= 0:  # every row can start a page
                    assert _list(view, filters, offset + 1, 1) == (
                        total,
                        expected[offset : offset + 1],
                    ), (filters, offset)
    assert deep, "deep pages are read through the day jump"
    _tallies_match_calls(db)


def test_deep_pages_walk_to_their_anchor_from_the_nearer_end_of_the_day(
    tenant: Tenant, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every offset of a crowded day (calls sharing their second, so ``id`` breaks ties) and
    of its neighbours gives the recount's rows, whichever end the anchor is counted from,
    also when the range's edges cut through the crowded seconds."""
    _with_refs(tenant)
    calls = []
    for call_id in range(1, 121):
        day = START + timedelta(days=call_id % 3)  # three days of 40 calls each
        created = day + timedelta(hours=9, seconds=(call_id // 3) % 7)
        calls.append({**_call(call_id, random.Random(call_id)), "created_at": created})
    with tenant.write() as view:
        CallRepository.of(view).insert_many(calls)
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 0)
    deep = _record_deep_pages(monkeypatch)
    walks: list[bool] = []
    page_from_anchor = statements.page_from_anchor

    def recording(terms: Any, window: Any, backend: Any, oldest_first: bool) -> Any:
        walks.append(oldest_first)
        return page_from_anchor(terms, window, backend, oldest_first)

    monkeypatch.setattr(statements, "page_from_anchor", recording)
    edges = CallFilters(
        created_from=START + timedelta(hours=9, seconds=3),  # inside day 1's crowded seconds
        created_before=START + timedelta(days=2, hours=9, seconds=4),  # and day 3's
    )
    with tenant.read() as view:
        for filters in (CallFilters(), CallFilters(status="failed"), edges):
            expected = _expected(calls, filters)
            assert CallRepository.of(view).count(filters) == len(expected), filters
            _check_pages(view, filters, expected, (1, 3, 7, 40))
    assert set(walks) == {False, True}
    assert len(deep) > len(calls)


def test_a_deep_page_and_its_total_share_one_snapshot(
    tenant: Tenant, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer call committed between a deep page's total and its day lookup shows in
    neither: both read the state from before the write."""
    _with_refs(tenant)
    calls = [
        {**_call(i, random.Random(i)), "created_at": START + timedelta(hours=5 * i)}
        for i in range(1, 31)
    ]
    with tenant.write() as view:
        CallRepository.of(view).insert_many(calls)
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 0)
    deep = _record_deep_pages(monkeypatch)
    inserted: list[bool] = []

    def insert_after_the_total(*args: object) -> None:
        if "call_counts" in str(args[2]) and not inserted:
            inserted.append(True)
            tenant.add_call(id=99, created_at=START + timedelta(days=20))

    expected = _expected(calls, CallFilters())
    event.listen(db.engine, "after_cursor_execute", insert_after_the_total)
    try:
        with tenant.read() as view:
            assert _list(view, CallFilters(), 3, 5) == (30, expected[10:15])
    finally:
        event.remove(db.engine, "after_cursor_execute", insert_after_the_total)
    assert inserted
    with tenant.read() as view:
        assert _list(view, CallFilters(), 3, 5) == (31, [99, *expected][10:15])
    assert deep == [10, 10]


def test_tallies_follow_every_kind_of_write(
    tenant: Tenant, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_refs(tenant)
    rng = random.Random(7)
    user_id = tenant.user.id
    with tenant.write() as view:
        CallRepository.of(view).insert_many([_call(i, rng) for i in range(1, 201)])
    with tenant.write() as view:
        connection = CallRepository.of(view).connection
        connection.execute(
            text("UPDATE calls SET status = 'failed', type = 'web' WHERE id % 3 = 0")
        )
        connection.execute(
            text("UPDATE calls SET created_at = :moved WHERE id % 5 = 0").bindparams(
                bindparam("moved", type_=DateTime())
            ),
            {"moved": datetime(2025, 3, 4, 7, 15)},
        )
        connection.execute(text("UPDATE calls SET assistant_id = NULL WHERE id % 7 = 0"))
        connection.execute(text("UPDATE calls SET transcript = 'touched' WHERE id % 2 = 0"))
        connection.execute(text("DELETE FROM calls WHERE id % 11 = 0"))
    with tenant.write() as view:
        for call_id in (1, 2, 3):
            assert CallRepository.of(view).delete(call_id)
        # An upsert, as the webhook ingest writes them: one new row, one changed row.
        CallRepository.of(view).connection.execute(
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
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 0)
    with tenant.read() as view:
        for filters in _filter_sets()[::3]:
            expected = _naive_ids(view, filters)
            assert CallRepository.of(view).count(filters) == len(expected), filters
            _check_pages(view, filters, expected, (9,))
    with tenant_write(db, user_id) as view:  # cascades from the user fire the triggers too
        CallRepository.of(view).connection.execute(
            text("DELETE FROM users WHERE id = :u"), {"u": user_id}
        )
    _tallies_match_calls(db)


def _item_matches(item: dict[str, Any], filters: CallFilters) -> bool:
    """Whether a listed item (``_with_refs`` names) matches ``filters``."""
    row = {
        "id": item["id"],
        "status": item["status"],
        "type": item["type"],
        "assistant_id": {"One": 1, "Two": 2}.get(item["assistant_name"]),
        "campaign_id": {"Spring": 1}.get(item["campaign_name"]),
        "client_phone_digits": phone_digits(item["client_phone_number"]),
        "created_at": item["created_at"],
    }
    return _matches(row, filters)


def test_totals_stay_exact_under_concurrent_writes(
    make_tenant: Callable[[str], Tenant],
    database_url: str,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writers insert, move (status, type, day) and delete calls while readers compare
    every total with a recount taken in the same snapshot, and the list's pages (shallow,
    and deep ones through the day jump) with their totals and filters; once they stop,
    every page equals a plain query's."""
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", 10)
    deep = _record_deep_pages(monkeypatch)
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
                with tenant_write(hammer, user_id) as view:
                    calls = CallRepository.of(view)
                    action = rng.random()
                    if action < 0.45:
                        # Several statements in one transaction, days and keys in any order.
                        for _ in range(rng.randint(1, 3)):
                            batch = []
                            for _ in range(rng.randint(1, 4)):
                                next_id += 1
                                batch.append(_call(next_id, rng))
                            calls.insert_many(batch)
                    elif action < 0.8:
                        calls.connection.execute(
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
                        victim = calls.connection.scalar(
                            text("SELECT min(id) FROM calls WHERE user_id = :u"), {"u": user_id}
                        )
                        if victim is not None:
                            calls.delete(int(victim))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        filter_sets = _filter_sets()
        try:
            while not stop.is_set():
                tenant = rng.choice(tenants)
                filters = rng.choice(filter_sets)
                with tenant_read(hammer, tenant.user.id) as view, view.snapshot():
                    assert CallRepository.of(view).count(filters) == len(
                        _naive_ids(view, filters)
                    ), filters
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
                with tenant_read(hammer, tenant.user.id) as view:
                    page = service.list_calls(view, query)
                offset = (number - 1) * size
                assert len(page.rows) == max(0, min(size, page.total - offset)), query
                items = [dict(zip(ITEM_KEYS, row, strict=True)) for row in page.rows]
                keys = [(item["created_at"], item["id"]) for item in items]
                assert keys == sorted(keys, reverse=True), query
                assert all(_item_matches(item, query.filters) for item in items), query
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
        with tenant.read() as view:
            for filters in _filter_sets():
                expected = _naive_ids(view, filters)
                assert CallRepository.of(view).count(filters) == len(expected), filters
                _check_pages(view, filters, expected, (7,))
    assert deep
