"""Tenants never see each other: calls, names, counts, ids, single-call answers."""

from __future__ import annotations

from datetime import datetime

import pytest

URL = "/api/user/calls"


@pytest.fixture
def two(make_tenant):
    alice = make_tenant("alice@example.com")
    bob = make_tenant("bob@example.com")
    alice.add_assistant(1, "Alice Assistant")
    alice.add_campaign(1, "Alice Campaign")
    bob.add_assistant(1, "Bob Secret Assistant")
    bob.add_campaign(1, "Bob Secret Campaign")
    bob.add_assistant(2, "Bob Other")
    alice.add_call(id=1, assistant_id=1, campaign_id=1, transcript="alice one")
    bob.add_call(id=1, assistant_id=1, campaign_id=1, transcript="bob one")
    for call_id in range(2, 6):
        bob.add_call(id=call_id, assistant_id=2, transcript="bob", created_at=datetime(2025, 9, 1))
    return alice, bob


def test_lists_and_counts_are_per_tenant(client, two) -> None:
    alice, bob = two
    mine = alice.get(client, URL).json()
    assert mine["total"] == 1
    assert mine["data"][0]["transcript"] == "alice one"
    assert mine["data"][0]["assistant_name"] == "Alice Assistant"
    assert mine["data"][0]["campaign_name"] == "Alice Campaign"
    assert bob.get(client, URL).json()["total"] == 5


@pytest.mark.parametrize(
    "query",
    ["", "assistant_id=2", "assistant_id=1", "campaign_id=1", "date_from=2025-09-01", "per_page=1"],
)
def test_nothing_of_bob_leaks_to_alice(client, two, query: str) -> None:
    alice, _bob = two
    response = alice.get(client, f"{URL}?{query}")
    raw = response.content
    assert b"Bob" not in raw
    assert b"bob" not in raw
    assert response.json()["total"] <= 1
    assert response.json()["last_page"] == 1


def test_same_call_id_belongs_to_each_owner(client, two) -> None:
    alice, bob = two
    assert alice.get(client, f"{URL}/1").json()["transcript"] == "alice one"
    assert bob.get(client, f"{URL}/1").json()["transcript"] == "bob one"
    assert bob.get(client, f"{URL}/1").json()["assistant_name"] == "Bob Secret Assistant"


def test_another_users_call_is_the_same_404_as_a_missing_one(client, two) -> None:
    alice, _bob = two
    theirs = alice.get(client, f"{URL}/3")
    missing = alice.get(client, f"{URL}/99")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == {"message": "No query results for model [App\\Models\\Call] 3"}
    assert missing.json() == {"message": "No query results for model [App\\Models\\Call] 99"}
    assert theirs.headers.keys() == missing.headers.keys()


def test_deleting_another_users_call_is_404_and_leaves_it(client, two) -> None:
    alice, bob = two
    response = client.delete(f"{URL}/3", headers=alice.headers)
    assert response.status_code == 404
    assert response.json() == {"message": "No query results for model [App\\Models\\Call] 3"}
    assert bob.get(client, f"{URL}/3").status_code == 200
    assert client.delete(f"{URL}/1", headers=alice.headers).status_code == 204
    assert bob.get(client, f"{URL}/1").status_code == 200
    assert alice.get(client, URL).json()["total"] == 0
