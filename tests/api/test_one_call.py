"""One call, delete, ``/api/user/me``, ``/healthz``, the OpenAPI document and ``/docs``."""

from __future__ import annotations

from datetime import datetime

import pytest

from callvault.calls.fields import ITEM_KEYS

URL = "/api/user/calls"


def test_get_one_call_is_the_list_item(client, tenant) -> None:
    tenant.add_assistant(4, "Closer")
    tenant.add_call(id=42, assistant_id=4, created_at=datetime(2025, 8, 4, 9, 5, 1))
    listed = tenant.get(client, URL).json()["data"][0]
    response = tenant.get(client, f"{URL}/42")
    assert response.status_code == 200
    assert tuple(response.json()) == ITEM_KEYS
    assert response.json() == listed


def test_json_fields_and_costs_print_as_php_does_in_both_endpoints(client, tenant) -> None:
    tenant.add_call(
        id=7,
        variables={"0": "a", "1": "b/c"},
        evaluation={},
        webhook_response={"score": 1e-5, "n": 12.0, "nested": [{"2": 0.1}, []], "x": "é"},
        carrier_cost=12.0,
        total_cost=0.30000000000000004,
        transcript="a/b ü",
    )
    expected = (
        b'"transcript":"a\\/b \\u00fc","variables":["a","b\\/c"],"evaluation":[],'
        b'"webhook_response":{"score":1.0e-5,"n":12,"nested":[{"2":0.1},[]],"x":"\\u00e9"},'
        b'"carrier_cost":12,"total_cost":0.30000000000000004,'
    )
    assert expected in tenant.get(client, f"{URL}/7").content
    assert expected in tenant.get(client, URL).content


@pytest.mark.parametrize("raw_id", ["99", "abc", "-1", "1.5", "99999999999999999999"])
def test_missing_call_is_404_with_the_raw_id(client, tenant, raw_id: str) -> None:
    response = tenant.get(client, f"{URL}/{raw_id}")
    assert response.status_code == 404
    assert response.json() == {
        "message": f"No query results for model [App\\Models\\Call] {raw_id}"
    }


@pytest.mark.parametrize("raw_id", ["007", "+7"])
def test_ids_compare_as_numbers_like_the_database_does(client, tenant, raw_id: str) -> None:
    tenant.add_call(id=7)
    assert tenant.get(client, f"{URL}/{raw_id}").json()["id"] == 7


def test_delete_then_gone(client, tenant) -> None:
    tenant.add_call(id=7)
    tenant.add_call(id=8)
    response = client.delete(f"{URL}/7", headers=tenant.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert tenant.get(client, f"{URL}/7").status_code == 404
    again = client.delete(f"{URL}/7", headers=tenant.headers)
    assert again.status_code == 404
    assert again.json() == {"message": "No query results for model [App\\Models\\Call] 7"}
    assert [item["id"] for item in tenant.get(client, URL).json()["data"]] == [8]


def test_me(client, tenant) -> None:
    response = tenant.get(client, "/api/user/me")
    assert response.json() == {"id": tenant.user.id, "name": "alice", "email": "alice@example.com"}


def test_healthz_names_the_backend(client, database_url: str) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")


def test_openapi_documents_every_parameter_and_error(client) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/user/calls"]["get"]
    names = [parameter["name"] for parameter in operation["parameters"]]
    assert names == [
        "status",
        "type",
        "phone_number",
        "assistant_id",
        "campaign_id",
        "date_from",
        "date_to",
        "per_page",
        "page",
    ]
    assert {"200", "401", "422"} <= set(operation["responses"])
    status = next(p for p in operation["parameters"] if p["name"] == "status")
    assert "ended_by_assistant" in status["schema"]["anyOf"][0]["enum"]
    one = document["paths"]["/api/user/calls/{call_id}"]
    assert {"401", "404"} <= set(one["get"]["responses"])
    assert "delete" in one
    assert "/api/user/me" in document["paths"]


def test_docs_serve_html(client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text
