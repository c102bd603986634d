"""``CALLVAULT_ALLOWED_HOSTS``: a host that is not allowed is refused before anything else,
so no page or webhook URL is ever built from a host an attacker chose."""

from __future__ import annotations

import pytest

URL = "/api/user/calls"
REFUSED = b'{"message":"Invalid host header."}'


def refused(response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.content == REFUSED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", URL),
        ("GET", f"{URL}/1"),
        ("POST", "/api/user/webhooks"),
        ("GET", "/api/user/webhooks"),
        ("POST", "/api/webhooks/calls/whe_x"),
        ("GET", "/api/nope"),  # before the route's 404
        ("DELETE", URL),  # before the method's 405
        ("GET", "/healthz"),
        ("GET", "/docs"),
    ],
)
def test_a_foreign_host_is_refused_everywhere_first(client, tenant, method: str, path: str) -> None:
    headers = {**tenant.headers, "Host": "evil.example"}
    refused(client.request(method, path, headers=headers, json={"name": "x"}))
    refused(client.request(method, path, headers={"Host": "evil.example"}))  # before 401


def test_nothing_is_built_from_the_refused_host(client, tenant) -> None:
    tenant.add_call(id=1)
    headers = {**tenant.headers, "Host": "evil.example"}
    assert b"evil" not in client.get(URL, headers=headers).content
    assert (
        b"evil"
        not in client.post("/api/user/webhooks", json={"name": "x"}, headers=headers).content
    )
    assert client.get("/api/user/webhooks", headers=tenant.headers).json()["data"] == []


@pytest.mark.parametrize(
    "host", ["localhost", "LocalHost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:8000"]
)
def test_the_default_serves_a_local_install(client, tenant, host: str) -> None:
    response = client.get(URL, headers={**tenant.headers, "Host": host})
    assert response.status_code == 200
    assert response.json()["path"] == f"http://{host.lower()}/api/user/calls"


@pytest.mark.parametrize(
    "host", ["evil.example", "localhost.evil.example", "127.0.0.2", "[::2]", "localhost."]
)
def test_the_default_refuses_every_other_host(client, tenant, host: str) -> None:
    refused(client.get(URL, headers={**tenant.headers, "Host": host}))


def test_head_is_refused_without_a_body(client, tenant) -> None:
    response = client.head(URL, headers={**tenant.headers, "Host": "evil.example"})
    assert response.status_code == 400
    assert response.content == b""


def test_names_and_subdomain_wildcards(app_factory, tenant) -> None:
    client = app_factory(allowed_hosts=["calls.example.com", "*.hooks.example"])
    for host in (
        "calls.example.com",
        "CALLS.example.com:8443",
        "a.hooks.example",
        "b.a.hooks.example",
    ):
        response = client.get(URL, headers={**tenant.headers, "Host": host})
        assert response.status_code == 200, host
    for host in ("localhost", "hooks.example", "ahooks.example", "calls.example.com.evil"):
        refused(client.get(URL, headers={**tenant.headers, "Host": host}))


def test_a_star_allows_any_host(app_factory, tenant) -> None:
    client = app_factory(allowed_hosts=["*"])
    response = client.get(URL, headers={**tenant.headers, "Host": "anything.example"})
    assert response.json()["path"] == "http://anything.example/api/user/calls"


def test_a_trusted_proxys_forwarded_host_is_the_one_checked(app_factory, tenant) -> None:
    """Behind a proxy the ``Host`` may be an internal name: what URLs use is checked."""
    client = app_factory(trusted_proxies=["*"], allowed_hosts=["api.example"])
    internal = {**tenant.headers, "Host": "callvault:8000"}
    response = client.get(URL, headers={**internal, "X-Forwarded-Host": "api.example"})
    assert response.json()["path"] == "http://api.example/api/user/calls"
    refused(client.get(URL, headers={**internal, "X-Forwarded-Host": "evil.example"}))
    refused(client.get(URL, headers={**internal, "X-Forwarded-Host": "evil.example, api.example"}))
    refused(client.get(URL, headers=internal))  # no forwarded host: its Host is the claim


def test_an_untrusted_peers_forwarded_host_is_ignored(client, tenant) -> None:
    headers = {**tenant.headers, "X-Forwarded-Host": "evil.example"}
    assert client.get(URL, headers=headers).json()["path"] == "http://localhost/api/user/calls"
