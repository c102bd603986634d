"""``GET /api/user/calls``: the item shape, the order, the raw JSON bytes."""

from __future__ import annotations

from datetime import datetime

from callvault.calls.fields import ITEM_KEYS

URL = "/api/user/calls"


def test_item_has_seed_keys_types_and_names(client, tenant) -> None:
    tenant.add_assistant(7, "Sales Assistant", "+1234567890")
    tenant.add_campaign(3, "Q4 Outreach Campaign")
    tenant.add_call(
        id=123,
        assistant_id=7,
        campaign_id=3,
        duration=245,
        variables={"customer_name": "John Smith", "interest_level": "high"},
        evaluation={"sentiment": "positive", "score": 8.5},
        webhook_response={"status": "success", "data": {"crm_contact_id": "abc123"}},
        carrier_cost=0.02,
        total_cost=0.025,
        recording_url="https://x.example/rec/123.mp3",
        created_at=datetime(2025, 8, 4, 14, 30, 0),
        updated_at=datetime(2025, 8, 4, 14, 34, 5),
    )
    body = tenant.get(client, URL).json()
    item = body["data"][0]
    assert tuple(item) == ITEM_KEYS
    assert item == {
        "id": 123,
        "assistant_name": "Sales Assistant",
        "campaign_name": "Q4 Outreach Campaign",
        "type": "outbound",
        "duration": 245,
        "assistant_phone_number": "+1234567890",
        "client_phone_number": "+19876543210",
        "status": "completed",
        "transcript": "Hello",
        "variables": {"customer_name": "John Smith", "interest_level": "high"},
        "evaluation": {"sentiment": "positive", "score": 8.5},
        "webhook_response": {"status": "success", "data": {"crm_contact_id": "abc123"}},
        "carrier_cost": 0.02,
        "total_cost": 0.025,
        "answered_by": "human",
        "recording_url": "https://x.example/rec/123.mp3",
        "created_at": "2025-08-04 14:30:00",
        "updated_at": "2025-08-04 14:34:05",
    }
    assert (body["total"], body["per_page"], body["current_page"]) == (1, 15, 1)


def test_web_call_has_nulls_for_absent_values(client, tenant) -> None:
    tenant.add_call(
        type="web",
        assistant_phone_number=None,
        client_phone_number=None,
        duration=None,
        transcript=None,
        carrier_cost=None,
        total_cost=None,
        answered_by=None,
    )
    item = tenant.get(client, URL).json()["data"][0]
    for key in (
        "assistant_name",
        "campaign_name",
        "duration",
        "assistant_phone_number",
        "client_phone_number",
        "transcript",
        "variables",
        "evaluation",
        "webhook_response",
        "carrier_cost",
        "total_cost",
        "answered_by",
        "recording_url",
    ):
        assert item[key] is None, key


def test_newest_first_then_id_descending(client, tenant) -> None:
    same = datetime(2025, 8, 4, 12, 0, 0)
    tenant.add_call(id=5, created_at=same)
    tenant.add_call(id=9, created_at=same)
    tenant.add_call(id=7, created_at=same)
    tenant.add_call(id=1, created_at=datetime(2025, 8, 4, 12, 0, 1))
    tenant.add_call(id=100, created_at=datetime(2025, 8, 3, 23, 59, 59))
    ids = [item["id"] for item in tenant.get(client, URL).json()["data"]]
    assert ids == [1, 9, 7, 5, 100]


def test_tie_break_holds_across_pages(client, tenant) -> None:
    same = datetime(2025, 8, 4, 12, 0, 0)
    for call_id in (3, 1, 4, 5, 2):
        tenant.add_call(id=call_id, created_at=same)
    pages = [
        [item["id"] for item in tenant.get(client, f"{URL}?per_page=2&page={n}").json()["data"]]
        for n in (1, 2, 3)
    ]
    assert pages == [[5, 4], [3, 2], [1]]


def test_raw_bytes_escape_unicode_and_slashes_like_php(client, tenant) -> None:
    tenant.add_call(
        transcript='Здравейте! 😀 "quoted" a/b',
        recording_url="https://r.example/1.mp3",
        variables={"name": "Иван"},
    )
    response = tenant.get(client, URL)
    raw = response.content
    assert response.headers["content-type"] == "application/json"
    assert raw.isascii()
    assert (
        b'"transcript":"\\u0417\\u0434\\u0440\\u0430\\u0432\\u0435\\u0439\\u0442\\u0435! '
        b'\\ud83d\\ude00 \\"quoted\\" a\\/b"'
    ) in raw
    assert b'"recording_url":"https:\\/\\/r.example\\/1.mp3"' in raw
    assert b'"variables":{"name":"\\u0418\\u0432\\u0430\\u043d"}' in raw
    assert b'"path":"http:\\/\\/localhost\\/api\\/user\\/calls"' in raw
    assert response.json()["data"][0]["transcript"] == 'Здравейте! 😀 "quoted" a/b'


def test_whole_number_floats_and_empty_objects_print_like_php(client, tenant) -> None:
    tenant.add_call(carrier_cost=0.0, total_cost=1.0, variables={}, evaluation={"score": 8.0})
    raw = tenant.get(client, URL).content
    assert b'"variables":[],"evaluation":{"score":8}' in raw
    assert b'"carrier_cost":0,"total_cost":1,' in raw


def test_multiline_and_long_transcripts_survive(client, tenant) -> None:
    text = "Agent: Hi\nCustomer: Здрасти\tok\r\n" + "x" * 20000
    tenant.add_call(transcript=text)
    assert tenant.get(client, URL).json()["data"][0]["transcript"] == text


def test_dates_print_in_the_display_timezone(app_factory, tenant) -> None:
    client = app_factory(display_timezone="Europe/Sofia")
    tenant.add_call(
        created_at=datetime(2025, 8, 4, 21, 30, 0), updated_at=datetime(2025, 1, 15, 22, 0, 0)
    )
    item = tenant.get(client, URL).json()["data"][0]
    assert item["created_at"] == "2025-08-05 00:30:00"  # EEST, UTC+3
    assert item["updated_at"] == "2025-01-16 00:00:00"  # EET, UTC+2


def test_head_answers_like_get_without_a_body(client, tenant) -> None:
    tenant.add_call()
    response = client.head(URL, headers=tenant.headers)
    assert response.status_code == 200
    assert response.content == b""


def test_trailing_slash_is_the_same_route_and_path_drops_it(client, tenant) -> None:
    tenant.add_call()
    body = tenant.get(client, f"{URL}/?per_page=1").json()
    assert body["total"] == 1
    assert body["path"] == "http://localhost/api/user/calls"
    assert body["first_page_url"] == "http://localhost/api/user/calls?per_page=1&page=1"
