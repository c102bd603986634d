"""``/docs`` and ``/redoc`` render in a real browser, and fetch nothing from elsewhere.

Opt-in: runs where Playwright for Python (``pip install playwright``) and a Chromium at
``/usr/bin/chromium`` (Debian's ``apt-get install chromium``) are installed, else skips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ingest.servers import serving

CHROMIUM = Path("/usr/bin/chromium")

sync_api: Any = pytest.importorskip("playwright.sync_api", reason="Playwright not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")


REDOC_LOGO_REFUSED = (
    "Loading the image 'https://cdn.redoc.ly/redoc/logo-mini.svg' violates the following "
    "Content Security Policy directive: \"img-src 'self' data:\". The action has been blocked."
)


def _assert_local(requested: list[str], base: str) -> None:
    """Every request the page made went to the service (a worker's ``blob:`` URL is the
    page's own), or was stopped in the browser by the page's policy (``blocked:``)."""
    assert requested
    elsewhere = [
        url
        for url in requested
        if not url.removeprefix("blob:").startswith(base + "/") and not url.startswith("blocked:")
    ]
    assert elsewhere == []


@pytest.fixture(scope="module")
def browser() -> Any:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


def _open(browser: Any, url: str, ready: str) -> tuple[Any, list[str], list[str]]:
    """The page once ``ready`` is visible, every URL it requested, and its script errors
    and console errors (a refusal by the page's content security policy is one)."""
    page = browser.new_page()
    requested: list[str] = []
    errors: list[str] = []

    def failed(request: Any) -> None:
        if request.failure in ("csp", "net::ERR_BLOCKED_BY_CSP"):
            requested[requested.index(request.url)] = f"blocked:{request.url}"

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", failed)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    page.goto(url)
    page.wait_for_selector(ready, timeout=20_000)
    return page, requested, errors


def test_swagger_ui_renders_with_an_authorize_button(browser: Any, database_url: str) -> None:
    with serving(database_url) as base:
        page, requested, errors = _open(browser, f"{base}/docs", ".swagger-ui .btn.authorize")
        assert "callvault" in page.inner_text(".swagger-ui .info .title")
        assert page.locator(".opblock-summary-path", has_text="/api/user/calls").count() >= 1
        page.click(".swagger-ui .btn.authorize")
        assert page.locator(".auth-container", has_text="bearerAuth").count() == 1
        page.close()
    assert errors == []
    _assert_local(requested, base)


def test_redoc_renders_every_operation(browser: Any, database_url: str) -> None:
    with serving(database_url) as base:
        page, requested, errors = _open(browser, f"{base}/redoc", "h2:has-text('List calls')")
        for summary in ("The authenticated user", "Receive a signed call event"):
            assert page.locator("h2", has_text=summary).count() == 1
        page.close()
    # Redoc's sidebar asks a CDN for its logo: the page's policy refuses it, nothing else
    assert errors == [REDOC_LOGO_REFUSED]
    _assert_local(requested, base)
