"""Concurrent writers naming new assistants and campaigns: one row per name, right links."""

from __future__ import annotations

import threading
import time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from callvault.assistants.models import Assistant
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign
from callvault.db.database import Database
from callvault.ingest.records import parse_call
from callvault.ingest.service import ingest_calls
from tests.conftest import read_session, tenant_write
from tests.ingest.conftest import call_payload

UTC = ZoneInfo("UTC")


def _named(call_id: int, suffix: str):
    payload = call_payload(call_id, assistant_name=f"Bot {suffix}", campaign_name=f"Drive {suffix}")
    del payload["assistant_id"], payload["campaign_id"]
    return parse_call(payload, UTC)


def _links(db: Database, user_id: int) -> dict[int, tuple[str, str]]:
    with read_session(db) as session:
        rows = session.execute(
            select(Call.id, Assistant.name, Campaign.name)
            .join(
                Assistant, (Assistant.user_id == Call.user_id) & (Assistant.id == Call.assistant_id)
            )
            .join(Campaign, (Campaign.user_id == Call.user_id) & (Campaign.id == Call.campaign_id))
            .where(Call.user_id == user_id)
        ).all()
        names = session.scalars(select(Assistant.name).where(Assistant.user_id == user_id)).all()
    assert sorted(names) == sorted(set(names)), f"an assistant name was stored twice: {names}"
    return {call_id: (assistant, campaign) for call_id, assistant, campaign in rows}


def test_a_writer_naming_new_records_while_another_is_open(db, tenant) -> None:
    """The second writer reads the names while the first has not committed: it must not
    take the first one's new ids (it waits for them instead)."""
    user_id = tenant.user.id
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with tenant_write(db, user_id) as view:
                ingest_calls(view, [_named(2, "B")])
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    with tenant_write(db, user_id) as view:
        ingest_calls(view, [_named(1, "A")])
        writer = threading.Thread(target=second)
        writer.start()
        time.sleep(0.5)  # the second writer reads and allocates while this one is open
    writer.join(timeout=30)
    assert not failures
    assert _links(db, user_id) == {1: ("Bot A", "Drive A"), 2: ("Bot B", "Drive B")}


def test_many_writers_naming_new_records_at_once(db, tenant) -> None:
    user_id = tenant.user.id
    writers, rounds = 6, 5
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for round_ in range(rounds):
                call_id = 1 + worker * rounds + round_
                if round_ == 0:
                    start.wait(timeout=30)
                with tenant_write(db, user_id) as view:
                    ingest_calls(view, [_named(call_id, str(call_id))])
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    expected = {n: (f"Bot {n}", f"Drive {n}") for n in range(1, writers * rounds + 1)}
    assert _links(db, user_id) == expected
