"""Hostile input at every way in: refused with a clear 422 when the read side could not
serve it (or a column could not hold it), on both backends alike; served back otherwise."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from callvault.assistants.models import Assistant
from callvault.calls.models import Call
from callvault.ingest.records import MAX_JSON_DEPTH, parse_call
from callvault.ingest.service import ingest_calls
from callvault.webhooks.models import WebhookDelivery
from tests.conftest import read_session
from tests.ingest.conftest import call_payload, event, nested, with_deep


def stored_calls(db) -> int:
    with read_session(db) as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


def test_read_side_limit_is_php_json_encode_depth_in_a_list_page() -> None:
    """``json_encode``'s default depth is 512; a list page holds a field's value inside the
    page, its ``data`` and the item: 3 levels."""
    assert MAX_JSON_DEPTH == 512 - 3


@pytest.mark.parametrize(
    ("field", "leaf"),
    # a 20-digit integer is read back by the standard library, non-ASCII printed by it
    [("variables", "deep"), ("evaluation", 10**20), ("webhook_response", "ünï 👋")],
)
def test_json_as_deep_as_a_page_can_print_is_stored_and_served(
    client, tenant, hook, field, leaf
) -> None:
    value = nested(MAX_JSON_DEPTH, leaf)
    response = hook.post(client, event("call.completed", call_payload(1, **{field: value})))
    assert response.status_code == 200, response.text
    one = tenant.get(client, "/api/user/calls/1")
    assert one.status_code == 200
    assert one.json()[field] == value
    page = tenant.get(client, "/api/user/calls")
    assert page.status_code == 200
    assert page.json()["data"][0][field] == value


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 998])
@pytest.mark.parametrize("field", ["variables", "evaluation", "webhook_response"])
def test_json_deeper_than_a_page_can_print_is_refused(client, tenant, hook, db, field, depth):
    raw = with_deep(event("call.completed", call_payload(1)), field, depth)
    response = hook.post(client, None, raw=raw)
    assert response.status_code == 422
    message = (
        f"The call.{field.replace('_', ' ')} field must not be nested more than 509 levels deep."
    )
    assert response.json() == {"message": message, "errors": {f"call.{field}": [message]}}
    assert stored_calls(db) == 0
    assert tenant.get(client, "/api/user/calls").status_code == 200


BIGINT = 2**63 - 1
UTC = ZoneInfo("UTC")
BEFORE_END = "must be a date before 9999-12-31 00:00:00 UTC."
AFTER_START = "must be a date after or equal to 0001-01-02 00:00:00 UTC."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("created_at", "9999-12-31T23:59:59-14:00", f"The call.created at field {BEFORE_END}"),
        ("created_at", "0001-01-01T00:00:00+14:00", f"The call.created at field {AFTER_START}"),
        ("updated_at", "9999-12-31 00:00:00", f"The call.updated at field {BEFORE_END}"),
        ("updated_at", "0001-01-01T23:59:59Z", f"The call.updated at field {AFTER_START}"),
        ("id", 2**63, f"The call.id field must not be greater than {BIGINT}."),
        ("id", 10**30, f"The call.id field must not be greater than {BIGINT}."),
        ("assistant_id", 2**63, f"The call.assistant id field must not be greater than {BIGINT}."),
        (
            "campaign_id",
            -(2**63) - 1,
            f"The call.campaign id field must be at least {-BIGINT - 1}.",
        ),
        ("duration", 2**31, "The call.duration field must not be greater than 2147483647."),
        ("duration", -(2**31) - 1, "The call.duration field must be at least -2147483648."),
    ],
)
def test_values_no_column_or_page_can_hold_are_422(client, tenant, hook, db, field, value, message):
    response = hook.post(client, event("call.completed", call_payload(1, **{field: value})))
    assert response.status_code == 422, response.text
    assert response.json() == {"message": message, "errors": {f"call.{field}": [message]}}
    assert stored_calls(db) == 0
    with read_session(db) as session:
        logged = session.execute(select(WebhookDelivery.status_code, WebhookDelivery.call_id)).all()
    assert logged == [(422, 1 if field != "id" else None)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "9999-12-30T23:59:59Z"),
        ("created_at", "9999-12-31T05:00:00+14:00"),
        ("created_at", "0001-01-02T00:00:00Z"),
        ("updated_at", "0001-01-01T23:00:00-01:00"),
        ("id", BIGINT),
        ("assistant_id", BIGINT),
        ("campaign_id", -BIGINT - 1),
        ("duration", 2**31 - 1),
        ("duration", -(2**31)),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_extremes_the_columns_hold_are_served_in_any_display_timezone(
    app_factory, tenant, hook, field, value, zone
) -> None:
    """The stored UTC time is printed in the display timezone (up to ±14 hours away, and
    it may change later): the accepted range leaves a day at each end."""
    client = app_factory(display_timezone=zone)
    call_id = value if field == "id" else 1
    response = hook.post(client, event("call.completed", call_payload(call_id, **{field: value})))
    assert response.status_code == 200, response.text
    one = tenant.get(client, f"/api/user/calls/{call_id}")
    assert one.status_code == 200
    if field == "duration":
        assert one.json()["duration"] == value
    page = tenant.get(client, "/api/user/calls")
    assert page.status_code == 200
    assert [item["id"] for item in page.json()["data"]] == [call_id]


def test_an_event_id_or_type_with_nul_is_logged_without_it(client, tenant, hook, db) -> None:
    """PostgreSQL text cannot hold U+0000: the log keeps the body's hash and a readable type."""
    valid = event("call.completed", call_payload(1), event_id="evt\x00one")
    response = hook.post(client, valid)
    assert response.status_code == 200, response.text
    assert response.json()["event"].startswith("sha256:")
    invalid = event("call.\x00done", call_payload(2), event_id="evt\x00two")
    response = hook.post(client, invalid)
    assert response.status_code == 422
    assert response.json()["errors"] == {"event": ["The selected event is invalid."]}
    with read_session(db) as session:
        logged = session.execute(
            select(WebhookDelivery.event_type, WebhookDelivery.status_code).order_by(
                WebhookDelivery.id
            )
        ).all()
    assert logged == [("call.completed", 200), ("call.\ufffddone", 422)]


