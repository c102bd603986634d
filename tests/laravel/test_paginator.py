"""``LengthAwarePaginator``: the window, the URLs and the JSON, as Laravel builds them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.laravel.paginator import PageUrls, last_page, page_window, paginate
from callvault.laravel.query import parse_query

PATH = "http://h/api/user/calls"
__: None = None  # a "..." separator


@pytest.mark.parametrize(
    ("total", "per_page", "last"),
    [(0, 15, 1), (1, 15, 1), (15, 15, 1), (16, 15, 2), (150, 15, 10), (101, 100, 2), (7, 1, 7)],
)
def test_last_page(total: int, per_page: int, last: int) -> None:
    assert last_page(total, per_page) == last


@pytest.mark.parametrize(
    ("current", "last", "window"),
    [
        (1, 1, [1]),
        (5, 1, [1]),
        (1, 13, list(range(1, 14))),
        (7, 13, list(range(1, 14))),
        (13, 13, list(range(1, 14))),
        (1, 14, [*range(1, 11), __, 13, 14]),
        (7, 14, [*range(1, 11), __, 13, 14]),
        (8, 14, [1, 2, __, *range(5, 15)]),
        (14, 14, [1, 2, __, *range(5, 15)]),
        (1, 50, [*range(1, 11), __, 49, 50]),
        (7, 50, [*range(1, 11), __, 49, 50]),
        (8, 50, [1, 2, __, 5, 6, 7, 8, 9, 10, 11, __, 49, 50]),
        (25, 50, [1, 2, __, 22, 23, 24, 25, 26, 27, 28, __, 49, 50]),
        (43, 50, [1, 2, __, 40, 41, 42, 43, 44, 45, 46, __, 49, 50]),
        (44, 50, [1, 2, __, *range(41, 51)]),
        (50, 50, [1, 2, __, *range(41, 51)]),
        (99, 50, [1, 2, __, *range(41, 51)]),
        (15, 15, [1, 2, __, *range(6, 16)]),
    ],
)
def test_page_window(current: int, last: int, window: list[int | None]) -> None:
    assert page_window(current, last) == window


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 400), st.integers(1, 500))
def test_page_window_invariants(last: int, current: int) -> None:
    window = page_window(current, last)
    pages = [page for page in window if page is not None]
    assert pages == sorted(set(pages))
    assert pages[0] == 1
    assert pages[-1] == last
    if last < 14:
        assert window == list(range(1, last + 1))
    else:
        assert len(window) == 13
        assert window[:2] == [1, 2]
        assert window[-2:] == [last - 1, last]
        if current <= last:
            assert current in pages
        separators = [i for i, page in enumerate(window) if page is None]
        for index in separators:
            assert window[index + 1] - window[index - 1] > 1  # type: ignore[operator]


def test_page_urls_keep_other_parameters_and_put_page_last() -> None:
    urls = PageUrls(PATH, {"page": "3", "status": "ended", "x": None, "y": "a b"})
    assert urls.url(2) == f"{PATH}?status=ended&y=a%20b&page=2"
    assert urls.url(0) == f"{PATH}?status=ended&y=a%20b&page=1"


def test_page_urls_without_other_parameters() -> None:
    assert PageUrls(PATH, {}).url(4) == f"{PATH}?page=4"
    assert PageUrls(PATH, {"page": "2", "z": None}).url(1) == f"{PATH}?page=1"


def test_integer_keys_are_renumbered_like_array_merge() -> None:
    urls = PageUrls(PATH, parse_query(b"7=a&x=b&3=c&a[5]=d"))
    assert urls.url(1) == f"{PATH}?0=a&x=b&1=c&a%5B5%5D=d&page=1"


def _links(body: dict[str, Any]) -> list[tuple[str | None, str, bool]]:
    return [(link["url"], link["label"], link["active"]) for link in body["links"]]


def _body(total: int, per_page: int, page: int) -> dict[str, Any]:
    start = (page - 1) * per_page
    items = list(range(start, min(total, start + per_page)))
    return paginate(
        items, total=total, per_page=per_page, current_page=page, urls=PageUrls(PATH, {})
    )


def test_first_of_two_pages() -> None:
    body = _body(30, 15, 1)
    assert list(body) == [
        "current_page",
        "data",
        "first_page_url",
        "from",
        "last_page",
        "last_page_url",
        "links",
        "next_page_url",
        "path",
        "per_page",
        "prev_page_url",
        "to",
        "total",
    ]
    assert body["from"] == 1
    assert body["to"] == 15
    assert body["prev_page_url"] is None
    assert body["next_page_url"] == f"{PATH}?page=2"
    assert _links(body) == [
        (None, "&laquo; Previous", False),
        (f"{PATH}?page=1", "1", True),
        (f"{PATH}?page=2", "2", False),
        (f"{PATH}?page=2", "Next &raquo;", False),
    ]
    assert all(list(link) == ["url", "label", "active"] for link in body["links"])


def test_empty_result_is_one_empty_page() -> None:
    body = _body(0, 15, 1)
    assert body["data"] == []
    assert (body["from"], body["to"], body["last_page"], body["total"]) == (None, None, 1, 0)
    assert body["last_page_url"] == f"{PATH}?page=1"
    assert _links(body) == [
        (None, "&laquo; Previous", False),
        (f"{PATH}?page=1", "1", True),
        (None, "Next &raquo;", False),
    ]


def test_page_past_the_end() -> None:
    body = _body(20, 15, 5)
    assert body["current_page"] == 5
    assert body["data"] == []
    assert (body["from"], body["to"], body["next_page_url"]) == (None, None, None)
    assert body["prev_page_url"] == f"{PATH}?page=4"
    assert body["last_page_url"] == f"{PATH}?page=2"
    assert [link["active"] for link in body["links"]] == [False] * 4
    assert body["links"][0]["url"] == f"{PATH}?page=4"


def test_middle_of_fifty_pages_has_two_separators() -> None:
    body = _body(500, 10, 25)
    labels = [link["label"] for link in body["links"]]
    assert labels == [
        "&laquo; Previous",
        "1",
        "2",
        "...",
        *[str(n) for n in range(22, 29)],
        "...",
        "49",
        "50",
        "Next &raquo;",
    ]
    separator = body["links"][3]
    assert separator == {"url": None, "label": "...", "active": False}
    assert [link["label"] for link in body["links"] if link["active"]] == ["25"]
    assert (body["from"], body["to"]) == (241, 250)


def test_last_partial_page() -> None:
    body = _body(31, 15, 3)
    assert (body["from"], body["to"], body["data"]) == (31, 31, [30])
    assert body["next_page_url"] is None
