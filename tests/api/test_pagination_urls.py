"""Pagination over HTTP: windows, page past the end, page URLs and the request's own URL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

URL = "/api/user/calls"
BASE = "http://localhost/api/user/calls"


def add_calls(tenant, count: int) -> None:
    start = datetime(2025, 8, 1)
    for n in range(1, count + 1):
        tenant.add_call(id=n, created_at=start + timedelta(minutes=n))


def labels(body) -> list[str]:
    return [link["label"] for link in body["links"]]


def pages(*items: object) -> list[str]:
    out = ["&laquo; Previous"]
    for item in items:
        out.extend(str(n) for n in item) if isinstance(item, range) else out.append(str(item))
    return [*out, "Next &raquo;"]


@pytest.mark.parametrize(
    ("count", "page", "expected"),
    [
        (1, 1, pages(1)),
        (13, 1, pages(range(1, 14))),
        (13, 7, pages(range(1, 14))),
        (13, 13, pages(range(1, 14))),
        (14, 1, pages(range(1, 11), "...", 13, 14)),
        (14, 7, pages(range(1, 11), "...", 13, 14)),
        (14, 8, pages(1, 2, "...", range(5, 15))),
        (14, 14, pages(1, 2, "...", range(5, 15))),
        (52, 1, pages(range(1, 11), "...", 51, 52)),
        (52, 26, pages(1, 2, "...", range(23, 30), "...", 51, 52)),
        (52, 52, pages(1, 2, "...", range(43, 53))),
    ],
)
def test_windows(client, tenant, count: int, page: int, expected: list[str]) -> None:
    add_calls(tenant, count)
    body = tenant.get(client, f"{URL}?per_page=1&page={page}").json()
    assert labels(body) == expected
    assert [link["label"] for link in body["links"] if link["active"]] == [str(page)]
    assert body["data"][0]["id"] == count + 1 - page
    assert (body["from"], body["to"], body["last_page"]) == (page, page, count)
    previous = f"{BASE}?per_page=1&page={page - 1}" if page > 1 else None
    following = f"{BASE}?per_page=1&page={page + 1}" if page < count else None
    assert (body["prev_page_url"], body["next_page_url"]) == (previous, following)
    assert body["links"][0]["url"] == previous
    assert body["links"][-1]["url"] == following
    for link in body["links"][1:-1]:
        url = None if link["label"] == "..." else f"{BASE}?per_page=1&page={link['label']}"
        assert link == {"url": url, "label": link["label"], "active": link["active"]}


def test_page_past_the_end(client, tenant) -> None:
    add_calls(tenant, 20)
    body = tenant.get(client, f"{URL}?page=9&status=completed").json()
    assert body == {
        "current_page": 9,
        "data": [],
        "first_page_url": f"{BASE}?status=completed&page=1",
        "from": None,
        "last_page": 2,
        "last_page_url": f"{BASE}?status=completed&page=2",
        "links": [
            {
                "url": f"{BASE}?status=completed&page=8",
                "label": "&laquo; Previous",
                "active": False,
            },
            {"url": f"{BASE}?status=completed&page=1", "label": "1", "active": False},
            {"url": f"{BASE}?status=completed&page=2", "label": "2", "active": False},
            {"url": None, "label": "Next &raquo;", "active": False},
        ],
        "next_page_url": None,
        "path": BASE,
        "per_page": 15,
        "prev_page_url": f"{BASE}?status=completed&page=8",
        "to": None,
        "total": 20,
    }


def test_page_and_per_page_are_integers_even_when_signed(client, tenant) -> None:
    add_calls(tenant, 3)
    body = tenant.get(client, f"{URL}?page=%2B2&per_page=%2B2").json()
    assert (body["current_page"], body["per_page"], body["from"], body["to"]) == (2, 2, 3, 3)
    assert body["first_page_url"] == f"{BASE}?per_page=%2B2&page=1"
    assert isinstance(body["current_page"], int)
    assert isinstance(body["per_page"], int)


def test_page_urls_keep_every_parameter_in_request_order(client, tenant) -> None:
    query = (
        "zeta=1&page=2&status=completed&empty=&blank=%20%20&q=a+b&plus=%2B1&tilde=~x"
        "&uni=%D0%AF&a[]=1&a[]=2&k[x]=y&status=ended&per.page=5&pad=%20v%20"
    )
    body = tenant.get(client, f"{URL}?{query}").json()
    kept = (
        "zeta=1&status=ended&q=a%20b&plus=%2B1&tilde=~x&uni=%D0%AF"
        "&a%5B0%5D=1&a%5B1%5D=2&k%5Bx%5D=y&per_page=5&pad=v"
    )
    assert body["first_page_url"] == f"{BASE}?{kept}&page=1"
    assert body["prev_page_url"] == f"{BASE}?{kept}&page=1"
    assert body["last_page_url"] == f"{BASE}?{kept}&page=1"


def test_odd_characters_are_rawurlencoded(client, tenant) -> None:
    body = tenant.get(client, f"{URL}?x=%2F%3F%26%3D%23*'()!%25").json()
    assert body["first_page_url"] == f"{BASE}?x=%2F%3F%26%3D%23%2A%27%28%29%21%25&page=1"


def test_numeric_keys_are_renumbered(client, tenant) -> None:
    body = tenant.get(client, f"{URL}?5=a&x=b&9=c").json()
    assert body["first_page_url"] == f"{BASE}?0=a&x=b&1=c&page=1"


def test_path_is_the_raw_path(client, tenant) -> None:
    body = tenant.get(client, "/api/user/%63alls/").json()
    assert body["path"] == "http://localhost/api/user/%63alls"


def test_host_and_port_come_from_the_request(app_factory, tenant) -> None:
    client = app_factory(allowed_hosts=["calls.example.com"])
    headers = {**tenant.headers, "Host": "Calls.Example.com:8080"}
    body = client.get(URL, headers=headers).json()
    assert body["path"] == "http://calls.example.com:8080/api/user/calls"


def test_forwarded_headers_ignored_from_untrusted_peers(client, tenant) -> None:
    headers = {
        **tenant.headers,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Port": "444",
    }
    assert client.get(URL, headers=headers).json()["path"] == BASE


@pytest.mark.parametrize(
    ("proxies", "trusted"), [(["*"], True), (["127.0.0.1"], False), (["10.0.0.0/8"], False)]
)
def test_forwarded_headers_from_trusted_proxies(app_factory, tenant, proxies, trusted) -> None:
    client = app_factory(trusted_proxies=proxies, allowed_hosts=["localhost", "api.example"])
    headers = {**tenant.headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example"}
    path = client.get(URL, headers=headers).json()["path"]
    assert path == ("https://api.example/api/user/calls" if trusted else BASE)


def test_forwarded_port_and_first_of_several_values(app_factory, tenant) -> None:
    client = app_factory(trusted_proxies=["*"], allowed_hosts=["a.example"])
    headers = {
        **tenant.headers,
        "X-Forwarded-Proto": "https, http",
        "X-Forwarded-Host": "a.example, b.example",
        "X-Forwarded-Port": "8443",
    }
    assert (
        client.get(URL, headers=headers).json()["path"] == "https://a.example:8443/api/user/calls"
    )


@pytest.mark.parametrize("page", ["9", "99999999999", "9223372036854775807"])
@pytest.mark.parametrize(
    "filters", ["", "&status=completed", "&phone_number=5550001111", "&phone_number=555"]
)
def test_any_page_past_the_end_is_empty_whatever_the_filter(
    client, tenant, page: str, filters: str
) -> None:
    tenant.add_call(id=1, client_phone_number="+15550001111")
    response = tenant.get(client, f"{URL}?page={page}{filters}")
    assert response.status_code == 200
    body = response.json()
    assert (body["current_page"], body["data"], body["total"]) == (int(page), [], 1)
