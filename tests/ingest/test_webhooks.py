"""Signed deliveries: signature rules, ordering, duplicates, isolation, 413/422, the log."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from callvault.calls.models import Call
from callvault.webhooks.models import WebhookDelivery
from tests.conftest import read_session
from tests.ingest.conftest import call_payload, event, make_hook


def _calls(tenant, client):
    return tenant.get(client, "/api/user/calls?per_page=100").json()["data"]


def test_completed_call_is_stored_as_the_list_shows_it(client, tenant, hook) -> None:
    payload = call_payload(1042)
    response = hook.post(client, event("call.completed", payload, "evt_1"))
    assert response.status_code == 200
    assert response.json()["outcome"] == "created"
    item = tenant.get(client, "/api/user/calls/1042").json()
    expected = {k: v for k, v in payload.items() if k not in ("assistant_id", "campaign_id")}
    assert item == expected


def test_started_after_completed_does_not_move_the_call_back(client, tenant, hook) -> None:
    done = call_payload(5, status="completed", updated_at="2025-08-04 14:34:05")
    started = call_payload(
        5,
        status="in-progress",
        transcript=None,
        duration=None,
        updated_at="2025-08-04 14:40:00",  # a skewed clock must not win over the rank
        assistant_phone_number="+1000000000",
    )
    assert hook.post(client, event("call.completed", done)).status_code == 200
    response = hook.post(client, event("call.started", started))
    assert response.status_code == 200
    assert response.json()["outcome"] == "unchanged"
    item = tenant.get(client, "/api/user/calls/5").json()
    assert item["status"] == "completed"
    assert item["transcript"] == "Hello…"
    assert item["duration"] == 245
    assert item["assistant_phone_number"] == "+1234567890"
    assert item["updated_at"] == "2025-08-04 14:34:05"


def test_later_event_non_null_fields_win_and_older_fill_nulls(client, tenant, hook) -> None:
    started = call_payload(
        9, status="in-progress", transcript=None, total_cost=None, answered_by="human"
    )
    started["updated_at"] = "2025-08-04 14:30:10"
    done = call_payload(9, status="completed", answered_by=None, transcript="Final words")
    assert hook.post(client, event("call.started", started)).json()["outcome"] == "created"
    assert hook.post(client, event("call.completed", done)).json()["outcome"] == "updated"
    item = tenant.get(client, "/api/user/calls/9").json()
    assert item["status"] == "completed"
    assert item["transcript"] == "Final words"
    assert item["answered_by"] == "human"  # the newer event left it null
    assert item["total_cost"] == 0.025


def test_same_rank_later_updated_at_wins(client, tenant, hook) -> None:
    first = call_payload(3, status="ended", updated_at="2025-08-04 14:35:00", duration=10)
    second = call_payload(3, status="completed", updated_at="2025-08-04 14:36:00", duration=20)
    hook.post(client, event("call.completed", second))
    hook.post(client, event("call.completed", first))
    item = tenant.get(client, "/api/user/calls/3").json()
    assert (item["status"], item["duration"]) == ("completed", 20)


def test_duplicate_delivery_changes_nothing_and_answers_200(client, tenant, hook, db) -> None:
    body = event("call.completed", call_payload(11), "evt_dup")
    assert hook.post(client, body).json()["outcome"] == "created"
    with read_session(db) as session:
        before = session.execute(select(Call)).scalars().one()
        before_values = {c.name: getattr(before, c.name) for c in Call.__table__.columns}
    for _ in range(3):
        response = hook.post(client, body)
        assert response.status_code == 200
        assert response.json()["outcome"] == "unchanged"
    with read_session(db) as session:
        after = session.execute(select(Call)).scalars().one()
        assert {c.name: getattr(after, c.name) for c in Call.__table__.columns} == before_values
        keys = session.scalars(select(WebhookDelivery.event_key)).all()
    assert keys == ["evt_dup"] * 4


def test_assistants_and_campaigns_are_created_then_renamed(client, tenant, hook) -> None:
    hook.post(client, event("call.started", call_payload(1, status="initiated")))
    hook.post(
        client,
        event("call.completed", call_payload(1, assistant_name="Renamed", campaign_name="Q1")),
    )
    item = tenant.get(client, "/api/user/calls/1").json()
    assert (item["assistant_name"], item["campaign_name"]) == ("Renamed", "Q1")
    assert tenant.get(client, "/api/user/calls?assistant_id=7").json()["total"] == 1


def test_same_call_id_for_two_users_is_two_calls(client, db, tenant, hook, make_tenant) -> None:
    bob = make_tenant("bob@example.com")
    bob_hook = make_hook(db, bob)
    hook.post(client, event("call.completed", call_payload(77, transcript="alice's")))
    bob_hook.post(client, event("call.completed", call_payload(77, transcript="bob's")))
    # alice's later event never touches bob's call
    hook.post(client, event("call.completed", call_payload(77, transcript="alice again")))
    assert tenant.get(client, "/api/user/calls/77").json()["transcript"] == "alice again"
    assert bob.get(client, "/api/user/calls/77").json()["transcript"] == "bob's"


def test_bad_signature_stale_and_future_timestamps_are_401(client, tenant, hook, db) -> None:
    body = event("call.completed", call_payload(1))
    now = int(time.time())
    assert hook.post(client, body, secret="whsec_wrong").status_code == 401
    assert hook.post(client, body, timestamp=now - 310).status_code == 401
    assert hook.post(client, body, timestamp=now + 310).status_code == 401
    assert hook.post(client, body, timestamp=now - 290).status_code == 200
    raw = json.dumps(body).encode()
    for header in ("", "t=abc,v1=00", f"v1={'0' * 64}", f"t={now}"):
        response = client.post(hook.path, content=raw, headers={"Callvault-Signature": header})
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthenticated."}
    with read_session(db) as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_several_v1_entries_and_rotation_grace(client, tenant, hook, db) -> None:
    from callvault.webhooks import service
    from callvault.webhooks.signing import signature

    with tenant.write() as view:
        new_secret = service.rotate_secret(view, hook.id).secret
    body = event("call.completed", call_payload(1))
    assert hook.post(client, body).status_code == 200  # old secret, within the grace period
    assert hook.post(client, body, secret=new_secret).status_code == 200
    raw = json.dumps(body).encode()
    now = int(time.time())
    header = f"t={now},v1={'ab' * 32},v1={signature(new_secret, now, raw)}"
    assert client.post(hook.path, content=raw, headers={"Callvault-Signature": header}).is_success
    from datetime import timedelta

    with tenant.write() as view:
        newest = service.rotate_secret(view, hook.id, timedelta(0)).secret
    assert hook.post(client, body, secret=new_secret).status_code == 401
    assert hook.post(client, body, secret=newest).status_code == 200


def test_unknown_endpoint_is_404(client, tenant, hook) -> None:
    hook.path = "/api/webhooks/calls/whe_nope"
    assert hook.post(client, event("call.completed", call_payload(1))).status_code == 404


def test_invalid_payloads_are_422_in_the_contract_format(client, tenant, hook, db) -> None:
    response = hook.post(client, None, raw=b"{not json")
    assert response.status_code == 422
    assert response.json() == {
        "message": "The request body must be valid JSON.",
        "errors": {"body": ["The request body must be valid JSON."]},
    }
    bad = call_payload(1, status="done", duration="long", variables="x", created_at="yesterday")
    response = hook.post(client, {"event": "call.ended", "call": bad})
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "The selected event is invalid. (and 4 more errors)"
    assert body["errors"] == {
        "event": ["The selected event is invalid."],
        "call.status": ["The selected call.status is invalid."],
        "call.duration": ["The call.duration field must be an integer."],
        "call.variables": ["The call.variables field must be an array."],
        "call.created_at": ["The call.created at field must be a valid date."],
    }
    response = hook.post(client, {"event": "call.started", "call": {"id": True}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"call.id", "call.type", "call.status"}
    with read_session(db) as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 0
        outcomes = session.scalars(select(WebhookDelivery.status_code)).all()
    assert outcomes == [422, 422, 422]


def test_body_over_the_limit_is_413_and_stores_nothing(app_factory, tenant, db) -> None:
    client = app_factory(webhook_max_body_bytes=2048)
    hook = make_hook(db, tenant)
    small = event("call.completed", call_payload(1))
    assert hook.post(client, small).status_code == 200
    big = event("call.completed", call_payload(2, transcript="x" * 4096))
    response = hook.post(client, big)
    assert response.status_code == 413
    assert "2048" in response.json()["message"]
    with read_session(db) as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_timestamps_with_offset_and_without_updated_at(client, tenant, hook) -> None:
    payload = call_payload(4, created_at="2025-08-04T16:30:00+02:00", updated_at=None)
    assert hook.post(client, event("call.completed", payload)).status_code == 200
    item = tenant.get(client, "/api/user/calls/4").json()
    assert item["created_at"] == "2025-08-04 14:30:00"
    assert item["updated_at"] >= "2026-01-01"


def test_endpoint_management_api_and_delivery_log(client, tenant) -> None:
    created = client.post("/api/user/webhooks", json={"name": "crm"}, headers=tenant.headers)
    assert created.status_code == 201
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["url"].endswith(f"/api/webhooks/calls/{endpoint['id']}")
    listed = client.get("/api/user/webhooks", headers=tenant.headers).json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert "secret" not in listed[0]
    from tests.ingest.conftest import Hook

    hook = Hook(endpoint["id"], endpoint["secret"])
    hook.post(client, event("call.started", call_payload(1, status="ringing"), "e1"))
    rotated = client.post(
        f"/api/user/webhooks/{endpoint['id']}/rotate",
        json={"grace_seconds": 60},
        headers=tenant.headers,
    ).json()
    assert rotated["secret"] != endpoint["secret"]
    hook.post(client, event("call.completed", call_payload(1), "e2"), secret=rotated["secret"])
    log = client.get(
        f"/api/user/webhooks/{endpoint['id']}/deliveries", headers=tenant.headers
    ).json()["data"]
    assert [(d["event"], d["type"], d["outcome"]) for d in log] == [
        ("e2", "call.completed", "updated"),
        ("e1", "call.started", "created"),
    ]
    assert client.get("/api/user/webhooks").status_code == 401
    deleted = client.delete(f"/api/user/webhooks/{endpoint['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    assert hook.post(client, event("call.completed", call_payload(1))).status_code == 404


@pytest.mark.parametrize(("proxies", "trusted"), [(["*"], True), (["127.0.0.1"], False)])
def test_endpoint_urls_honour_trusted_proxies(app_factory, tenant, proxies, trusted) -> None:
    """The test client's peer is ``testclient``: only ``*`` trusts it."""
    client = app_factory(trusted_proxies=proxies, allowed_hosts=["localhost", "hooks.example"])
    headers = {**tenant.headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example"}
    created = client.post("/api/user/webhooks", json={"name": "crm"}, headers=headers).json()
    listed = client.get("/api/user/webhooks", headers=headers).json()["data"]
    rotated = client.post(f"/api/user/webhooks/{created['id']}/rotate", headers=headers).json()
    base = "https://hooks.example" if trusted else "http://localhost"
    url = f"{base}/api/webhooks/calls/{created['id']}"
    assert [created["url"], listed[0]["url"], rotated["url"]] == [url, url, url]


def test_another_users_endpoint_is_not_manageable(client, tenant, make_tenant, db) -> None:
    bob = make_tenant("bob@example.com")
    bob_hook = make_hook(db, bob)
    response = client.delete(f"/api/user/webhooks/{bob_hook.id}", headers=tenant.headers)
    assert response.status_code == 404
    response = client.get(f"/api/user/webhooks/{bob_hook.id}/deliveries", headers=tenant.headers)
    assert response.status_code == 404


def test_nan_and_infinity_are_invalid_json_and_never_reach_the_list(
    client, tenant, hook, db
) -> None:
    """Python's json module accepts them; a stored NaN could never be printed again."""
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        raw = (
            b'{"event":"call.completed","call":{"id":1,"type":"web","status":"completed",'
            b'"variables":{"score":' + constant + b"}}}"
        )
        response = hook.post(client, None, raw=raw)
        assert response.status_code == 422, constant
        assert response.json()["errors"] == {"body": ["The request body must be valid JSON."]}
    assert tenant.get(client, "/api/user/calls").json()["total"] == 0


def test_nul_characters_and_unpaired_surrogates_are_422_not_500(client, tenant, hook) -> None:
    """PostgreSQL text cannot hold U+0000 and UTF-8 cannot hold a lone surrogate."""
    response = hook.post(client, event("call.completed", call_payload(1, transcript="a\x00b")))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "call.transcript": ["The call.transcript field must not contain NUL characters."]
    }
    raw = b'{"event":"call.completed","call":{"id":2,"type":"web","status":"ended",'
    raw += b'"transcript":"\\ud83d"}}'
    response = hook.post(client, None, raw=raw)
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["The request body must be valid JSON."]}
    nul_in_json = call_payload(3, variables={"note": "a\x00b"})  # JSON text escapes it
    assert hook.post(client, event("call.completed", nul_in_json)).status_code == 200
    item = tenant.get(client, "/api/user/calls/3").json()
    assert item["variables"] == {"note": "a\x00b"}
    assert tenant.get(client, "/api/user/calls").json()["total"] == 1


def test_integral_json_numbers_are_integers(client, tenant, hook) -> None:
    """``9.0`` is an integer to JSON Schema (the OpenAPI document) and to Laravel."""
    payload = call_payload(9, id=9.0, assistant_id=7.0, campaign_id=-0.0, duration=245.0)
    assert hook.post(client, event("call.completed", payload)).status_code == 200
    [item] = tenant.get(client, "/api/user/calls").json()["data"]
    assert (item["id"], item["duration"], item["assistant_name"]) == (9, 245, "Sales Assistant")
    fraction = call_payload(10, duration=1.5, assistant_id=True)
    response = hook.post(client, event("call.completed", fraction))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "call.assistant_id": ["The call.assistant id field must be an integer."],
        "call.duration": ["The call.duration field must be an integer."],
    }
