"""The README's "Getting calls in" examples work as printed (signing) and stay documented."""

from __future__ import annotations

import io
import shutil
import subprocess
import urllib.request
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Getting calls in", 1)[1].split("\n## ", 1)[0]


def test_settings_and_commands_are_documented() -> None:
    assert "`CALLVAULT_WEBHOOK_MAX_BODY_BYTES` | `1048576`" in README
    for command in ("webhooks create", "webhooks rotate", "webhooks log", "import", "export"):
        assert f"callvault {command}" in SECTION
    assert "callvault sync --from" in SECTION


def test_python_signing_example_is_accepted(client, tenant, hook, monkeypatch) -> None:
    code = SECTION.split("```python\n", 1)[1].split("```", 1)[0]
    code = code.replace('"http://127.0.0.1:8000/api/webhooks/calls/whe_..."', repr(hook.path))
    code = code.replace('"whsec_..."', repr(hook.secret))

    def urlopen(request: urllib.request.Request) -> Any:
        assert isinstance(request.data, bytes)
        response = client.post(
            request.full_url, content=request.data, headers=dict(request.header_items())
        )
        assert response.status_code == 200, response.text
        return io.BytesIO(response.content)

    monkeypatch.setattr(urllib.request, "Request", _RelativeRequest)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(code, {})  # noqa: S102 - the README's own example
    assert '"outcome":"created"' in printed.getvalue()
    assert tenant.get(client, "/api/user/calls/1042").json()["duration"] == 245


class _RelativeRequest(urllib.request.Request):
    """``urllib.request.Request`` that keeps a path-only URL (the test client's)."""

    def __init__(self, url: str, *args: Any, **kwargs: Any) -> None:
        super().__init__("http://localhost" + url, *args, **kwargs)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_curl_openssl_example_computes_the_same_signature() -> None:
    from callvault.webhooks.signing import signature

    script = SECTION.split("```bash\n")[2].split("```", 1)[0]
    assert "openssl dgst -sha256 -hmac" in script
    line = next(line for line in script.splitlines() if line.startswith("V1="))
    body = '{"event":"call.started","call":{"id":1,"type":"web","status":"ringing"}}'
    shell = f"T=1700000000; SECRET='whsec_abc'; BODY='{body}'; {line}; echo $V1"
    out = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == signature("whsec_abc", 1700000000, body.encode())