def test_a_name_only_reference_after_the_largest_id_gets_a_free_id(client, tenant, hook):
    """The next free id after the column's largest value is the lowest unused one."""
    first = call_payload(1, assistant_id=BIGINT, campaign_id=BIGINT)
    assert hook.post(client, event("call.completed", first)).status_code == 200
    second = call_payload(
        2, assistant_id=None, assistant_name="New Bot", campaign_id=None, campaign_name="New"
    )
    response = hook.post(client, event("call.completed", second))
    assert response.status_code == 200, response.text
    page = tenant.get(client, "/api/user/calls").json()["data"]
    assert [(i["id"], i["assistant_name"], i["campaign_name"]) for i in page] == [
        (2, "New Bot", "New"),
        (1, "Sales Assistant", "Q4 Outreach"),
    ]
    filtered = tenant.get(client, "/api/user/calls?assistant_id=1&campaign_id=1").json()
    assert [i["id"] for i in filtered["data"]] == [2]


def test_free_ids_fill_the_lowest_gaps_once_the_largest_id_is_taken(tenant) -> None:
    taken = [
        parse_call(call_payload(n, assistant_id=ref), UTC)
        for n, ref in enumerate([1, 2, 4, BIGINT], 1)
    ]
    named = [
        parse_call(call_payload(10 + n, assistant_id=None, assistant_name=f"Bot {n}"), UTC)
        for n in range(3)
    ]
    with tenant.write() as view:
        ingest_calls(view, taken)
    with tenant.write() as view:
        ingest_calls(view, named)
    with read_session(tenant.db) as session:
        ids = dict(session.execute(select(Assistant.name, Assistant.id)).all())
    assert [ids[f"Bot {n}"] for n in range(3)] == [3, 5, 6]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/webhooks/calls/whe_%00x"),
        ("post", "/api/user/webhooks/whe_%00x/rotate"),
        ("delete", "/api/user/webhooks/whe_%00x"),
        ("get", "/api/user/webhooks/whe_%00x/deliveries"),
    ],
)
@pytest.mark.parametrize("valid", [True, False])
def test_an_endpoint_id_with_nul_is_unknown(client, tenant, hook, method, path, valid) -> None:
    """PostgreSQL refuses a NUL even in a lookup's parameter: 404 there too, not 500."""
    if path.startswith("/api/webhooks/"):
        hook.path = path
        call = call_payload(1) if valid else {"id": 1}
        response = hook.post(client, event("call.completed", call))
    else:
        response = getattr(client, method)(path, headers=tenant.headers)
    assert (response.status_code, response.json()) == (
        404,
        {"message": "Unknown webhook endpoint."},
    )
