"""The OpenAPI document tells the truth: every operation declares real answer schemas and
every status it can answer, parameter and body schemas accept exactly what the rules
accept, and the live answers of both backends validate against the schemas declared.

Values are checked with ``jsonschema-rs``, the validator schemathesis uses
(``python -m tests.contract.live`` runs schemathesis itself against a live server).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callvault.api.app import create_fastapi
from callvault.calls.fields import ITEM_KEYS
from callvault.calls.schemas import LIST_RULES
from callvault.config import Settings
from callvault.errors import ValidationFailed
from callvault.laravel.paginator import PageUrls, paginate
from callvault.laravel.query import clean_query
from callvault.laravel.validation import validate
from callvault.webhooks import schemas
from tests.ingest.conftest import call_payload, event, make_hook

JsonSchema = dict[str, Any]


@cache
def document() -> dict[str, Any]:
    """The document as served (built without a database: the lifespan never runs)."""
    app = create_fastapi(Settings(database_url="sqlite:///unused.db"))
    served: dict[str, Any] = json.loads(json.dumps(app.openapi()))
    return served


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
    ]


def validator(schema: JsonSchema) -> jsonschema_rs.Validator:
    """``schema`` with the document's components in reach of its ``$ref``s."""
    return jsonschema_rs.validator_for({**schema, "components": document()["components"]})


def answer_schema(method: str, path: str, status: int) -> JsonSchema:
    answer = document()["paths"][path][method]["responses"][str(status)]
    schema: JsonSchema = answer["content"]["application/json"]["schema"]
    return schema


def parameter_schema(method: str, path: str, name: str) -> JsonSchema:
    [parameter] = [p for p in document()["paths"][path][method]["parameters"] if p["name"] == name]
    schema: JsonSchema = parameter["schema"]
    return schema


def body_schema(method: str, path: str) -> JsonSchema:
    body = document()["paths"][path][method]["requestBody"]
    schema: JsonSchema = body["content"]["application/json"]["schema"]
    return schema


VALIDATED = {
    "list_calls",
    "list_webhook_deliveries",
    "create_webhook_endpoint",
    "rotate_webhook_secret",
    "receive_webhook_delivery",
}
"""The operations with parameters or a body that a rule may refuse (422)."""
ERRORS = {"#/components/schemas/Message", "#/components/schemas/ValidationMessage"}


@pytest.mark.parametrize(("method", "path", "operation"), operations())
def test_every_operation_declares_every_answer(
    method: str, path: str, operation: JsonSchema
) -> None:
    responses = operation["responses"]
    [success] = [status for status in responses if status.startswith("2")]
    if success != "204":
        schema = responses[success]["content"]["application/json"]["schema"]
        assert schema not in ({}, {"type": "string"}), (method, path)
    assert "400" in responses  # a foreign Host, checked before anything else
    assert ("503" in responses) == (path != "/openapi.json")
    authenticated = path.startswith("/api/user/")
    assert ("401" in responses) == (authenticated or path.startswith("/api/webhooks/"))
    assert (operation.get("security") == [{"bearerAuth": []}]) == authenticated
    if path.startswith("/api/"):
        headers = responses["429"]["headers"]
        assert set(headers) == {
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "Retry-After",
            "X-RateLimit-Reset",
        }
        assert headers["Retry-After"] == {"$ref": "#/components/headers/Retry-After"}
    if "{" in path:
        assert "404" in responses
    reads_body = "requestBody" in operation
    assert ("413" in responses) == reads_body
    assert ("422" in responses) == (operation["operationId"] in VALIDATED)
    for status, answer in responses.items():
        if status >= "400":
            schema = answer["content"]["application/json"]["schema"]
            assert schema["$ref"] in ERRORS, (method, path, status)
            if status == "422":
                assert schema["$ref"].endswith("/ValidationMessage")


def test_no_fastapi_validation_schema_and_every_error_is_the_contracts() -> None:
    text = json.dumps(document())
    assert "HTTPValidationError" not in text
    components = document()["components"]
    assert components["schemas"]["Message"]["required"] == ["message"]
    assert components["schemas"]["Message"]["additionalProperties"] is False
    assert components["schemas"]["ValidationMessage"]["properties"]["errors"] == {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "title": "Errors",
        "examples": [{"status": ["The selected status is invalid."]}],
    }


