"""``/docs`` and ``/redoc`` work offline: every asset they reference is served by the
service itself; the OpenAPI document declares the bearer scheme (Swagger UI's Authorize)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}
REFERENCE = re.compile(r"""(?:src|href|spec-url|url:)\s*=?\s*["']([^"']*)["']""")


def references(html: str) -> list[str]:
    return REFERENCE.findall(html)


@pytest.mark.parametrize(("page", "assets"), [("/docs", 3), ("/redoc", 2)])
def test_pages_reference_only_local_urls(client, page: str, assets: int) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "://" not in response.text  # no absolute URL at all
    found = references(response.text)
    assert not any(url.startswith("//") for url in found)  # nor a scheme-relative one
    assert "/openapi.json" in found
    local = [url for url in found if url != "/openapi.json"]
    assert len(local) == assets, found
    for url in local:
        assert url.startswith("/docs/assets/"), url


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_referenced_asset_is_served(client, page: str) -> None:
    for url in references(client.get(page).text):
        response = client.get(url)
        assert response.status_code == 200, url
        if url == "/openapi.json":
            continue
        extension = url[url.rindex(".") :]
        assert response.headers["content-type"] == ASSET_TYPES[extension], url
        assert "immutable" in response.headers["cache-control"]
        assert len(response.content) > 1000, url


def test_swagger_ui_and_redoc_are_the_real_bundles(client) -> None:
    swagger = client.get("/docs").text
    redoc = client.get("/redoc").text
    [swagger_js] = [url for url in references(swagger) if url.endswith(".js")]
    [redoc_js] = [url for url in references(redoc) if url.endswith(".js")]
    assert b"SwaggerUIBundle" in client.get(swagger_js).content
    assert b"Redoc" in client.get(redoc_js).content
    assert '"validatorUrl": null' in swagger  # no badge fetched from swagger.io


def test_a_missing_asset_is_the_contracts_404(client) -> None:
    response = client.get("/docs/assets/0/swagger-ui-bundle.js")
    assert response.status_code == 404
    assert response.json() == {
        "message": "The route docs/assets/0/swagger-ui-bundle.js could not be found."
    }


def test_the_bearer_scheme_guards_every_user_operation(client) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `callvault tokens create`: `<id>|<secret>`.",
    }
    guarded = {
        (method, path): operation.get("security")
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert guarded.pop(("get", "/healthz")) is None
    assert guarded.pop(("get", "/openapi.json")) is None
    assert guarded.pop(("post", "/api/webhooks/calls/{endpoint_id}")) is None  # signed
    assert ("get", "/api/user/calls") in guarded
    assert set(map(str, guarded.values())) == {"[{'bearerAuth': []}]"}
    assert not any(path.startswith("/docs") for path in document["paths"])


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_pages_may_load_only_what_the_service_serves(client, page: str) -> None:
    """The browser enforces it: Redoc's sidebar asks a CDN for its logo, and is refused."""
    response = client.get(page)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digests = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in inline
    ]
    assert policy["script-src"] == " ".join(["'self'", *digests])
    assert "unsafe" not in policy["script-src"]
