"""How a new observation of a call combines with what is stored: the ordering rule.

Providers deliver at least once, retry, duplicate and reorder. Each observation has a
*version* ``(status rank, updated_at)``:

- status rank: ``initiated`` 0 < ``ringing`` 1 < ``in-progress`` 2 < every final status
  (``busy``, ``no-answer``, ``failed``, ``ended``, ``completed``, ``ended_by_customer``,
  ``ended_by_assistant``) 3. A ``call.started`` carries an early status and a
  ``call.completed``/``call.failed`` a final one, so a late ``call.started`` never moves a
  finished call back, whatever its clock says.
- ``updated_at`` from the payload breaks ties within a rank; a payload without one counts
  as "now" (arrival order).

The observation with the higher version (the incoming one on a tie) is *newer*: its
non-null fields win, and the older side only fills fields the newer one leaves null.
``status`` and ``updated_at`` always come from the newer side. A duplicate therefore
merges to exactly the stored row, which is then not written at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callvault.calls.fields import CALL_COLUMNS, phone_digits
from callvault.ingest.records import CallRecord

STATUS_RANK: dict[str, int] = {"initiated": 0, "ringing": 1, "in-progress": 2}
FINAL_RANK = 3


def status_rank(status: str) -> int:
    return STATUS_RANK.get(status, FINAL_RANK)


def version(status: str, updated_at: datetime) -> tuple[int, datetime]:
    return status_rank(status), updated_at


def is_newer(incoming: dict[str, Any], other: dict[str, Any], now: datetime) -> bool:
    """Whether the observation ``incoming`` is the newer side against ``other`` (both
    ``CALL_COLUMNS`` dicts; a missing ``updated_at`` counts as ``now``; ties go to it)."""
    return version(incoming["status"], incoming["updated_at"] or now) >= version(
        other["status"], other["updated_at"] or now
    )


def merge(stored: dict[str, Any], record: CallRecord, now: datetime) -> dict[str, Any]:
    """The row after applying ``record`` to ``stored`` (both ``CALL_COLUMNS`` dicts)."""
    incoming = dict(record.values)
    incoming["updated_at"] = incoming["updated_at"] or now
    first, second = (incoming, stored) if is_newer(incoming, stored, now) else (stored, incoming)
    merged = {
        column: first[column] if first[column] is not None else second[column]
        for column in CALL_COLUMNS
    }
    merged["client_phone_digits"] = phone_digits(merged["client_phone_number"])
    return merged


def fold(records: list[CallRecord], now: datetime) -> dict[int, CallRecord]:
    """Several observations of the same call in one batch, merged in order into one each."""
    folded: dict[int, CallRecord] = {}
    for record in records:
        earlier = folded.get(record.id)
        if earlier is None:
            folded[record.id] = record
            continue
        base = dict(earlier.values)
        base["updated_at"] = base["updated_at"] or now
        merged = merge(base, record, now)
        merged.pop("client_phone_digits")
        newer = is_newer(record.values, base, now)
        winner, loser = (record, earlier) if newer else (earlier, record)
        folded[record.id] = CallRecord(
            record.id,
            merged,
            winner.assistant_name if winner.assistant_name is not None else loser.assistant_name,
            winner.campaign_name if winner.campaign_name is not None else loser.campaign_name,
        )
    return folded
