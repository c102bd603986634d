"""The list endpoint answers at all, on both backends."""

from __future__ import annotations


def test_empty_list_has_every_paginator_key_in_order(client, tenant) -> None:
    response = tenant.get(client, "/api/user/calls")
    assert response.status_code == 200
    body = response.json()
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
    assert body["total"] == 0
    assert body["path"] == "http://localhost/api/user/calls"


def test_one_call_is_listed_with_seed_keys(client, tenant) -> None:
    tenant.add_assistant(7, "Sales Assistant")
    tenant.add_call(id=123, assistant_id=7, variables={"b": 1, "a": 2})
    body = tenant.get(client, "/api/user/calls").json()
    item = body["data"][0]
    assert item["id"] == 123
    assert item["assistant_name"] == "Sales Assistant"
    assert item["campaign_name"] is None
    assert list(item["variables"]) == ["b", "a"]
    assert item["created_at"] == "2025-08-04 14:30:00"
