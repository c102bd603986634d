"""Every failure is JSON ``{"message": …}`` with Laravel's status, in Laravel's order."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from callvault.api.app import create_fastapi
from callvault.config import Settings

URL = "/api/user/calls"


@pytest.mark.parametrize(
    ("path", "route"),
    [("/api/nope", "api/nope"), ("/", "/"), ("/api/user/calls/1/x", "api/user/calls/1/x")],
)
def test_unknown_route_is_404_json_even_without_a_token(client, path: str, route: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"message": f"The route {route} could not be found."}


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("path", [f"{URL}/%2F", f"{URL}/%2F/", f"{URL}/%2F%2F"])
def test_an_encoded_slash_is_no_trailing_slash(client, tenant, method: str, path: str) -> None:
    """Laravel trims the path's literal slashes only: a call id ``/`` is no route, not the
    list (GET) or the list's 405 (DELETE)."""
    response = client.request(method, path, headers=tenant.headers)
    assert response.status_code == 404
    route = path.removesuffix("/").lstrip("/")
    assert response.json() == {"message": f"The route {route} could not be found."}


def test_wrong_method_is_405_with_allow(client) -> None:
    response = client.delete(URL)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json() == {
        "message": "The DELETE method is not supported for route api/user/calls. "
        "Supported methods: GET, HEAD."
    }


def test_405_on_a_single_call_lists_get_head_delete(client) -> None:
    response = client.post(f"{URL}/5")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, DELETE"
    assert response.json()["message"] == (
        "The POST method is not supported for route api/user/calls/5. "
        "Supported methods: GET, HEAD, DELETE."
    )


def test_options_answers_the_allowed_methods(client) -> None:
    response = client.options(URL)
    assert response.status_code == 200
    assert response.headers["allow"] == "GET,HEAD"


def test_route_errors_come_before_authentication(client, tenant) -> None:
    assert client.post(URL, headers={"Authorization": "Bearer bad"}).status_code == 405
    assert client.get("/api/nope?status=x", headers={"Authorization": "x"}).status_code == 404
    assert client.get(f"{URL}?status=x", headers={"Authorization": "Bearer bad"}).status_code == 401
    assert tenant.get(client, f"{URL}?status=x").status_code == 422


def test_unexpected_failures_are_a_bare_500(db) -> None:
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    app = create_fastapi(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.content == b'{"message":"Server Error"}'
