"""The ``calls`` table, keyed by (user_id, id) so two tenants may hold the same call id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from callvault.calls.fields import STATUSES, TYPES
from callvault.db.base import Base


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        ForeignKeyConstraint(["user_id", "assistant_id"], ["assistants.user_id", "assistants.id"]),
        ForeignKeyConstraint(["user_id", "campaign_id"], ["campaigns.user_id", "campaigns.id"]),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("type", TYPES), name="type"),
        Index("ix_calls_newest", "user_id", "created_at", "id"),
        Index("ix_calls_status_newest", "user_id", "status", "created_at", "id"),
        Index("ix_calls_type_newest", "user_id", "type", "created_at", "id"),
        Index("ix_calls_assistant_newest", "user_id", "assistant_id", "created_at", "id"),
        Index("ix_calls_campaign_newest", "user_id", "campaign_id", "created_at", "id"),
        Index("ix_calls_phone_digits_newest", "user_id", "client_phone_digits", "created_at", "id"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    assistant_id: Mapped[int | None] = mapped_column(BigInteger)
    campaign_id: Mapped[int | None] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(16))
    duration: Mapped[int | None] = mapped_column(Integer)
    assistant_phone_number: Mapped[str | None] = mapped_column(String(64))
    client_phone_number: Mapped[str | None] = mapped_column(String(64))
    client_phone_digits: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    transcript: Mapped[str | None] = mapped_column(Text)
    variables: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    evaluation: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    webhook_response: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    carrier_cost: Mapped[float | None] = mapped_column(Float)
    total_cost: Mapped[float | None] = mapped_column(Float)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    recording_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
