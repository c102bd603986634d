"""``callvault sync`` against upstreams that go wrong: one line each, no traceback, and no
waiting where waiting cannot help."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from callvault.cli.main import app
from callvault.ingest.sync import UpstreamClient
from tests.conftest import Tenant, run_console
from tests.ingest.servers import Answer, answering, free_port, serving

PAGE = json.dumps(
    {"data": [{"id": 1, "type": "web", "status": "completed"}], "last_page": 1}
).encode()
JSON = {"Content-Type": "application/json"}
TOKEN = "t0k"
README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def cli(db, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", database_url)
    return CliRunner()


def sync(cli: CliRunner, tenant: Tenant, base: str, token: str = TOKEN) -> Result:
    return cli.invoke(app, ["sync", "--from", base, "--token", token, "--user", tenant.user.email])


def one_error_line(result: Result) -> str:
    """The command ended with exit code 1 and one ``error:`` line (no exception escaped)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    first, *_hint = result.stderr.strip().splitlines()
    assert first.startswith("error: "), result.stderr
    return result.stderr


def test_an_html_page_is_named_not_a_json_decode_traceback(cli, tenant) -> None:
    html = b"<!doctype html>\n<html><body><h1>Welcome</h1>\n</body></html>\n"
    with answering(Answer(200, html, {"Content-Type": "text/html"})) as (base, asked):
        printed = one_error_line(sync(cli, tenant, base))
    assert len(asked) == 1  # not retried: the same page would come back
    assert "text/html" in printed
    assert "not JSON" in printed
    assert "--from" in printed
    assert "<html>" not in printed
    assert "resume" not in printed


def test_json_that_is_not_a_calls_page_is_named(cli, tenant) -> None:
    with answering(Answer(200, b'["hello"]', JSON)) as (base, _asked):
        printed = one_error_line(sync(cli, tenant, base))
    assert "not a page of calls" in printed


def test_an_unreadable_retry_after_falls_back_to_backoff() -> None:
    sleeps: list[float] = []
    busy = Answer(503, b"", {"Retry-After": "soon"})
    with answering(busy, Answer(200, PAGE, JSON)) as (base, asked):
        upstream = UpstreamClient(base, "t0k", sleep=sleeps.append)
        try:
            assert upstream.page(1)["last_page"] == 1
        finally:
            upstream.close()
    assert len(asked) == 2
    assert len(sleeps) == 1
    assert 0.25 <= sleeps[0] <= 1.0


def test_each_retry_is_said_as_it_happens(cli, tenant) -> None:
    busy = Answer(503, b"", {"Retry-After": "0"})
    with answering(busy, Answer(200, PAGE, JSON)) as (base, _asked):
        result = sync(cli, tenant, base)
    assert result.exit_code == 0, result.output
    assert "page 1: upstream answered 503; retrying in 0 s (attempt 2 of 8)" in result.stderr
    assert "Synced 1 page, 1 call: 1 created" in result.stdout


def test_a_refused_token_says_so_and_does_not_offer_to_resume(
    cli, tenant, tmp_path_factory
) -> None:
    with serving(f"sqlite:///{tmp_path_factory.mktemp('up') / 'up.db'}") as base:
        printed = one_error_line(sync(cli, tenant, base, token="1|wrong"))
    assert "401" in printed
    assert "Unauthenticated." in printed
    assert "--token" in printed
    assert "resume" not in printed.lower()
    documented = README.split("(an HTML page, a 404):\n\n```\n", 1)[1].split("```", 1)[0]
    assert printed == documented


def test_a_path_that_is_not_the_api_says_404_and_names_from(cli, tenant) -> None:
    with answering(Answer(404, b"<html>\n<p>Not Found</p>\n</html>")) as (base, asked):
        printed = one_error_line(sync(cli, tenant, base + "/api"))
    assert len(asked) == 1
    assert "404" in printed
    assert "--from" in printed
    assert "<p>" not in printed


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("127.0.0.1:{port}", "http:// or https://"),
        ("http://127.0.0.1:{port}", "cannot connect to http://127.0.0.1:{port}"),
    ],
    ids=["no-scheme", "closed-port"],
)
def test_an_address_that_cannot_work_fails_at_once(
    cli, tenant, database_url: str, given: str, said: str
) -> None:
    port = free_port()
    started = time.monotonic()
    done = run_console(
        database_url,
        *("sync", "--from", given.format(port=port), "--token", "t0k"),
        *("--user", tenant.user.email),
        timeout=20,
    )
    assert time.monotonic() - started < 10
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    assert said.format(port=port) in done.stderr.splitlines()[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert "resume" not in done.stderr


def test_an_unknown_source_timezone_is_one_line_of_error(cli, tenant) -> None:
    result = cli.invoke(
        app,
        [
            *("sync", "--from", "http://127.0.0.1:9", "--token", TOKEN),
            *("--user", tenant.user.email, "--source-timezone", "Mars/Olympus_Mons"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith("error: unknown timezone 'Mars/Olympus_Mons'")
