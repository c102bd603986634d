"""``callvault import`` / ``export``: lossless round trip, idempotence, bad lines, --strict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from callvault.assistants.models import Assistant
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign
from callvault.cli.main import app
from callvault.db.database import Database
from callvault.ingest.records import MAX_JSON_DEPTH
from callvault.migrations import upgrade_database
from callvault.unit_of_work import writing
from callvault.users.service import create_user
from tests.conftest import Tenant, _create_postgres_database, read_session
from tests.ingest.conftest import nested, nested_text

UNICODE = 'Здравей, Ивана! ¿Qué tal? 你好 👋🏽 — "quotes", commas, \\backslash\nnew line\ttab'


@pytest.fixture
def cli(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", database_url)
    monkeypatch.delenv("CALLVAULT_DISPLAY_TIMEZONE", raising=False)
    return CliRunner()


def invoke(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """A second, freshly migrated database of the same backend."""
    if database_url.startswith("sqlite"):
        url, drop = f"sqlite:///{tmp_path / 'other.db'}", None
    else:
        url, drop = _create_postgres_database()
    upgrade_database(url)
    database = Database(url, pool_size=2)
    try:
        yield database
    finally:
        database.dispose()
        if drop is not None:
            drop()


def rich_calls(tenant: Tenant) -> None:
    tenant.add_assistant(7, "Ассистент «Продажби» 🤖", "+359888123456")
    tenant.add_assistant(8, 'Support, "quoted"')
    tenant.add_campaign(3, "Campaña de otoño")
    tenant.add_call(
        id=1,
        assistant_id=7,
        campaign_id=3,
        transcript=UNICODE,
        variables={"zeta": 1, "alpha": [1, 2.5, None, "ü"], "nested": {"b": True, "a": None}},
        evaluation={"sentiment": "positive", "score": 8.5},
        webhook_response={"ok": True},
        carrier_cost=0.1 + 0.2,
        total_cost=1e-7,
        recording_url="https://example.com/r/1.mp3?x=1&y=ü",
        created_at=datetime(2025, 8, 4, 23, 59, 59),
        updated_at=datetime(2025, 8, 5, 0, 0, 1),
    )
    tenant.add_call(
        id=2,
        type="web",
        status="in-progress",
        assistant_phone_number=None,
        client_phone_number=None,
        duration=None,
        transcript=None,
        carrier_cost=None,
        total_cost=None,
        answered_by=None,
        created_at=datetime(2025, 1, 1, 0, 0, 0),
    )
    tenant.add_call(
        id=9_000_000_000,
        assistant_id=8,
        status="ended_by_customer",
        variables=[],
        evaluation={},
        created_at=datetime(2025, 8, 4, 23, 59, 59),
    )


def stored(database: Database, email: str) -> dict[str, object]:
    """Every stored value of a user's calls, assistants and campaigns (user id aside).

    An assistant's own phone number is not part of the call item, so no file carries it.
    """
    from callvault.users.models import User

    with read_session(database) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))

        def rows(model: Any, skip: tuple[str, ...]) -> list[dict[str, object]]:
            statement = select(model).where(model.user_id == user_id).order_by(model.id)
            found: list[Any] = list(session.scalars(statement))
            columns = [c.name for c in model.__table__.columns if c.name not in skip]
            return [{c: getattr(row, c) for c in columns} for row in found]

        return {
            "calls": rows(Call, ("user_id",)),
            "assistants": rows(Assistant, ("user_id", "phone_number", "created_at", "updated_at")),
            "campaigns": rows(Campaign, ("user_id", "created_at", "updated_at")),
        }


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_export_then_import_into_an_empty_database_is_lossless(
    cli, tenant, db, empty_database, tmp_path, monkeypatch, file_format
) -> None:
    rich_calls(tenant)
    exported = tmp_path / f"calls.{file_format}"
    invoke(cli, "export", "--user", tenant.user.email, "-o", str(exported))
    if file_format == "jsonl":
        lines = exported.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["id"] for line in lines] == [9_000_000_000, 1, 2]
        assert "Здравей, Ивана! ¿Qué tal? 你好 👋🏽" in exported.read_text(encoding="utf-8")

    monkeypatch.setenv(
        "CALLVAULT_DATABASE_URL", empty_database.engine.url.render_as_string(hide_password=False)
    )
    with writing(empty_database) as unit:
        create_user(unit, name="copy", email=tenant.user.email)
    output = invoke(cli, "import", str(exported), "--user", tenant.user.email)
    assert "3 created" in output
    assert stored(empty_database, tenant.user.email) == stored(db, tenant.user.email)

    again = tmp_path / f"again.{file_format}"
    invoke(cli, "export", "--user", tenant.user.email, "-o", str(again))
    assert again.read_bytes() == exported.read_bytes()


def test_reimport_is_idempotent_and_export_filters(cli, tenant, tmp_path) -> None:
    rich_calls(tenant)
    exported = tmp_path / "calls.jsonl"
    invoke(cli, "export", "--user", tenant.user.email, "-o", str(exported))
    output = invoke(cli, "import", str(exported), "--user", tenant.user.email)
    assert "0 created, 0 updated, 3 unchanged, 0 bad" in output
    completed = invoke(cli, "export", "--user", tenant.user.email, "--status", "in-progress")
    assert [json.loads(line)["id"] for line in completed.splitlines()[:-1]] == [2]
    bad = invoke(cli, "export", "--user", tenant.user.email, "--status", "nope", code=1)
    assert "The selected status is invalid." in bad


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good(call_id: int, **fields: object) -> str:
    return json.dumps({"id": call_id, "type": "inbound", "status": "completed", **fields})


def test_bad_lines_are_reported_with_numbers_and_skipped(cli, tenant, tmp_path, client) -> None:
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            good(1, assistant_name="New Bot"),
            "{broken",
            good(2, status="finished"),
            "",
            good(3, duration="long", created_at="2025-13-45 00:00:00"),
            good(4, assistant_name="New Bot"),
        ],
    )
    output = invoke(cli, "import", str(path), "--user", tenant.user.email, code=1)
    assert "line 2: invalid JSON" in output
    assert "line 3: The selected status is invalid." in output
    assert "line 5: The duration field must be an integer. The created at field must be" in output
    assert "2 created" in output
    assert "3 bad" in output
    items = tenant.get(client, "/api/user/calls").json()["data"]
    assert [(i["id"], i["assistant_name"]) for i in items] == [(4, "New Bot"), (1, "New Bot")]


def test_strict_stores_nothing_from_a_file_with_a_bad_line(cli, tenant, tmp_path, client) -> None:
    lines = [good(n) for n in range(1, 5001)]
    lines.insert(4500, good(99999, type="fax"))
    path = write_lines(tmp_path / "strict.jsonl", lines)
    output = invoke(
        cli,
        "import",
        str(path),
        "--user",
        tenant.user.email,
        "--strict",
        "--batch-size",
        "1000",
        code=1,
    )
    assert "line 4501: The selected type is invalid." in output
    assert tenant.get(client, "/api/user/calls").json()["total"] == 0


def test_timestamps_in_display_timezone_or_with_offset(cli, tenant, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALLVAULT_DISPLAY_TIMEZONE", "Europe/Sofia")
    path = write_lines(
        tmp_path / "tz.jsonl",
        [
            good(1, created_at="2025-08-04 17:30:00", updated_at="2025-08-04T14:31:00Z"),
            good(2, created_at="2025-01-10T09:00:00-05:00", updated_at="2025-01-10 16:00:00"),
        ],
    )
    invoke(cli, "import", str(path), "--user", tenant.user.email)
    with read_session(tenant.db) as session:
        calls = {c.id: c for c in session.scalars(select(Call))}
    assert calls[1].created_at == datetime(2025, 8, 4, 14, 30)
    assert calls[1].updated_at == datetime(2025, 8, 4, 14, 31)
    assert calls[2].created_at == datetime(2025, 1, 10, 14, 0)
    assert calls[2].updated_at == datetime(2025, 1, 10, 14, 0)


def test_csv_with_json_cells_and_missing_columns(cli, tenant, tmp_path, client) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "id,type,status,variables,total_cost,campaign_id,campaign_name\n"
        '5,outbound,completed,"{""name"": ""Ана""}",0.5,4,Autumn\n'
        "6,outbound,completed,{bad json},,,\n",
        encoding="utf-8",
    )
    output = invoke(cli, "import", str(path), "--user", tenant.user.email, code=1)
    assert "line 3: invalid JSON in a cell" in output
    item = tenant.get(client, "/api/user/calls/5").json()
    assert (item["variables"], item["total_cost"], item["campaign_name"]) == (
        {"name": "Ана"},
        0.5,
        "Autumn",
    )


def test_nan_in_a_jsonl_line_is_a_bad_line(cli, tenant, tmp_path, client) -> None:
    path = write_lines(
        tmp_path / "nan.jsonl",
        ['{"id": 1, "type": "web", "status": "completed", "total_cost": NaN}', good(2)],
    )
    output = invoke(cli, "import", str(path), "--user", tenant.user.email, code=1)
    assert "line 1: invalid JSON" in output
    assert [i["id"] for i in tenant.get(client, "/api/user/calls").json()["data"]] == [2]


def test_what_the_api_could_not_serve_is_a_bad_line_by_number(cli, tenant, tmp_path, client):
    deep = json.loads(good(2)) | {"variables": "@deep@"}
    lines = [
        good(1),
        json.dumps(deep).replace('"@deep@"', nested_text(MAX_JSON_DEPTH + 1)),
        good(3, duration=2**31),
        good(4, created_at="9999-12-31T23:59:59-14:00"),
        good(5, updated_at="0001-01-01T00:00:00+14:00"),
        good(6, id=2**63),
        good(7, variables=nested(MAX_JSON_DEPTH)),
    ]
    output = invoke(
        cli, "import", str(write_lines(tmp_path / "poison.jsonl", lines)), "--user",
        tenant.user.email, code=1,
    )  # fmt: skip
    assert "line 2: The variables field must not be nested more than 509 levels deep." in output
    assert "line 3: The duration field must not be greater than 2147483647." in output
    assert "line 4: The created at field must be a date before 9999-12-31 00:00:00 UTC." in output
    assert "line 5: The updated at field must be a date after or equal to 0001-01-02" in output
    assert "line 6: The id field must not be greater than 9223372036854775807." in output
    assert "2 created" in output
    assert "5 bad" in output
    page = tenant.get(client, "/api/user/calls")
    assert page.status_code == 200
    assert [item["id"] for item in page.json()["data"]] == [7, 1]
    assert tenant.get(client, "/api/user/calls/7").json()["variables"] == nested(MAX_JSON_DEPTH)


def test_csv_cells_no_parser_reads_are_bad_lines_not_a_crash(cli, tenant, tmp_path, client):
    """``"²".isdigit()`` holds but ``int("²")`` fails; a JSON cell nested past Python's
    recursion limit with a long integer fails the standard library's parser."""
    deep_cell = nested_text(1000).replace('"deep"', "12345678901234567890").replace('"', '""')
    path = tmp_path / "hostile.csv"
    path.write_text(
        "id,type,status,duration,variables\n"
        "1,web,completed,²,\n"
        f'2,web,completed,,"{deep_cell}"\n'
        "3,web,completed,7,\n",
        encoding="utf-8",
    )
    output = invoke(cli, "import", str(path), "--user", tenant.user.email, code=1)
    assert "line 2: The duration field must be an integer." in output
    assert "line 3: invalid JSON in a cell" in output
    assert [i["id"] for i in tenant.get(client, "/api/user/calls").json()["data"]] == [3]


def test_counts_are_said_in_the_right_number(cli, tenant, tmp_path) -> None:
    # A fixed updated_at: without one an observation counts as "now", and a re-import
    # crossing a second boundary would then "update" the call.
    stamp = "2025-08-04 14:30:00"
    one = write_lines(tmp_path / "one.jsonl", [good(1, updated_at=stamp)])
    assert "Read 1 line: 1 created" in invoke(cli, "import", str(one), "--user", tenant.user.email)
    two = write_lines(tmp_path / "two.jsonl", [good(1, updated_at=stamp), good(2)])
    assert "Read 2 lines: 1 created, 0 updated, 1 unchanged" in invoke(
        cli, "import", str(two), "--user", tenant.user.email
    )
    out = str(tmp_path / "out.jsonl")
    exported = invoke(cli, "export", "--user", tenant.user.email, "--type", "web", "-o", out)
    assert "Exported 0 calls." in exported
    exported = invoke(cli, "export", "--user", tenant.user.email, "-o", out)
    assert "Exported 2 calls." in exported
    tenant.add_call(id=3, type="web")
    exported = invoke(cli, "export", "--user", tenant.user.email, "--type", "web", "-o", out)
    assert "Exported 1 call." in exported