def test_call_item_lists_exactly_the_seeds_keys() -> None:
    item = document()["components"]["schemas"]["CallItem"]
    assert list(item["properties"]) == list(ITEM_KEYS)
    assert item["required"] == list(ITEM_KEYS)
    assert item["additionalProperties"] is False
    check = validator({"$ref": "#/components/schemas/CallItem"})
    seed_item = document()["paths"]["/api/user/calls/{call_id}"]["get"]["responses"]["200"]
    example = seed_item["content"]["application/json"]["example"]
    assert check.is_valid(example)
    assert check.is_valid({**example, "assistant_name": None, "variables": [], "duration": None})
    for key, wrong in [("id", None), ("type", "fax"), ("status", None), ("created_at", "x")]:
        assert not check.is_valid({**example, key: wrong}), key
    assert not check.is_valid({k: v for k, v in example.items() if k != "recording_url"})


def test_page_schema_is_the_paginators_keys_in_order() -> None:
    page = document()["components"]["schemas"]["CallPage"]
    empty = paginate([], total=0, per_page=15, current_page=1, urls=PageUrls("http://x/p", {}))
    assert list(page["properties"]) == list(empty)
    assert page["required"] == list(empty)
    assert validator({"$ref": "#/components/schemas/CallPage"}).is_valid(empty)


def accepted(name: str, value: str) -> bool:
    """Whether the list's rules accept ``?name=value`` (after Laravel's cleaning)."""
    return not validate(clean_query({name: value}), {name: LIST_RULES[name]}).failed


LIST = ("get", "/api/user/calls")

REPRESENTATIVE = {
    "status": ["completed", " in-progress\t", "", " ", "Completed", "completed!", "done"],
    "type": ["web", "\u3000outbound", "inbound ", "phone", "web web"],
    "phone_number": [
        "+1 (987) 654-3210",
        "654-3210",
        "123",
        "12",
        "+12",
        "1\x0b2\x0c3",
        " \u00a0+123 ",
        "1" * 32,
        "+" + "1" * 32,
        "1" * 33,
        "++123",
        "123+",
        "12a3",
        "abc",
        "()-. 1",
        "1\u00a023",
    ],
    "assistant_id": ["7", "+7", "-7", "007", "7.0", "1e3", "", " 7 ", str(2**63 - 1), str(2**63)],
    "campaign_id": ["-9223372036854775808", "-9223372036854775809", "-0", "0x1", "seven"],
    "date_from": ["2025-08-01", "2024-02-29", "2025-02-29", "2025-8-01", "0000-02-29", " "],
    "date_to": ["2025-12-31", "2025-13-01", "2025-04-31", "25-12-31", "", "2025-12-31 "],
    "per_page": ["1", "100", "0", "101", "15.0", "+100", "050", ""],
    "page": ["1", "0", "-1", "9223372036854775807", "9223372036854775808", "2.5", " 3"],
}


@pytest.mark.parametrize("name", list(REPRESENTATIVE))
def test_list_parameters_accept_exactly_what_the_rules_accept(name: str) -> None:
    schema = validator(parameter_schema(*LIST, name))
    disagreements = [v for v in REPRESENTATIVE[name] if schema.is_valid(v) != accepted(name, v)]
    assert disagreements == []
    assert any(accepted(name, v) for v in REPRESENTATIVE[name])
    assert not all(accepted(name, v) for v in REPRESENTATIVE[name])


ALPHABET = st.sampled_from([*"0123456789+-(). aZ_:/", "\t", "\n", "\x0b", "\u3000", "\u00e9"])


@given(
    name=st.sampled_from(list(REPRESENTATIVE)),
    value=st.one_of(
        st.text(ALPHABET, max_size=40),
        st.sampled_from(["completed", "no-answer", "outbound", "2024-02-29"]).map(
            lambda word: f" {word}\t"
        ),
        st.integers(-(2**64), 2**64).map(str),
    ),
)
def test_list_parameters_agree_with_the_rules_on_any_value(name: str, value: str) -> None:
    assert validator(parameter_schema(*LIST, name)).is_valid(value) == accepted(name, value)


def takes(rule: Callable[[Any], object], value: object) -> bool:
    try:
        rule(value)
    except ValidationFailed:
        return False
    return True


