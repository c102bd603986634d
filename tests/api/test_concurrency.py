"""Concurrent requests share the worker's pooled connections instead of opening more."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

from tests.conftest import Tenant, fastapi_of


def test_concurrent_requests_open_no_connection_beyond_the_pool(
    app_factory: Callable[..., TestClient], tenant: Tenant
) -> None:
    for call_id in range(1, 31):
        tenant.add_call(id=call_id)
    client = app_factory(db_pool_size=2)
    engine = fastapi_of(client).state.context.database.engine
    client.get("/healthz")  # the pool's first connection
    opened: list[Any] = []
    event.listen(engine, "connect", lambda connection, record: opened.append(connection))

    def read(_: int) -> int:
        return tenant.get(client, "/api/user/calls?per_page=30").status_code  # type: ignore[no-any-return]

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(read, range(240)))
    assert statuses == [200] * 240
    assert len(opened) <= 1, f"{len(opened)} connections opened for a pool of 2"
