"""Webhook endpoints (one secret, plus the previous one during a rotation) and deliveries.

The secret is stored as given: verifying an HMAC needs the key itself, so a hash (as for
API tokens) could never check a signature. It is shown once, like a token, and never listed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callvault.db.base import Base, utcnow


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_public_id", "id"),)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    """Public, random (``whe_…``): the last segment of the delivery URL."""
    name: Mapped[str] = mapped_column(String(255))
    secret: Mapped[str] = mapped_column(String(128))
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebhookDelivery(Base):
    """One authenticated delivery: what arrived and what became of it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "endpoint_id"],
            ["webhook_endpoints.user_id", "webhook_endpoints.id"],
            ondelete="CASCADE",
        ),
        Index("ix_webhook_deliveries_endpoint_newest", "user_id", "endpoint_id", "id"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """Time-ordered: 16 hex digits of nanoseconds, then 16 random hex digits."""
    endpoint_id: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(128))
    """The payload's event ``id``, or ``sha256:<hex>`` of the body when it has none."""
    event_type: Mapped[str | None] = mapped_column(String(64))
    call_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status_code: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(255))