def test_limit_and_grace_seconds_schemas_agree_with_their_rules() -> None:
    log = "/api/user/webhooks/{endpoint_id}/deliveries"
    limit = validator(parameter_schema("get", log, "limit"))
    for text in ["5", " 5", "+5", "-5", "", "05", "5.0", "x", str(2**63)]:
        query = clean_query({"limit": text})
        assert limit.is_valid(text) == takes(schemas.delivery_limit, query), text
    rotate = body_schema("post", "/api/user/webhooks/{endpoint_id}/rotate")
    grace = validator(rotate["properties"]["grace_seconds"])
    numbers = [0, 86400, 86400.0, 2592000, 2592001, -1, -0.0, 1.5, 1e300]
    others = ["86400", " 60\n", "060", "\x0c60", "", None, True, [1]]
    for value in [*numbers, *others]:
        body = {"grace_seconds": value}
        assert grace.is_valid(value) == takes(schemas.grace_period, body), value


def test_delivery_body_schema_takes_what_the_receiver_takes() -> None:
    body = validator(body_schema("post", "/api/webhooks/calls/{endpoint_id}"))
    assert body.is_valid(event("call.completed", call_payload(9), event_id="evt_1"))
    assert body.is_valid(event("call.started", {"id": 9, "type": "web", "status": "ringing"}))
    offset = call_payload(9, created_at="2025-08-04T14:30:00+02:00", updated_at=None)
    assert body.is_valid(event("call.failed", offset))
    refused = [
        {"event": "call.lost", "call": call_payload(9)},
        {"event": "call.started"},
        event("call.started", call_payload(0)),
        event("call.started", call_payload(9, status="done")),
        event("call.started", call_payload(9, duration=2**31)),
        event("call.started", call_payload(9, created_at="2025-02-30 10:00:00")),
        event("call.started", call_payload(9, transcript="a\x00b")),
        event("call.started", call_payload(9, variables="text")),
    ]
    assert [payload for payload in refused if body.is_valid(payload)] == []


def check_answer(response: Any, method: str, path: str) -> None:
    """The answer's body validates against the schema declared for its status."""
    schema = answer_schema(method, path, response.status_code)
    errors = [error.message for error in validator(schema).iter_errors(response.json())]
    assert errors == [], (method, path, response.status_code, response.text)


def test_live_answers_match_their_schemas(client, tenant, db) -> None:
    tenant.add_assistant(7, "Sales")
    tenant.add_call(id=1, assistant_id=7, variables={"a": [1, {"b": None}]}, evaluation={})
    tenant.add_call(id=2, variables=[1, 2.5], duration=None, client_phone_number=None)
    headers = tenant.headers
    calls, one = "/api/user/calls", "/api/user/calls/{call_id}"
    check_answer(client.get(calls, headers=headers), "get", calls)
    check_answer(client.get(f"{calls}?per_page=1&page=2", headers=headers), "get", calls)
    check_answer(client.get(f"{calls}?status=nope", headers=headers), "get", calls)
    check_answer(client.get(calls), "get", calls)
    check_answer(client.get(f"{calls}/1", headers=headers), "get", one)
    check_answer(client.get(f"{calls}/abc", headers=headers), "get", one)
    assert client.delete(f"{calls}/2", headers=headers).status_code == 204
    check_answer(client.get("/api/user/me", headers=headers), "get", "/api/user/me")
    check_answer(client.get("/healthz"), "get", "/healthz")
    check_answer(client.get("/healthz", headers={"Host": "evil.example"}), "get", "/healthz")

    hooks = "/api/user/webhooks"
    created = client.post(hooks, json={"name": "crm"}, headers=headers)
    check_answer(created, "post", hooks)
    check_answer(client.post(hooks, json={"name": 5}, headers=headers), "post", hooks)
    check_answer(client.get(hooks, headers=headers), "get", hooks)
    endpoint = created.json()["id"]
    rotate = "/api/user/webhooks/{endpoint_id}/rotate"
    check_answer(
        client.post(f"{hooks}/{endpoint}/rotate", json={}, headers=headers), "post", rotate
    )
    hook = make_hook(db, tenant)
    receive = "/api/webhooks/calls/{endpoint_id}"
    check_answer(hook.post(client, event("call.completed", call_payload(9))), "post", receive)
    check_answer(hook.post(client, {"event": "call.lost"}), "post", receive)
    log = "/api/user/webhooks/{endpoint_id}/deliveries"
    check_answer(client.get(f"{hooks}/{hook.id}/deliveries", headers=headers), "get", log)
    check_answer(client.get(f"{hooks}/nope/deliveries", headers=headers), "get", log)
    check_answer(client.get("/openapi.json"), "get", "/openapi.json")
