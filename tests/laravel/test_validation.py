"""The validator: rule semantics, Laravel 10 messages, dedup, and the summary line."""

from __future__ import annotations

import pytest

from callvault.calls.schemas import LIST_RULES
from callvault.laravel.dates import create_from_ymd, matches_ymd, parse_date
from callvault.laravel.query import QueryValue
from callvault.laravel.validation import ValidationResult, validate

PER_PAGE_INT = "The per page field must be an integer."
PER_PAGE_MIN = "The per page field must be at least 1."
PER_PAGE_MAX = "The per page field must not be greater than 100."
PAGE_INT = "The page field must be an integer."
PAGE_MIN = "The page field must be at least 1."
PHONE_STRING = "The phone number field must be a string."
PHONE_FORMAT = "The phone number field format is invalid."
DATE_FROM_FORMAT = "The date from field must match the format Y-m-d."
DATE_TO_FORMAT = "The date to field must match the format Y-m-d."
DATE_TO_ORDER = "The date to field must be a date after or equal to date from."


def errors(**data: QueryValue) -> dict[str, list[str]]:
    table: dict[int | str, QueryValue] = {key: value for key, value in data.items()}
    return validate(table, LIST_RULES).errors


def test_valid_and_absent_fields_pass() -> None:
    assert errors() == {}
    assert errors(status=None, page=None, per_page="100", page_="x") == {}


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        ("15", []),
        ("+5", []),
        ("100", []),
        ("1", []),
        ("0", [PER_PAGE_MIN]),
        ("-0", [PER_PAGE_MIN]),
        ("-3", [PER_PAGE_MIN]),
        ("101", [PER_PAGE_MAX]),
        ("abc", [PER_PAGE_INT]),
        ("1.5", [PER_PAGE_INT]),
        ("0.5", [PER_PAGE_INT, PER_PAGE_MIN]),
        ("1e3", [PER_PAGE_INT, PER_PAGE_MAX]),
        ("1e1", [PER_PAGE_INT]),
        ("1e-5", [PER_PAGE_INT, PER_PAGE_MIN]),
        ("100.0000000000000000001", [PER_PAGE_INT, PER_PAGE_MAX]),
        ("007", [PER_PAGE_INT]),
        ("0x10", [PER_PAGE_INT]),
        ("99999999999999999999", [PER_PAGE_INT, PER_PAGE_MAX]),
        ("a" * 101, [PER_PAGE_INT, PER_PAGE_MAX]),  # not numeric: its length is its size
        ({0: "5"}, [PER_PAGE_INT]),  # an array's size is its count
        ({0: "5", 1: "6"}, [PER_PAGE_INT]),
    ],
)
def test_per_page(value: QueryValue, messages: list[str]) -> None:
    assert errors(per_page=value).get("per_page", []) == messages


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        ("1", []),
        ("+2", []),
        ("9223372036854775807", []),
        ("0", [PAGE_MIN]),
        ("-1", [PAGE_MIN]),
        ("9223372036854775808", [PAGE_INT]),
        ("x", [PAGE_INT]),
        ("1.0", [PAGE_INT]),
        ("0.9", [PAGE_INT, PAGE_MIN]),
    ],
)
def test_page(value: str, messages: list[str]) -> None:
    assert errors(page=value).get("page", []) == messages


LONG = "1" * 4301
"""Past Python's int-string limit (4,300 digits); PHP's and Laravel's numbers have none."""


@pytest.mark.parametrize(
    ("field", "value", "messages"),
    [
        ("page", LONG, [PAGE_INT]),
        ("page", "+" + LONG, [PAGE_INT]),
        ("page", "-" + LONG, [PAGE_INT, PAGE_MIN]),
        ("page", "0." + LONG, [PAGE_INT, PAGE_MIN]),
        ("page", "1e" + LONG, [PAGE_INT]),
        ("page", "1e-" + LONG, [PAGE_INT, PAGE_MIN]),
        ("per_page", LONG, [PER_PAGE_INT, PER_PAGE_MAX]),
        ("per_page", "-" + LONG, [PER_PAGE_INT, PER_PAGE_MIN]),
        ("per_page", LONG + ".5", [PER_PAGE_INT, PER_PAGE_MAX]),
        ("per_page", "0" * 4301 + "5", [PER_PAGE_INT]),  # 5, written with leading zeros
    ],
)
def test_numbers_past_pythons_digit_limit_get_laravels_messages(
    field: str, value: str, messages: list[str]
) -> None:
    assert errors(**{field: value}) == {field: messages}


