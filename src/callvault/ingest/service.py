"""Store incoming calls: the one path webhooks, imports and syncs share. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from callvault.calls.upsert import UPSERT_COLUMNS, CallUpsert
from callvault.db.base import utcnow
from callvault.ingest.merge import fold, is_newer, merge
from callvault.ingest.records import CallRecord, storage_row
from callvault.ingest.references import AssistantNames, CampaignNames, OwnedNames
from callvault.unit_of_work import Tenant

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class IngestResult:
    """What became of each call id of a batch."""

    outcomes: dict[int, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


KnownNames = dict[str, dict[int, str]]


@dataclass
class _Links:
    """How a batch's references resolve: ids for name-only records, records to create, and
    the stored name of every referenced record (so renames skip the unchanged)."""

    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    create: dict[str, dict[int, str]] = field(default_factory=dict)
    known: KnownNames = field(default_factory=dict)


def _references(tenant: Tenant) -> tuple[tuple[OwnedNames, str, str], ...]:
    return (
        (AssistantNames.of(tenant), "assistant_id", "assistant_name"),
        (CampaignNames.of(tenant), "campaign_id", "campaign_name"),
    )


def _resolve(tenant: Tenant, records: Sequence[CallRecord]) -> _Links:
    """Read how the records' references resolve now; writes nothing."""
    links = _Links()
    for owned, id_key, name_attr in _references(tenant):
        name_only = {
            getattr(r, name_attr)
            for r in records
            if r.values[id_key] is None and getattr(r, name_attr) is not None
        }
        by_name = owned.ids_by_name(name_only)
        missing = sorted(name_only - by_name.keys())
        if missing:
            by_name.update(zip(missing, owned.free_ids(len(missing)), strict=True))
        wanted: dict[int, str] = {}
        for record in records:
            name = getattr(record, name_attr)
            ref = record.values[id_key]
            if ref is None and name is not None:
                ref = by_name[name]
            if ref is not None and (ref not in wanted or not wanted[ref]):
                wanted[ref] = name or ""
        names = owned.names_of(wanted)
        links.ids[id_key] = by_name
        links.create[id_key] = {ref: name for ref, name in wanted.items() if ref not in names}
        links.known[id_key] = {**names, **links.create[id_key]}
    return links


def _link_references(tenant: Tenant, records: Sequence[CallRecord]) -> KnownNames:
    """Create the assistants/campaigns the records name; link name-only records by name.

    Creating takes the user's names lock first and reads again under it: concurrent writers
    then never pick the same new id, nor create one name twice. Returns the stored name of
    every referenced record, so renames can skip the unchanged.
    """
    links = _resolve(tenant, records)
    if any(links.create.values()):
        tenant.lock_names()
        links = _resolve(tenant, records)
    for owned, id_key, name_attr in _references(tenant):
        for record in records:
            name = getattr(record, name_attr)
            if record.values[id_key] is None and name is not None:
                record.values[id_key] = links.ids[id_key][name]
        fresh = links.create[id_key]
        owned.create_missing({"id": ref, "name": fresh[ref]} for ref in sorted(fresh))
    return links.known


def _rename_references(tenant: Tenant, current: Sequence[CallRecord], known: KnownNames) -> None:
    """Names carried by the newest observation of a call are the record's current name."""
    for owned, id_key, name_attr in _references(tenant):
        names = {
            r.values[id_key]: getattr(r, name_attr)
            for r in current
            if r.values[id_key] is not None
            and getattr(r, name_attr) is not None
            and getattr(r, name_attr) != known[id_key].get(r.values[id_key])
        }
        owned.rename(names)


def ingest_calls(tenant: Tenant, records: Sequence[CallRecord]) -> IngestResult:
    """Insert or merge ``records`` into the user's calls (see ``ingest.merge`` for the rule)."""
    now = utcnow()
    folded = fold(list(records), now)
    batch = list(folded.values())
    known = _link_references(tenant, batch)
    upsert = CallUpsert.of(tenant)
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
        if is_newer(record.values, stored, now):
            current.append(record)
        if all(merged[c] == stored[c] for c in UPSERT_COLUMNS):
            result.outcomes[call_id] = UNCHANGED
        else:
            updates.append({"id": call_id, **merged})
            result.outcomes[call_id] = UPDATED
    upsert.update_many(updates)
    _rename_references(tenant, current, known)
    tenant.flush()
    return result
