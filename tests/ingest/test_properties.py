"""Properties of every way in, over hostile payloads: never a 5xx or a traceback, nothing
stored from a refused request, and whatever is accepted is served back.

Each payload is a valid call with a few fields replaced by anything JSON can say (and
some things it cannot: NaN, unpaired surrogates, bodies that are not JSON at all), values
nested deeper than a page can print, extreme dates, integers past every column.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from callvault.assistants.models import Assistant
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign
from callvault.cli.main import app
from callvault.ingest.records import MAX_JSON_DEPTH
from tests.conftest import read_session
from tests.ingest.conftest import call_payload, make_hook, nested_text

ZONE = "Pacific/Kiritimati"  # UTC+14: dates near either end cannot all be printed here
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SPECIAL = ["\x00", "\ud800", "\udfff", "\x7f", "\u2028", "é", "👋", "/", "\\", '"', "0"]
texts = st.text(max_size=20) | st.text(st.sampled_from(SPECIAL), max_size=6)
integers = st.integers() | st.sampled_from(
    [0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**400]
)
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.none() | st.booleans() | integers | floats | texts
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
deep = st.sampled_from([MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 998, 1100])
dates = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(
        lambda moment: moment.isoformat(" ")
    ),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-30T23:59:59Z",
            "9999-12-31 00:00:00",
            "0001-01-02T00:00:00Z",
            "0001-01-01 23:59:59",
            "2025-02-30 10:00:00",
            "2025-08-04 14:30:00",
        ]
    ),
)
FIELDS = [*call_payload(1), "extra"]
_DEEP = re.compile(r'"@deep(\d+)@"')


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of ``choices``, each drawn ``weight`` times in ten (roughly)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(table).flatmap(lambda strategy: strategy)


def anything() -> st.SearchStrategy[Any]:
    """A value for any field: JSON of every kind, dates, or a marker for a deep value."""
    return json_values | dates | deep.map(lambda depth: f"@deep{depth}@")


def plausible(field: str) -> st.SearchStrategy[Any]:
    """A value of the field's own kind, valid or near the edge of valid."""
    if field == "type":
        return st.sampled_from(["inbound", "outbound", "web"])
    if field == "status":
        return st.sampled_from(["ringing", "completed", "failed", "in-progress"])
    if field in ("duration", "assistant_id", "campaign_id"):
        return st.none() | integers
    if field in ("variables", "evaluation", "webhook_response"):
        containers = st.lists(json_values, max_size=3) | st.dictionaries(texts, json_values)
        return st.none() | containers | deep.map(lambda depth: f"@deep{depth}@")
    if field in ("created_at", "updated_at"):
        return st.none() | dates
    if field in ("carrier_cost", "total_cost"):
        return st.none() | floats | integers
    return st.none() | texts


changes = st.lists(
    st.sampled_from(FIELDS).flatmap(
        lambda field: st.tuples(st.just(field), weighted((7, plausible(field)), (3, anything())))
    ),
    max_size=4,
).map(dict)
calls = st.builds(
    lambda call_id, changed, dropped: {
        key: value
        for key, value in {**call_payload(call_id), **changed}.items()
        if key not in dropped
    },
    weighted((8, st.integers(1, 50)), (2, integers)),
    changes,
    weighted((8, st.just(frozenset())), (2, st.frozensets(st.sampled_from(FIELDS), max_size=2))),
)
envelopes = st.builds(
    lambda kind, event_id, call: {"event": kind, "id": event_id, "call": call},
    weighted((9, st.sampled_from(["call.started", "call.completed", "call.failed"])), (1, texts)),
    st.none() | texts | integers,
    weighted((9, calls), (1, json_values)),
)


def encode(payload: Any) -> bytes:
    """JSON text as a sender would write it (Python's writer says NaN; surrogates are
    escaped), with each deep marker replaced by a value nested that deep."""
    text = json.dumps(payload)
    return _DEEP.sub(lambda match: nested_text(int(match.group(1))), text).encode()


bodies = weighted(
    (8, envelopes.map(encode)), (1, json_values.map(encode)), (1, st.binary(max_size=40))
)


def snapshot(db) -> list[Any]:
    """Every stored call, assistant and campaign (the delivery log aside)."""
    with read_session(db) as session:
        return [
            sorted(tuple(row) for row in session.execute(select(model.__table__)))
            for model in (Call, Assistant, Campaign)
        ]


def call_id_of(body: bytes) -> int:
    return int(json.loads(body)["call"]["id"])


def assert_contract_error(response: Any) -> None:
    assert 400 <= response.status_code < 500, response.text
    assert "Traceback" not in response.text
    assert isinstance(response.json()["message"], str)


def every_page_is_served(client, tenant) -> int:
    total, page = None, 1
    while True:
        response = tenant.get(client, f"/api/user/calls?per_page=100&page={page}")
        assert response.status_code == 200, response.text
        body = response.json()
        total = body["total"]
        if page >= body["last_page"]:
            return int(total)
        page += 1


def test_webhook_deliveries(app_factory, tenant, db) -> None:
    client = app_factory(display_timezone=ZONE)
    hook = make_hook(db, tenant)
    accepted: set[int] = set()

    @EXAMPLES
    @given(body=bodies)
    def deliver(body: bytes) -> None:
        before = snapshot(db)
        response = hook.post(client, None, raw=body)
        if response.status_code == 200:
            call_id = call_id_of(body)
            accepted.add(call_id)
            served = tenant.get(client, f"/api/user/calls/{call_id}")
            assert served.status_code == 200, served.text
            assert served.json()["id"] == call_id
        else:
            assert_contract_error(response)
            assert snapshot(db) == before

    deliver()
    assert every_page_is_served(client, tenant) == len(accepted)


@pytest.fixture
def cli(db, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", database_url)
    monkeypatch.setenv("CALLVAULT_DISPLAY_TIMEZONE", ZONE)
    return CliRunner()


def test_import_lines(app_factory, tenant, db, cli, tmp_path: Path) -> None:
    client = app_factory(display_timezone=ZONE)
    path = tmp_path / "one.jsonl"
    accepted: set[int] = set()
    lines = weighted(
        (8, calls.map(encode)), (1, json_values.map(encode)), (1, st.binary(max_size=40))
    )

    @settings(EXAMPLES, max_examples=60)
    @given(line=lines.filter(lambda line: b"\n" not in line and b"\r" not in line))
    def import_line(line: bytes) -> None:
        path.write_bytes(line + b"\n")
        before = snapshot(db)
        result = cli.invoke(app, ["import", str(path), "--user", tenant.user.email])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        if result.exit_code == 0 and line.strip():
            call_id = int(json.loads(line)["id"])
            accepted.add(call_id)
            served = tenant.get(client, f"/api/user/calls/{call_id}")
            assert served.status_code == 200, served.text
        else:
            assert "line 1: " in result.output or not line.strip(), result.output
            assert snapshot(db) == before

    import_line()
    assert every_page_is_served(client, tenant) == len(accepted)