@pytest.mark.parametrize("field", ["assistant_id", "campaign_id"])
@pytest.mark.parametrize("value", [LONG, "-" + LONG])
def test_ids_past_pythons_digit_limit_are_not_integers(field: str, value: str) -> None:
    label = field.replace("_", " ")
    assert errors(**{field: value}) == {field: [f"The {label} field must be an integer."]}


def test_exponent_beyond_a_thousand_is_a_clear_422_not_laravels_500() -> None:
    assert errors(per_page="1e1001")["per_page"] == [
        "The per page field must be an integer.",
        "The per page field must not be greater than 100.",
    ]
    assert errors(page="1E-1001")["page"] == [
        "The page field must be an integer.",
        "The page field must be at least 1.",
    ]


@pytest.mark.parametrize("field", ["assistant_id", "campaign_id"])
@pytest.mark.parametrize("value", ["+5", "-0", "0", "-12", "9223372036854775807"])
def test_ids_accept_php_integers(field: str, value: str) -> None:
    assert errors(**{field: value}) == {}


@pytest.mark.parametrize("field", ["assistant_id", "campaign_id"])
@pytest.mark.parametrize("value", ["007", "1.0", "1e1", "0x10", "abc", "9223372036854775808", {}])
def test_ids_reject_everything_else(field: str, value: QueryValue) -> None:
    label = field.replace("_", " ")
    assert errors(**{field: value}) == {field: [f"The {label} field must be an integer."]}


@pytest.mark.parametrize("field", ["status", "type"])
def test_enumerations(field: str) -> None:
    assert errors(**{field: "nope"}) == {field: [f"The selected {field} is invalid."]}
    array: QueryValue = {0: "completed"}
    assert errors(**{field: array}) == {field: [f"The selected {field} is invalid."]}


@pytest.mark.parametrize(
    "status",
    [
        "initiated",
        "ringing",
        "busy",
        "in-progress",
        "ended",
        "completed",
        "ended_by_customer",
        "ended_by_assistant",
        "no-answer",
        "failed",
    ],
)
def test_every_seed_status_is_accepted(status: str) -> None:
    assert errors(status=status) == {}


def test_enumerations_are_case_sensitive() -> None:
    assert "status" in errors(status="Completed")
    assert "type" in errors(type="WEB")


@pytest.mark.parametrize(
    "phone",
    [
        "123",
        "+1 (987) 654-3210",
        "19876543210",
        "654-3210",
        "1.2.3",
        "1" * 32,
        "+" + "1" * 32,
        # PCRE's \s (no /u): every ASCII whitespace, inside the value as well
        "1\t2\t3",
        "+1\n987\r\n654\x0b3210",
        "1\x0c2 3",
        "+\t123",
        "1" + "\t" * 29 + "23",
    ],
)
def test_phone_numbers_accepted(phone: str) -> None:
    assert errors(phone_number=phone) == {}


@pytest.mark.parametrize(
    "phone",
    [
        "12",
        "1-2",
        "+-()",
        "1" * 33,
        "12a3",
        "1+23",
        "++123",
        "１２３",
        "12 ",
        "(1)",
        "1\t2\t",  # whitespace is a non-digit: two digits only
        "1" + "\t" * 30 + "23",  # 33 characters
        # Unicode whitespace is not PCRE's \s without /u
        "1\u00a02\u00a03",
        "1\x852\x853",
        "1\u20032\u20033",
        "1\u200b23",
        "1\x1f23",
    ],
)
def test_phone_numbers_rejected_once_even_when_both_patterns_fail(phone: str) -> None:
    assert errors(phone_number=phone) == {"phone_number": [PHONE_FORMAT]}


