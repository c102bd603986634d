"""Each filter alone, combined, and the calendar-day boundaries in UTC and elsewhere."""

from __future__ import annotations

from datetime import datetime

import pytest

URL = "/api/user/calls"


def ids(tenant, client, query: str) -> list[int]:
    response = tenant.get(client, f"{URL}?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["data"])
    return [item["id"] for item in body["data"]]


@pytest.fixture
def calls(tenant):
    """Six calls, one hour apart (id 6 newest), varied on every filterable field."""
    tenant.add_assistant(1, "Sales")
    tenant.add_assistant(2, "Support")
    tenant.add_campaign(10, "Q4")
    rows = [
        (1, "completed", "outbound", 1, 10, "+19876543210"),
        (2, "failed", "inbound", 2, None, "+44 20 7946 0958"),
        (3, "completed", "inbound", 1, None, "+359888123456"),
        (4, "no-answer", "outbound", 2, 10, "+19876543211"),
        (5, "in-progress", "web", 1, None, None),
        (6, "ended_by_customer", "outbound", None, 10, "(987) 654-3210"),
    ]
    for call_id, status, kind, assistant, campaign, phone in rows:
        tenant.add_call(
            id=call_id,
            status=status,
            type=kind,
            assistant_id=assistant,
            campaign_id=campaign,
            client_phone_number=phone,
            created_at=datetime(2025, 8, 4, call_id, 0, 0),
        )
    return tenant


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [6, 5, 4, 3, 2, 1]),
        ("status=completed", [3, 1]),
        ("status=in-progress", [5]),
        ("status=busy", []),
        ("type=inbound", [3, 2]),
        ("type=web", [5]),
        ("assistant_id=1", [5, 3, 1]),
        ("assistant_id=%2B2", [4, 2]),
        ("assistant_id=99", []),
        ("campaign_id=10", [6, 4, 1]),
        ("campaign_id=-0", []),
        ("phone_number=%2B1+(987)+654-3210", [1]),
        ("phone_number=19876543210", [1]),
        ("phone_number=654-3210", [6, 1]),
        ("phone_number=987", [6, 4, 1]),
        ("phone_number=359.888", [3]),
        ("phone_number=20+7946", [2]),
        ("phone_number=000", []),
        ("phone_number=654%093210", [6, 1]),
        ("phone_number=%2B1%0A(987)%0D%0A654%0B3210%0C", [1]),
        ("status=completed&type=outbound", [1]),
        ("type=outbound&campaign_id=10&assistant_id=2", [4]),
        ("status=completed&assistant_id=1&phone_number=359", [3]),
        ("type=outbound&phone_number=654-321&date_from=2025-08-04&date_to=2025-08-04", [6, 4, 1]),
    ],
)
def test_filters(client, calls, query: str, expected: list[int]) -> None:
    assert ids(calls, client, query) == expected


def test_page_urls_keep_the_phone_numbers_whitespace(client, calls) -> None:
    body = calls.get(client, f"{URL}?phone_number=654%093210%0A").json()
    assert body["first_page_url"] == (
        "http://localhost/api/user/calls?phone_number=654%093210&page=1"
    )


def test_empty_and_blank_filters_are_absent(client, calls) -> None:
    everything = [6, 5, 4, 3, 2, 1]
    assert ids(calls, client, "status=&type=%20&phone_number=%E2%80%8B&assistant_id=") == everything
    assert ids(calls, client, "date_from=&date_to=%09&per_page=&page=") == everything


def test_filter_values_are_trimmed(client, calls) -> None:
    assert ids(calls, client, "status=%20completed%C2%A0&type=%EF%BB%BFinbound") == [3]


def test_unknown_parameters_are_ignored(client, calls) -> None:
    assert ids(calls, client, "foo=bar&sort=asc&status[x=1") == [6, 5, 4, 3, 2, 1]


def test_repeated_parameter_takes_the_last_value(client, calls) -> None:
    assert ids(calls, client, "status=failed&status=completed") == [3, 1]
    assert ids(calls, client, "status=failed&status=") == [6, 5, 4, 3, 2, 1]


def test_mangled_names_filter(client, calls) -> None:
    assert ids(calls, client, "assistant.id=2") == [4, 2]
    assert ids(calls, client, "campaign+id=10") == [6, 4, 1]
    body = calls.get(client, f"{URL}?per.page=2").json()
    assert (body["per_page"], body["last_page"], len(body["data"])) == (2, 3, 2)
    assert body["next_page_url"] == "http://localhost/api/user/calls?per_page=2&page=2"


@pytest.fixture
def around_midnight(tenant):
    """Calls around the UTC day 2025-08-04 (and 21:00 UTC, which is Sofia's midnight)."""
    moments = {
        1: datetime(2025, 8, 3, 23, 59, 59),
        2: datetime(2025, 8, 4, 0, 0, 0),
        3: datetime(2025, 8, 4, 20, 59, 59),
        4: datetime(2025, 8, 4, 21, 0, 0),
        5: datetime(2025, 8, 4, 23, 59, 59),
        6: datetime(2025, 8, 5, 0, 0, 0),
    }
    for call_id, moment in moments.items():
        tenant.add_call(id=call_id, created_at=moment)
    return tenant


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2025-08-04", [6, 5, 4, 3, 2]),
        ("date_to=2025-08-04", [5, 4, 3, 2, 1]),
        ("date_from=2025-08-04&date_to=2025-08-04", [5, 4, 3, 2]),
        ("date_from=2025-08-05", [6]),
        ("date_to=2025-08-03", [1]),
        ("date_from=2025-08-06", []),
        ("date_from=0000-01-01&date_to=9999-12-31", [6, 5, 4, 3, 2, 1]),
        ("date_to=0000-01-01", []),
    ],
)
def test_day_boundaries_in_utc(client, around_midnight, query: str, expected: list[int]) -> None:
    assert ids(around_midnight, client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2025-08-04&date_to=2025-08-04", [3, 2, 1]),
        ("date_from=2025-08-05&date_to=2025-08-05", [6, 5, 4]),
        ("date_to=2025-08-03", []),
        ("date_from=2025-08-05", [6, 5, 4]),
    ],
)
def test_day_boundaries_in_sofia(app_factory, around_midnight, query: str, expected) -> None:
    client = app_factory(display_timezone="Europe/Sofia")
    assert ids(around_midnight, client, query) == expected


def test_printed_dates_agree_with_the_filtered_day(app_factory, around_midnight) -> None:
    client = app_factory(display_timezone="Europe/Sofia")
    body = around_midnight.get(client, f"{URL}?date_from=2025-08-05&date_to=2025-08-05").json()
    assert [item["created_at"] for item in body["data"]] == [
        "2025-08-05 03:00:00",
        "2025-08-05 02:59:59",
        "2025-08-05 00:00:00",
    ]


def test_winter_offset_in_sofia(app_factory, tenant) -> None:
    client = app_factory(display_timezone="Europe/Sofia")
    tenant.add_call(id=1, created_at=datetime(2025, 1, 14, 21, 59, 59))
    tenant.add_call(id=2, created_at=datetime(2025, 1, 14, 22, 0, 0))
    assert ids(tenant, client, "date_from=2025-01-15&date_to=2025-01-15") == [2]
