"""422 answers over HTTP: every message, several per field, the summary, input cleaning."""

from __future__ import annotations

from typing import Any

import pytest

URL = "/api/user/calls"


def invalid(tenant, client, query: str) -> Any:
    response = tenant.get(client, f"{URL}?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["message", "errors"]
    return body


@pytest.mark.parametrize(
    ("query", "field", "messages"),
    [
        ("status=done", "status", ["The selected status is invalid."]),
        ("type=sms", "type", ["The selected type is invalid."]),
        ("phone_number=12", "phone_number", ["The phone number field format is invalid."]),
        ("phone_number=abc", "phone_number", ["The phone number field format is invalid."]),
        (
            "phone_number[]=123",
            "phone_number",
            [
                "The phone number field must be a string.",
                "The phone number field format is invalid.",
            ],
        ),
        ("assistant_id=x", "assistant_id", ["The assistant id field must be an integer."]),
        ("assistant_id=007", "assistant_id", ["The assistant id field must be an integer."]),
        ("assistant_id=1.0", "assistant_id", ["The assistant id field must be an integer."]),
        ("assistant_id=1e1", "assistant_id", ["The assistant id field must be an integer."]),
        ("assistant_id=0x10", "assistant_id", ["The assistant id field must be an integer."]),
        (
            "assistant_id=9223372036854775808",
            "assistant_id",
            ["The assistant id field must be an integer."],
        ),
        ("campaign_id=%2B", "campaign_id", ["The campaign id field must be an integer."]),
        ("date_from=2025-02-30", "date_from", ["The date from field must match the format Y-m-d."]),
        ("date_from=2025-2-5", "date_from", ["The date from field must match the format Y-m-d."]),
        ("date_to=2025-13-01", "date_to", ["The date to field must match the format Y-m-d."]),
        ("per_page=0", "per_page", ["The per page field must be at least 1."]),
        ("per_page=101", "per_page", ["The per page field must not be greater than 100."]),
        ("per_page=abc", "per_page", ["The per page field must be an integer."]),
        ("per_page=1.5", "per_page", ["The per page field must be an integer."]),
        (
            "per_page=0.5",
            "per_page",
            ["The per page field must be an integer.", "The per page field must be at least 1."],
        ),
        (
            "per_page=1e3",
            "per_page",
            [
                "The per page field must be an integer.",
                "The per page field must not be greater than 100.",
            ],
        ),
        ("page=0", "page", ["The page field must be at least 1."]),
        ("page=-1", "page", ["The page field must be at least 1."]),
        ("page=two", "page", ["The page field must be an integer."]),
        ("status[]=completed", "status", ["The selected status is invalid."]),
        ("type[a]=web", "type", ["The selected type is invalid."]),
        ("assistant_id[]=1", "assistant_id", ["The assistant id field must be an integer."]),
        ("page[]=1", "page", ["The page field must be an integer."]),
        (
            "date_to[]=2025-01-01",
            "date_to",
            [
                "The date to field must match the format Y-m-d.",
                "The date to field must be a date after or equal to date from.",
            ],
        ),
    ],
)
def test_single_field_messages(client, tenant, query: str, field: str, messages) -> None:
    body = invalid(tenant, client, query)
    assert body["errors"] == {field: messages}
    more = len(messages) - 1
    suffix = {0: "", 1: " (and 1 more error)"}.get(more, f" (and {more} more errors)")
    assert body["message"] == messages[0] + suffix


def test_date_to_before_date_from(client, tenant) -> None:
    body = invalid(tenant, client, "date_from=2025-08-05&date_to=2025-08-04")
    assert body == {
        "message": "The date to field must be a date after or equal to date from.",
        "errors": {"date_to": ["The date to field must be a date after or equal to date from."]},
    }


def test_the_seed_example_error(client, tenant) -> None:
    body = invalid(tenant, client, "per_page=500&status=nope")
    assert body == {
        "message": "The selected status is invalid. (and 1 more error)",
        "errors": {
            "status": ["The selected status is invalid."],
            "per_page": ["The per page field must not be greater than 100."],
        },
    }


def test_every_field_at_once_in_rule_order(client, tenant) -> None:
    query = (
        "page=0&per_page=0.5&date_to=x&date_from=2025-02-30&campaign_id=a&assistant_id=b"
        "&phone_number[]=1&type=t&status=s"
    )
    body = invalid(tenant, client, query)
    assert list(body["errors"]) == [
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
    assert body["message"] == "The selected status is invalid. (and 11 more errors)"


def test_raw_bytes_of_a_422(client, tenant) -> None:
    response = tenant.get(client, f"{URL}?status=x")
    assert response.content == (
        b'{"message":"The selected status is invalid.",'
        b'"errors":{"status":["The selected status is invalid."]}}'
    )


def test_values_are_trimmed_before_validation(client, tenant) -> None:
    query = "per_page=%E2%80%8B100%EF%BB%BF&page=%C2%A01%E3%80%80&date_from=%092025-08-04%0A"
    response = tenant.get(client, f"{URL}?{query}")
    assert response.status_code == 200
    assert response.json()["per_page"] == 100


def test_repeated_parameter_validates_the_last_value(client, tenant) -> None:
    assert tenant.get(client, f"{URL}?per_page=500&per_page=5").status_code == 200
    body = invalid(tenant, client, "per_page=5&per_page=500")
    assert list(body["errors"]) == ["per_page"]


def test_mangled_name_is_validated(client, tenant) -> None:
    body = invalid(tenant, client, "per.page=0&per page=500")
    assert body["errors"] == {"per_page": ["The per page field must not be greater than 100."]}


def test_raw_plus_is_a_space_and_encoded_plus_is_literal(client, tenant) -> None:
    assert tenant.get(client, f"{URL}?phone_number=%2B1+987+654").status_code == 200
    assert invalid(tenant, client, "phone_number=1%2B23")["errors"] == {
        "phone_number": ["The phone number field format is invalid."]
    }


def test_unknown_parameters_are_never_validated(client, tenant) -> None:
    assert tenant.get(client, f"{URL}?foo[]=1&per_pages=0&Page=0").status_code == 200


def test_inputs_laravel_crashes_on_get_a_clear_422(client, tenant) -> None:
    """Laravel answers these with a 500; callvault never answers bad input with a 500."""
    expected = {
        "per_page=1e1001": {
            "per_page": [
                "The per page field must be an integer.",
                "The per page field must not be greater than 100.",
            ]
        },
        "page=-1E-2000": {
            "page": ["The page field must be an integer.", "The page field must be at least 1."]
        },
        "date_from[]=x&date_to=2025-01-01": {
            "date_from": ["The date from field must match the format Y-m-d."],
            "date_to": ["The date to field must be a date after or equal to date from."],
        },
    }
    for query, errors in expected.items():
        response = tenant.get(client, f"{URL}?{query}")
        assert response.status_code == 422, query
        assert response.json()["errors"] == errors


LONG = "1" * 4301
"""Past Python's int-string limit (4,300 digits); PHP's and Laravel's numbers have none."""


def test_numbers_past_pythons_digit_limit_get_laravels_422(client, tenant) -> None:
    query = f"assistant_id={LONG}&campaign_id=-{LONG}&per_page={LONG}&page=-{LONG}"
    body = invalid(tenant, client, query)
    assert body == {
        "message": "The assistant id field must be an integer. (and 5 more errors)",
        "errors": {
            "assistant_id": ["The assistant id field must be an integer."],
            "campaign_id": ["The campaign id field must be an integer."],
            "per_page": [
                "The per page field must be an integer.",
                "The per page field must not be greater than 100.",
            ],
            "page": ["The page field must be an integer.", "The page field must be at least 1."],
        },
    }
    assert invalid(tenant, client, f"page={LONG}")["errors"] == {
        "page": ["The page field must be an integer."]
    }
    assert invalid(tenant, client, f"page=1e{LONG}")["errors"] == {
        "page": ["The page field must be an integer."]
    }


def test_parameter_names_past_pythons_digit_limit_are_unknown_names(client, tenant) -> None:
    assert tenant.get(client, f"{URL}?{LONG}=1&a[{LONG}]=2").status_code == 200


def test_phone_number_whitespace_is_pcres_ascii_set(client, tenant) -> None:
    """``\\s`` without ``/u``: tab, line feed, vertical tab, form feed, carriage return, space."""
    for inner in ("%09", "%0A", "%0B", "%0C", "%0D", "+", "%20%09"):
        response = tenant.get(client, f"{URL}?phone_number=1{inner}2{inner}3")
        assert response.status_code == 200, inner
    for inner in ("%C2%A0", "%C2%85", "%E2%80%83", "%E2%80%8B", "%1F"):
        body = invalid(tenant, client, f"phone_number=1{inner}2{inner}3")
        assert body["errors"] == {"phone_number": ["The phone number field format is invalid."]}
