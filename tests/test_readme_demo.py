"""Every README example, run as printed on what a fresh ``./run.sh`` makes (``callvault
demo`` with its defaults, in the default database of an empty directory), finds data.

The ``curl`` lines go through bash (so ``$TOKEN`` and ``$(date …)`` expand as for a reader)
with ``curl`` standing for a function that hands its arguments to the test; the requests
then go to a real server. The ``callvault`` lines run in order through the CLI.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from callvault.cli.main import app
from tests.conftest import run_console
from tests.ingest.servers import serving

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
DEMO_CALLS = 3000  # `callvault demo`'s default, what ./run.sh makes


def section(title: str) -> str:
    return README.split(f"\n{title}\n", 1)[1].split("\n## ", 1)[0]


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, re.S)


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, str]:
    """An empty directory after ``callvault demo`` there: (directory, the printed token)."""
    done = run_console(None, "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    token = re.search(r"Token: (\d+\|\S+)", done.stdout)
    assert token, done.stdout
    return tmp_path, token.group(1)


def curl_requests(script: str, token: str) -> list[list[str]]:
    """The arguments of each ``curl`` in ``script``, as bash expands them."""
    stand_in = "curl() { printf '%s\\0' \"$@\"; printf '\\n'; }\n"
    lines = [line for line in script.splitlines() if not line.startswith("TOKEN=")]
    done = subprocess.run(
        ["bash", "-euc", stand_in + "\n".join(lines)],
        env={"TOKEN": token, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split("\0")[:-1] for line in done.stdout.splitlines()]


def test_every_api_example_finds_data(demo: tuple[Path, str]) -> None:
    directory, token = demo
    script = bash_blocks(section("## The API"))[0]
    examples = curl_requests(script, token)
    assert len(examples) == script.count("curl ")
    with serving(f"sqlite:///{directory / 'callvault.db'}") as base, httpx.Client() as http:
        for args in examples:
            method, headers, url = "GET", {}, ""
            while args:
                match args.pop(0):
                    case "-X":
                        method = args.pop(0)
                    case "-H":
                        name, value = args.pop(0).split(": ", 1)
                        headers[name] = value
                    case other:
                        url = other.replace("http://127.0.0.1:8000", base)
            response = http.request(method, url, headers=headers)
            assert response.status_code in (200, 204), (url, response.text)
            if method == "DELETE":
                continue
            body = response.json()
            if url.split("?")[0].endswith("/api/user/calls"):
                assert body["total"] > 0, url
                assert body["data"], url
            else:
                assert body, url


def cli_examples(text: str) -> Iterator[list[str]]:
    """Each ``callvault …`` line of the bash blocks in ``text``, optional ``[…]`` parts
    dropped; ``serve`` (it would not return) and ``sync`` (no upstream here) left out."""
    for block in bash_blocks(text):
        for line in block.splitlines():
            if not line.startswith("callvault "):
                continue
            words = shlex.split(re.sub(r"\[[^\]]*\]", "", line), comments=True)
            if words[1] not in ("serve", "sync"):
                yield words[1:]


def test_every_cli_example_runs_and_finds_data(
    demo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, _token = demo
    monkeypatch.chdir(directory)
    monkeypatch.delenv("CALLVAULT_DATABASE_URL", raising=False)
    cli = CliRunner()
    endpoint = ""
    said: dict[str, str] = {}
    for args in cli_examples(README):
        args = [word.replace("whe_…", endpoint) for word in args]
        result = cli.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        said[" ".join(args[:2])] = result.output
        if args[:2] == ["webhooks", "create"]:
            endpoint = re.search(r"Endpoint (whe_\S+)", result.output).group(1)  # type: ignore[union-attr]
    assert f"calls      {DEMO_CALLS}" in said["status"]
    assert "exists; keeping its calls" in said["demo"]
    exported = [path for path in directory.iterdir() if path.suffix in (".jsonl", ".csv")]
    assert len(exported) == 2
    for path in exported:
        assert len(path.read_text(encoding="utf-8").splitlines()) > 10, path
    assert (
        f"Read {DEMO_CALLS} lines: 0 created, 0 updated, {DEMO_CALLS} unchanged"
        in said["import calls.jsonl"]
    )


def test_the_status_example_is_what_status_prints(
    demo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, _token = demo
    monkeypatch.chdir(directory)
    monkeypatch.delenv("CALLVAULT_DATABASE_URL", raising=False)
    printed = CliRunner().invoke(app, ["status"]).output.splitlines()
    documented = README.split("$ callvault status\n", 1)[1].split("```", 1)[0].splitlines()
    where = str(directory / "callvault.db")
    assert [line.replace(where, "/home/me/callvault/callvault.db") for line in printed] == [
        line.replace("0.1.0", printed[0].split()[-1]) for line in documented
    ]