def test_phone_number_array_is_neither_string_nor_format() -> None:
    assert errors(phone_number={0: "123"}) == {"phone_number": [PHONE_STRING, PHONE_FORMAT]}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2025-08-04", True),
        ("2024-02-29", True),
        ("0000-01-01", True),
        ("9999-12-31", True),
        ("2025-02-29", False),
        ("2025-02-30", False),
        ("2025-13-01", False),
        ("2025-00-10", False),
        ("2025-2-5", False),
        ("25-02-05", False),
        ("2025/02/05", False),
        ("2025-02-05 10:00", False),
        ("20250205", False),
        ("x2025-02-05", False),
        ("today", False),
    ],
)
def test_date_format(value: str, ok: bool) -> None:
    assert matches_ymd(value) is ok
    assert ("date_from" not in errors(date_from=value)) is ok


def test_create_from_format_rolls_over_like_php() -> None:
    parsed = create_from_ymd("2025-02-30")
    assert parsed is not None
    assert parsed.ymd() == "2025-03-02"
    rolled = create_from_ymd("2025-13-00")
    assert rolled is not None
    assert rolled.ymd() == "2025-12-31"
    assert create_from_ymd("2025-1-5") is not None
    assert create_from_ymd("12025-01-05") is None


def test_parse_date_falls_back_to_common_layouts() -> None:
    assert parse_date("2025/08/04") == parse_date("2025-08-04")
    later = parse_date("2025-08-04 10:30")
    assert later is not None
    assert later > parse_date("2025-08-04")  # type: ignore[operator]
    assert parse_date("not a date") is None


@pytest.mark.parametrize(
    ("date_from", "date_to", "messages"),
    [
        ("2025-08-04", "2025-08-04", []),
        ("2025-08-04", "2025-08-05", []),
        ("2025-08-05", "2025-08-04", [DATE_TO_ORDER]),
        ("2025-02-30", "2025-03-01", [DATE_TO_ORDER]),  # date_from rolls over to 03-02
        (None, "2025-08-04", []),
        ("nope", "2025-08-04", [DATE_TO_ORDER]),
        ("2025-08-04", "nope", [DATE_TO_FORMAT, DATE_TO_ORDER]),
        ("2025-08-04", "2025-02-30", [DATE_TO_FORMAT, DATE_TO_ORDER]),
        ("2025-01-01", "2025-02-30", [DATE_TO_FORMAT]),  # lenient parse: 03-02 is after
        ("2025-08-04", "2025/08/05", [DATE_TO_FORMAT]),
        (None, "nope", [DATE_TO_FORMAT]),
        (None, {0: "2025-08-04"}, [DATE_TO_FORMAT, DATE_TO_ORDER]),
    ],
)
def test_date_to_after_or_equal(
    date_from: str | None, date_to: QueryValue, messages: list[str]
) -> None:
    result = errors(date_from=date_from, date_to=date_to)
    assert result.get("date_to", []) == messages


def test_date_from_array_fails_date_to_order_instead_of_laravels_500() -> None:
    result = errors(date_from={0: "2025-08-04"}, date_to="2025-08-05")
    assert result["date_from"] == ["The date from field must match the format Y-m-d."]
    assert result["date_to"] == ["The date to field must be a date after or equal to date from."]


def test_error_keys_follow_rule_order_not_input_order() -> None:
    result = errors(page="0", per_page="0", type="x", status="x", assistant_id="x")
    assert list(result) == ["status", "type", "assistant_id", "per_page", "page"]


@pytest.mark.parametrize(
    ("errors_by_field", "summary"),
    [
        ({}, "The given data was invalid."),
        ({"a": ["One."]}, "One."),
        ({"a": ["One.", "Two."]}, "One. (and 1 more error)"),
        ({"a": ["One."], "b": ["Two.", "Three."]}, "One. (and 2 more errors)"),
    ],
)
def test_summary(errors_by_field: dict[str, list[str]], summary: str) -> None:
    assert ValidationResult(errors_by_field).summary() == summary


def test_summary_counts_every_message_of_every_field() -> None:
    result = validate(
        {"status": "x", "per_page": "0.5", "date_from": "2025-08-09", "date_to": "x"},
        LIST_RULES,
    )
    assert result.summary() == "The selected status is invalid. (and 4 more errors)"
