"""The ``callvault`` command line against a real database of each backend."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from callvault.calls.fields import STATUSES, TYPES
from callvault.calls.models import Call
from callvault.cli.main import app
from callvault.db.database import Database
from callvault.tokens.models import ApiToken
from tests.conftest import read_session, run_console

TOKEN = re.compile(r"\b(\d+)\|[A-Za-z0-9]{48}\b")


@pytest.fixture
def cli(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", database_url)
    return CliRunner()


def token_in(output: str) -> re.Match[str]:
    match = TOKEN.search(output)
    assert match, output
    return match


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_users_and_tokens_lifecycle(cli: CliRunner, db: Database, client) -> None:
    run(cli, "users", "create", "--email", "Ops@Example.com", "--name", "Ops")
    output = run(cli, "tokens", "create", "--user", "ops@example.com", "--name", "crm")
    match = TOKEN.search(output)
    assert match, output
    token, token_id = match.group(0), match.group(1)

    with read_session(db) as session:
        stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash not in output  # only the hash is stored, never printed
    assert token.split("|")[1] not in stored.token_hash

    me = client.get("/api/user/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == "ops@example.com"

    listing = run(cli, "tokens", "list", "--user", "ops@example.com")
    assert "crm" in listing
    assert token.split("|")[1] not in listing

    run(cli, "tokens", "revoke", token_id, "--user", "ops@example.com")
    again = client.get("/api/user/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401
    assert again.json() == {"message": "Unauthenticated."}


def test_duplicate_user_is_refused_clearly(cli: CliRunner) -> None:
    run(cli, "users", "create", "--email", "a@example.com")
    result = cli.invoke(app, ["users", "create", "--email", "A@example.com"])
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_token_for_unknown_user_is_refused(cli: CliRunner) -> None:
    result = cli.invoke(app, ["tokens", "create", "--user", "ghost@example.com"])
    assert result.exit_code == 1
    assert "No user with email ghost@example.com" in result.output


def test_revoking_another_users_token_is_refused(cli: CliRunner) -> None:
    run(cli, "users", "create", "--email", "a@example.com")
    run(cli, "users", "create", "--email", "b@example.com")
    token_id = token_in(run(cli, "tokens", "create", "--user", "a@example.com")).group(1)
    result = cli.invoke(app, ["tokens", "revoke", token_id, "--user", "b@example.com"])
    assert result.exit_code == 1


def test_expired_token_is_unauthenticated(cli: CliRunner, db: Database, client) -> None:
    run(cli, "users", "create", "--email", "a@example.com")
    token = token_in(
        run(cli, "tokens", "create", "--user", "a@example.com", "--expires-in-days", "1")
    ).group(0)
    assert (
        client.get("/api/user/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    with db.write() as session:
        stored = session.scalars(select(ApiToken)).one()
        stored.expires_at = stored.created_at
    assert (
        client.get("/api/user/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_demo_fills_realistic_data_once_and_prints_a_working_token(
    cli: CliRunner, db: Database, client
) -> None:
    output = run(cli, "demo", "--calls", "600")
    token = token_in(output).group(0)
    assert "curl -H 'Authorization: Bearer" in output
    assert "/api/user/calls" in output

    with read_session(db) as session:
        statuses = set(session.scalars(select(Call.status).distinct()))
        types = set(session.scalars(select(Call.type).distinct()))
        count = session.scalar(select(func.count()).select_from(Call))
    assert statuses == set(STATUSES)
    assert types == set(TYPES)
    assert count == 600

    body = client.get(
        "/api/user/calls?per_page=100", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert body["total"] == 600
    web = [item for item in body["data"] if item["type"] == "web"]
    assert web
    assert all(item["client_phone_number"] is None for item in web)
    assert any(
        item["transcript"] and item["variables"] and item["evaluation"] for item in body["data"]
    )

    second = run(cli, "demo", "--calls", "600")
    assert "exists" in second
    with read_session(db) as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 600


def test_an_unmigrated_database_asks_for_migrate_without_a_traceback(tmp_path) -> None:
    (tmp_path / "empty.db").touch()  # an empty SQLite database (a missing one: test_status)
    done = run_console(f"sqlite:///{tmp_path / 'empty.db'}", "users", "create", "--email", "a@b.c")
    assert done.returncode == 1
    assert "run `callvault migrate` first" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_unreachable_database_is_one_line_of_error() -> None:
    done = run_console(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", "tokens", "list", "--user", "a@b.c"
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: database failure:")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr + done.stdout


def test_a_bad_setting_is_one_line_of_error(tmp_path) -> None:
    command = [sys.executable, "-c", "from callvault.cli.main import main; main()", "migrate"]
    env = {
        **os.environ,
        "CALLVAULT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "CALLVAULT_DISPLAY_TIMEZONE": "Mars/Olympus_Mons",
    }
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("error: invalid setting: CALLVAULT_DISPLAY_TIMEZONE:")
    assert "Mars/Olympus_Mons" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_exporting_into_a_missing_directory_is_one_line_of_error(
    cli: CliRunner, database_url: str, tmp_path
) -> None:
    run(cli, "users", "create", "--email", "ops@example.com")
    target = tmp_path / "missing" / "calls.jsonl"
    done = run_console(database_url, "export", "--user", "ops@example.com", "-o", str(target))
    assert done.returncode == 1
    assert done.stderr.startswith("error: No such file or directory: ")
    assert str(target) in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("days", ["-5", "0", "3000000"])
def test_a_token_that_would_be_born_dead_or_overflow_is_refused(
    cli: CliRunner, db: Database, days: str
) -> None:
    """-5 made a token expired at birth, 0 one that never expires, 3000000 a traceback."""
    run(cli, "users", "create", "--email", "a@example.com")
    result = cli.invoke(
        app, ["tokens", "create", "--user", "a@example.com", "--expires-in-days", days]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "--expires-in-days" in result.stderr
    assert "Token" not in result.stdout
    with read_session(db) as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_exporting_into_a_directory_asks_for_a_file_name(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "users", "create", "--email", "ops@example.com")
    result = cli.invoke(app, ["export", "--user", "ops@example.com", "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {tmp_path} is a directory: name a file in it, e.g. -o {tmp_path / 'calls.jsonl'}\n"
    )


def test_exporting_to_a_name_without_a_suffix_asks_for_the_format(
    cli: CliRunner, tmp_path: Path
) -> None:
    run(cli, "users", "create", "--email", "ops@example.com")
    result = cli.invoke(app, ["export", "--user", "ops@example.com", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: cannot tell the format from {tmp_path / 'x'}: "
        "end the name in .jsonl or .csv, or add --format jsonl|csv\n"
    )
    assert not (tmp_path / "x").exists()


def test_demo_of_one_call_says_one_call(cli: CliRunner) -> None:
    assert "Created 1 call, 5 assistants and 4 campaigns" in run(cli, "demo", "--calls", "1")
