"""Bulk writes leave the planner statistics of ``calls`` current: an imported SQLite file
had none, and its plans were guesses (a 4-digit phone filter took 120 ms at 210k calls)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callvault.db.database import Database
from callvault.demo.generator import fill_demo_data
from callvault.ingest.files import read_jsonl
from callvault.ingest.sync import sync_calls
from callvault.ingest.transfer import import_calls
from callvault.migrations import upgrade_database
from callvault.unit_of_work import reading, tenant_units, writing
from callvault.users.service import create_user
from tests.conftest import BACKENDS, empty_database

UTC_ZONE = ZoneInfo("UTC")


def _lines(first: int, count: int) -> io.BytesIO:
    items = [
        {
            "id": n,
            "type": "inbound",
            "status": "completed",
            "client_phone_number": f"+1555{n:07d}",
            "created_at": "2026-01-02T03:04:05.000000Z",
            "updated_at": "2026-01-02T03:04:05.000000Z",
        }
        for n in range(first, first + count)
    ]
    return io.BytesIO("".join(json.dumps(item) + "\n" for item in items).encode())


def _counted_rows(database: Database) -> int | None:
    with reading(database) as unit:
        return unit.backend.analyzed_rows(unit.connection)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with empty_database(request.param, tmp_path) as url:
        upgrade_database(url)
        database = Database(url, 1)
        try:
            yield database
        finally:
            database.dispose()


def _user(database: Database, email: str) -> int:
    with writing(database) as unit:
        return create_user(unit, name=email, email=email).id


def test_an_import_refreshes_statistics_when_its_calls_are_a_large_share(
    fresh: Database,
) -> None:
    user_id = _user(fresh, "a@example.com")
    units = tenant_units(fresh, user_id)
    assert _counted_rows(fresh) is None  # a new database: never analyzed

    import_calls(units, read_jsonl(_lines(1, 50)), UTC_ZONE)
    assert _counted_rows(fresh) == 50

    import_calls(units, read_jsonl(_lines(51, 4)), UTC_ZONE)  # 4 of 50: under a tenth
    assert _counted_rows(fresh) == 50

    import_calls(units, read_jsonl(_lines(55, 6)), UTC_ZONE)  # 6 of 50: a tenth or more
    assert _counted_rows(fresh) == 60

    import_calls(units, read_jsonl(_lines(1, 60)), UTC_ZONE)  # nothing new: nothing to do
    assert _counted_rows(fresh) == 60


def test_a_strict_import_and_the_demo_refresh_statistics(fresh: Database) -> None:
    import_calls(
        tenant_units(fresh, _user(fresh, "a@example.com")),
        read_jsonl(_lines(1, 30)),
        UTC_ZONE,
        strict=True,
    )
    assert _counted_rows(fresh) == 30
    demo_user = _user(fresh, "demo@example.com")
    with writing(fresh) as unit:
        fill_demo_data(unit.tenant(demo_user), calls=40)
    assert _counted_rows(fresh) == 70


def test_a_sync_refreshes_statistics_at_its_end(fresh: Database) -> None:
    items = [json.loads(line) for line in _lines(1, 40).getvalue().splitlines()]

    class TwoPages:  # the upstream's pages as UpstreamClient.page returns them
        def page(self, number: int) -> dict[str, Any]:
            return {"data": items[(number - 1) * 20 : number * 20], "last_page": 2}

    units = tenant_units(fresh, _user(fresh, "a@example.com"))
    report = sync_calls(units, TwoPages(), "http://upstream.test", UTC_ZONE)  # type: ignore[arg-type]
    assert (report.complete, report.created) == (True, 40)
    assert _counted_rows(fresh) == 40
