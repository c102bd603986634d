"""Which database the CLI opens, said plainly: ``--version``, ``status``, ``migrate``; and a
missing SQLite file is never created behind the user's back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callvault import __version__
from callvault.cli.main import app
from callvault.migrations import upgrade_database
from tests.conftest import empty_database, run_console

HEAD = "0005"


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same backend with nothing in it (for SQLite: no file yet)."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with empty_database(backend, tmp_path) as url:
        yield url


def invoke(url: str, *args: str, code: int = 0, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", url)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output


def test_version_names_the_default_database_without_creating_it(tmp_path: Path) -> None:
    done = run_console(None, "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"callvault {__version__}",
        f"database: {tmp_path / 'callvault.db'} (SQLite, the default: ./callvault.db "
        "where callvault runs; does not exist yet)",
    ]
    assert not (tmp_path / "callvault.db").exists()


def test_status_of_a_missing_file_says_so_and_creates_nothing(tmp_path: Path) -> None:
    done = run_console(None, "status", cwd=tmp_path)
    assert done.returncode == 1
    assert f"database   {tmp_path / 'callvault.db'}" in done.stdout
    assert done.stderr.startswith(f"error: no database at {tmp_path / 'callvault.db'}")
    assert "callvault migrate" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_command_never_creates_an_empty_database_elsewhere(tmp_path: Path) -> None:
    done = run_console(None, "users", "create", "--email", "a@b.c", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: no database at {tmp_path / 'callvault.db'}")
    assert "CALLVAULT_DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_status_shows_version_database_schema_users_and_calls(
    cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(cli_url, "demo", "--calls", "120", monkeypatch=monkeypatch)
    invoke(cli_url, "users", "create", "--email", "ops@example.com", monkeypatch=monkeypatch)
    shown = invoke(cli_url, "status", monkeypatch=monkeypatch)
    lines = shown.splitlines()
    assert lines[0] == f"callvault  {__version__}"
    assert lines[1].startswith("database   ")
    assert "***" in lines[1] or "(SQLite)" in lines[1] or "postgresql" in lines[1]
    assert lines[2:] == [
        f"schema     {HEAD}, up to date",
        "users      2: demo@callvault.local, ops@example.com",
        "calls      120",
    ]


def test_status_of_an_unmigrated_database_asks_for_migrate(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fresh_url.startswith("sqlite"):
        Path(fresh_url.removeprefix("sqlite:///")).touch()  # an empty SQLite database
    shown = invoke(fresh_url, "status", code=1, monkeypatch=monkeypatch)
    assert "schema     none: run `callvault migrate`" in shown
    assert "users" not in shown


def test_migrate_says_what_it_did(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = invoke(fresh_url, "migrate", monkeypatch=monkeypatch)
    if fresh_url.startswith("sqlite"):
        assert re.match(rf"Created .*fresh\.db \(SQLite\) at schema revision {HEAD}\.", first)
    else:
        assert re.match(rf"Created the schema \(revision {HEAD}\) in postgresql", first)
    again = invoke(fresh_url, "migrate", monkeypatch=monkeypatch)
    assert re.match(rf".* is already up to date \(schema revision {HEAD}\)\.", again)


def test_migrate_names_the_revisions_it_upgraded_between(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade_database(fresh_url, "0003")
    status = invoke(fresh_url, "status", code=1, monkeypatch=monkeypatch)
    assert f"schema     0003, older than this callvault's {HEAD}: run `callvault migrate`" in status
    done = invoke(fresh_url, "migrate", monkeypatch=monkeypatch)
    assert re.match(rf"Upgraded .* from schema revision 0003 to {HEAD}\.", done), done
    assert f"schema     {HEAD}, up to date" in invoke(fresh_url, "status", monkeypatch=monkeypatch)


@pytest.fixture
def cli_url(db, database_url: str) -> str:
    """The session's migrated database (emptied after the test by ``db``)."""
    return database_url


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nonsense", "not a database URL"),
        ("mysql://u@db.example/calls", "SQLite or PostgreSQL"),
        ("postgresql+psycopg2://u@127.0.0.1:1/calls", "postgresql+psycopg://"),
    ],
    ids=["unparseable", "other-backend", "psycopg2"],
)
@pytest.mark.parametrize("command", ["--version", "status", "migrate"])
def test_a_database_url_callvault_cannot_use_is_one_line_of_error(
    url: str, said: str, command: str, tmp_path: Path
) -> None:
    done = run_console(url, command, cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("error: invalid setting: CALLVAULT_DATABASE_URL: "), done.stderr
    assert said in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
