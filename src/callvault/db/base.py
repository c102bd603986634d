"""The declarative base, with a naming convention so every constraint has a stable name."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


AutoId = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit surrogate key that SQLite also auto-increments (only INTEGER aliases its rowid)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp every table stores (second precision, like Laravel)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
