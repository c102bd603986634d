"""``callvault sync`` from a second callvault instance; resume; retries honour Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from callvault.cli.main import app
from callvault.db.database import Database
from callvault.demo.generator import fill_demo_data
from callvault.errors import CallvaultError
from callvault.ingest.models import SyncSource
from callvault.ingest.records import MAX_JSON_DEPTH
from callvault.ingest.sync import SyncFailed, UpstreamClient, retry_delay, sync_calls
from callvault.tokens.service import issue_token
from callvault.unit_of_work import tenant_units, writing
from callvault.users.service import create_user
from tests.conftest import Tenant, read_session
from tests.ingest.conftest import nested
from tests.ingest.servers import serving

UPSTREAM_CALLS = 250  # three pages of 100


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A second callvault with its own SQLite database and demo calls: (base URL, token)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('upstream') / 'upstream.db'}"
    with serving(url) as base:
        database = Database(url)
        with writing(database) as unit:
            owner = create_user(unit, name="Upstream", email="up@example.com")
            fill_demo_data(unit.tenant(owner.id), calls=UPSTREAM_CALLS, seed=7)
            token = issue_token(unit.tenant(owner.id), name="sync").plain_text
        database.dispose()
        yield base, token


def all_items(base: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    with httpx.Client(base_url=base, headers=headers) as http:
        page = 1
        while True:
            body = http.get("/api/user/calls", params={"per_page": 100, "page": page}).json()
            items.extend(body["data"])
            if page >= body["last_page"]:
                return items
            page += 1


def test_sync_copies_every_call_and_is_idempotent(
    upstream, db, tenant, client, database_url, monkeypatch
) -> None:
    base, token = upstream
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", database_url)
    result = CliRunner().invoke(
        app, ["sync", "--from", base + "/", "--token", token, "--user", tenant.user.email]
    )
    assert result.exit_code == 0, result.output
    assert f"Synced 3 pages, {UPSTREAM_CALLS} calls: {UPSTREAM_CALLS} created" in result.output
    theirs = all_items(base, {"Authorization": f"Bearer {token}"})
    ours = tenant.get(client, "/api/user/calls?per_page=100").json()
    mine = ours["data"]
    page = 2
    while len(mine) < ours["total"]:
        mine += tenant.get(client, f"/api/user/calls?per_page=100&page={page}").json()["data"]
        page += 1
    assert mine == theirs
    with read_session(db) as session:
        state = session.scalars(select(SyncSource)).one()
    assert (state.source, state.complete, state.next_page) == (base, True, 1)

    again = CliRunner().invoke(
        app, ["sync", "--from", base, "--token", token, "--user", tenant.user.email]
    )
    assert again.exit_code == 0, again.output
    assert "Synced 1 page, 100 calls: 0 created, 0 updated" in again.output


class FailingAfter:
    """An upstream that breaks after ``pages`` successful pages (a crash mid-sync)."""

    def __init__(self, inner: UpstreamClient, pages: int) -> None:
        self.inner, self.left = inner, pages

    def page(self, number: int) -> dict[str, Any]:
        if self.left == 0:
            raise SyncFailed("connection lost")
        self.left -= 1
        return self.inner.page(number)


def test_interrupted_sync_resumes_after_the_last_stored_page(upstream, db, tenant) -> None:
    base, token = upstream
    inner = UpstreamClient(base, token)
    seen: list[int] = []

    class Recording:
        def page(self, number: int) -> dict[str, Any]:
            seen.append(number)
            return inner.page(number)

    failing = FailingAfter(Recording(), 2)  # type: ignore[arg-type]
    units = tenant_units(db, tenant.user.id)
    with pytest.raises(CallvaultError):
        sync_calls(units, failing, base, ZoneInfo("UTC"))  # type: ignore[arg-type]
    with read_session(db) as session:
        assert session.scalars(select(SyncSource)).one().next_page == 3
    seen.clear()
    units = tenant_units(db, tenant.user.id)
    report = sync_calls(units, Recording(), base, ZoneInfo("UTC"))  # type: ignore[arg-type]
    inner.close()
    assert seen == [3]
    assert (report.complete, report.created) == (True, UPSTREAM_CALLS - 200)


def test_retries_429_and_5xx_honouring_retry_after(db, tenant) -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(503),
        httpx.Response(500, headers={"Retry-After": "0"}),
        httpx.Response(
            200,
            json={
                "data": [{"id": 1, "type": "web", "status": "completed"}],
                "last_page": 1,
            },
        ),
    ]
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return answers.pop(0)

    sleeps: list[float] = []
    upstream = UpstreamClient(
        "http://upstream.test", "t0k", transport=httpx.MockTransport(handler), sleep=sleeps.append
    )
    report = sync_calls(
        tenant_units(db, tenant.user.id), upstream, "http://upstream.test", ZoneInfo("UTC")
    )
    assert report.created == 1
    assert sleeps[0] == 7.0
    assert 0.25 <= sleeps[1] <= 1.0  # backoff without Retry-After
    assert sleeps[2] == 0.0
    assert requests[0].url.params["per_page"] == "100"
    assert requests[0].headers["authorization"] == "Bearer t0k"


def test_gives_up_after_max_attempts_and_on_401(db, tenant) -> None:
    always_502 = UpstreamClient(
        "http://u.test",
        "x",
        transport=httpx.MockTransport(lambda _r: httpx.Response(502)),
        sleep=lambda _s: None,
        max_attempts=3,
    )
    with pytest.raises(SyncFailed, match="failed 3 times"):
        always_502.page(1)
    refused = UpstreamClient(
        "http://u.test", "x", transport=httpx.MockTransport(lambda _r: httpx.Response(401))
    )
    with pytest.raises(SyncFailed, match="401"):
        refused.page(1)


def test_retry_after_as_http_date() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_delay(response, 0) == 0.0


def test_upstream_calls_the_api_could_not_serve_are_skipped(db, tenant, client, tmp_path):
    """An upstream holding what ingest refuses (stored before it was refused, or by another
    implementation): those calls are skipped with the reason, the rest are stored."""
    url = f"sqlite:///{tmp_path / 'poisoned.db'}"
    with serving(url) as base:
        database = Database(url)
        with writing(database) as unit:
            owner = create_user(unit, name="Upstream", email="up@example.com")
            token = issue_token(unit.tenant(owner.id), name="sync").plain_text
        holder = Tenant(database, owner, token)
        holder.add_call(id=1, variables=nested(MAX_JSON_DEPTH + 1))
        holder.add_call(id=2, duration=2**31)
        holder.add_call(
            id=3, created_at=datetime(9999, 12, 31, 12), updated_at=datetime(2025, 1, 1)
        )
        holder.add_call(id=4, variables=nested(MAX_JSON_DEPTH))
        database.dispose()
        upstream = UpstreamClient(base, token, sleep=lambda _s: None, max_attempts=1)
        units = tenant_units(db, tenant.user.id)
        report = sync_calls(units, upstream, base, ZoneInfo("UTC"))
        upstream.close()
    assert report.skipped == [
        "page 1: created_at: The created at field must be a date before 9999-12-31 00:00:00 UTC.",
        "page 1: duration: The duration field must not be greater than 2147483647.",
        "page 1: variables: The variables field must not be nested more than 509 levels deep.",
    ]
    assert (report.calls, report.created) == (1, 1)
    page = tenant.get(client, "/api/user/calls")
    assert page.status_code == 200
    assert [(i["id"], i["variables"]) for i in page.json()["data"]] == [(4, nested(MAX_JSON_DEPTH))]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"data":[{"id":1,"type":"web","status":"ended","total_cost":NaN}],"last_page":1}',
         "upstream page 1 is not valid JSON"),
        (b'{"data":[{"id":1,"type":"web","status":"ended","transcript":"\\ud83d"}],'
         b'"last_page":1}', "upstream page 1 is not valid JSON"),
        (b'{"data":[{"id":1,"type":"web","status":"ended","variables":{"x":Infinity}}]}',
         "upstream page 1 is not valid JSON"),
        (b"[1, 2, 3]", "upstream page 1 is not a page of calls"),
        (b'{"data": 5, "last_page": 1}', "upstream page 1 is not a page of calls"),
    ],
)  # fmt: skip
def test_an_upstream_page_read_less_strictly_than_a_webhook_fails_the_sync(
    db, tenant, client, content, reason
) -> None:
    """Python's json module reads NaN, Infinity and unpaired surrogates; no other way in
    does, and nothing could print them back."""
    upstream = UpstreamClient(
        "http://u.test",
        "x",
        transport=httpx.MockTransport(lambda _r: httpx.Response(200, content=content)),
    )
    units = tenant_units(db, tenant.user.id)
    with pytest.raises(SyncFailed, match=reason):
        sync_calls(units, upstream, "http://u.test", ZoneInfo("UTC"))
    page = tenant.get(client, "/api/user/calls")
    assert (page.status_code, page.json()["total"]) == (200, 0)
