"""The webhook management API's own inputs: checked after authentication, with Laravel's
rules and messages, as its OpenAPI document says."""

from __future__ import annotations

import pytest

HOOKS = "/api/user/webhooks"


def test_a_bad_limit_from_a_stranger_is_401_not_422(client) -> None:
    response = client.get(f"{HOOKS}/whe_x/deliveries?limit=abc")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


@pytest.mark.parametrize("limit", ["abc", "5.0", "05", "1_0", "limit[]"])
def test_a_limit_that_is_not_an_integer_is_laravels_422(client, tenant, limit: str) -> None:
    endpoint = client.post(HOOKS, json={}, headers=tenant.headers).json()["id"]
    query = "limit[]=5" if limit == "limit[]" else f"limit={limit}"
    response = client.get(f"{HOOKS}/{endpoint}/deliveries?{query}", headers=tenant.headers)
    assert response.status_code == 422
    message = "The limit field must be an integer."
    assert response.json() == {"message": message, "errors": {"limit": [message]}}


@pytest.mark.parametrize("limit", ["", " 7 ", "+7", "-3", "99999"])
def test_an_integer_limit_is_taken_and_bounded(client, tenant, limit: str) -> None:
    endpoint = client.post(HOOKS, json={}, headers=tenant.headers).json()["id"]
    response = client.get(f"{HOOKS}/{endpoint}/deliveries?limit={limit}", headers=tenant.headers)
    assert response.status_code == 200
    assert response.json() == {"data": []}


@pytest.mark.parametrize(("grace", "expires"), [(385.0, True), (0.0, False), (-0.0, False)])
def test_an_integral_json_number_is_an_integer_grace(client, tenant, grace, expires) -> None:
    endpoint = client.post(HOOKS, json={}, headers=tenant.headers).json()["id"]
    rotate = f"{HOOKS}/{endpoint}/rotate"
    response = client.post(rotate, json={"grace_seconds": grace}, headers=tenant.headers)
    assert response.status_code == 200
    assert (response.json()["previous_secret_expires_at"] is not None) == expires


def test_a_fractional_grace_is_422(client, tenant) -> None:
    endpoint = client.post(HOOKS, json={}, headers=tenant.headers).json()["id"]
    rotate = f"{HOOKS}/{endpoint}/rotate"
    response = client.post(rotate, json={"grace_seconds": 1.5}, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "grace_seconds": ["The grace seconds field must be an integer."]
    }
