"""``call_phone_suffixes``: which client numbers a user's calls hold, findable by substring.

Migration 0005 keeps, per user and distinct ``client_phone_digits``, one row per suffix of at
least ``SHORTEST_SUFFIX`` digits. Digits ``q`` occur in a number iff one of its suffixes starts
with ``q``, so the numbers holding ``q`` are one key range. Rows are never removed when calls
are (existence only): a number no call holds any more matches nothing.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table

SHORTEST_SUFFIX = 3

call_phone_suffixes = Table(
    "call_phone_suffixes",
    MetaData(),  # not Base.metadata: the table belongs to the triggers, never to the ORM
    Column("user_id", BigInteger, primary_key=True),
    Column("suffix", String(64), primary_key=True),
    Column("digits", String(64), primary_key=True),
)


def suffix_range(digits: str) -> tuple[str, str]:
    """The key range ``[low, high)`` of the suffixes that start with ``digits`` (``':'`` sorts
    right after ``'9'`` bytewise, and the column compares bytewise on both backends)."""
    return digits, digits + ":"
