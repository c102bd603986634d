"""Store incoming calls: the one path webhooks, imports and syncs share. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from callvault.assistants.models import Assistant
from callvault.calls.upsert import UPSERT_COLUMNS, CallUpsert
from callvault.campaigns.models import Campaign
from callvault.db.base import utcnow
from callvault.ingest.merge import fold, merge, version
from callvault.ingest.records import CallRecord, storage_row
from callvault.ingest.references import OwnedNames

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class IngestResult:
    """What became of each call id of a batch."""

    outcomes: dict[int, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


REFERENCES = (
    (Assistant, "assistant_id", "assistant_name"),
    (Campaign, "campaign_id", "campaign_name"),
)
KnownNames = dict[str, dict[int, str]]


def _link_references(session: Session, user_id: int, records: Sequence[CallRecord]) -> KnownNames:
    """Create the assistants/campaigns the records name; link name-only records by name.

    Returns the stored name of every referenced record, so renames can skip the unchanged.
    """
    known: KnownNames = {}
    for model, id_key, name_attr in REFERENCES:
        owned = OwnedNames(session, user_id, model)
        name_only = {
            getattr(r, name_attr)
            for r in records
            if r.values[id_key] is None and getattr(r, name_attr) is not None
        }
        by_name = owned.ids_by_name(name_only)
        missing = sorted(name_only - by_name.keys())
        if missing:
            first_free = owned.next_id()
            by_name.update({name: first_free + i for i, name in enumerate(missing)})
        wanted: dict[int, str] = {}
        for record in records:
            name = getattr(record, name_attr)
            if record.values[id_key] is None and name is not None:
                record.values[id_key] = by_name[name]
            ref = record.values[id_key]
            if ref is not None and (ref not in wanted or not wanted[ref]):
                wanted[ref] = name or ""
        names = owned.names_of(wanted)
        fresh = {ref: name for ref, name in wanted.items() if ref not in names}
        owned.create_missing({"id": ref, "name": fresh[ref]} for ref in sorted(fresh))
        known[id_key] = {**names, **fresh}
    return known


def _rename_references(
    session: Session, user_id: int, current: Sequence[CallRecord], known: KnownNames
) -> None:
    """Names carried by the newest observation of a call are the record's current name."""
    for model, id_key, name_attr in REFERENCES:
        names = {
            r.values[id_key]: getattr(r, name_attr)
            for r in current
            if r.values[id_key] is not None
            and getattr(r, name_attr) is not None
            and getattr(r, name_attr) != known[id_key].get(r.values[id_key])
        }
        OwnedNames(session, user_id, model).rename(names)


def ingest_calls(session: Session, user_id: int, records: Sequence[CallRecord]) -> IngestResult:
    """Insert or merge ``records`` into the user's calls (see ``ingest.merge`` for the rule)."""
    now = utcnow()
    folded = fold(list(records), now)
    batch = list(folded.values())
    known = _link_references(session, user_id, batch)
    upsert = CallUpsert(session, user_id)
    existing = upsert.lock_existing(folded)
    # In id order, like every lock taken here, so concurrent batches cannot deadlock.
    fresh = sorted(
        (storage_row(r, now) for r in batch if r.id not in existing), key=lambda row: row["id"]
    )
    inserted = upsert.insert_new(fresh)
    raced = [row["id"] for row in fresh if row["id"] not in inserted]
    if raced:
        existing.update(upsert.lock_existing(raced))
    result = IngestResult({call_id: CREATED for call_id in inserted})
    updates: list[dict[str, Any]] = []
    current: list[CallRecord] = [folded[call_id] for call_id in inserted]
    for call_id, stored in existing.items():
        record = folded[call_id]
        merged = merge(stored, record, now)
        if version(record.status, record.values["updated_at"] or now) >= version(
            stored["status"], stored["updated_at"]
        ):
            current.append(record)
        if all(merged[c] == stored[c] for c in UPSERT_COLUMNS):
            result.outcomes[call_id] = UNCHANGED
        else:
            updates.append({"id": call_id, **merged})
            result.outcomes[call_id] = UPDATED
    upsert.update_many(updates)
    _rename_references(session, user_id, current, known)
    session.flush()
    return result
