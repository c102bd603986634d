"""Every SQL statement about webhook endpoints and their deliveries.

``EndpointDirectory`` holds the lookups without a user: a delivery names only the endpoint's
public id, and the endpoint found is what tells whose calls the delivery may touch.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from callvault.unit_of_work import Directory, Repository
from callvault.webhooks.models import WebhookDelivery, WebhookEndpoint


def _holdable(endpoint_id: str) -> bool:
    """Whether an id from a URL could be stored at all: PostgreSQL refuses a NUL in a
    parameter (an error, not a miss), so such an id is simply unknown, on both backends."""
    return "\x00" not in endpoint_id


class EndpointDirectory(Directory):
    """Endpoints by public id, whoever owns them (an id held twice is treated as unknown)."""

    def find(self, endpoint_id: str) -> WebhookEndpoint | None:
        if not _holdable(endpoint_id):
            return None
        found = self.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).limit(2)
        ).all()
        return found[0] if len(found) == 1 else None

    def find_many(self, endpoint_ids: Iterable[str]) -> dict[str, WebhookEndpoint]:
        wanted = sorted({endpoint_id for endpoint_id in endpoint_ids if _holdable(endpoint_id)})
        if not wanted:
            return {}
        statement = select(WebhookEndpoint).where(WebhookEndpoint.id.in_(wanted))
        found = self.session.scalars(statement).all()
        held = Counter(endpoint.id for endpoint in found)
        return {endpoint.id: endpoint for endpoint in found if held[endpoint.id] == 1}


def delivery_id() -> str:
    """Sortable by arrival: nanoseconds, then randomness against same-instant collisions."""
    return f"{time.time_ns():016x}{os.urandom(8).hex()}"


class WebhookRepository(Repository):
    """The webhook endpoints and delivery log of one user."""

    def add(self, endpoint: WebhookEndpoint) -> None:
        endpoint.user_id = self.user_id
        self.session.add(endpoint)
        self.session.flush()

    def get(self, endpoint_id: str) -> WebhookEndpoint | None:
        if not _holdable(endpoint_id):
            return None
        return self.session.get(WebhookEndpoint, (self.user_id, endpoint_id))

    def list(self) -> Sequence[WebhookEndpoint]:
        statement = (
            select(WebhookEndpoint)
            .where(WebhookEndpoint.user_id == self.user_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
        return self.session.scalars(statement).all()

    def delete(self, endpoint_id: str) -> bool:
        if not _holdable(endpoint_id):
            return False
        statement = delete(WebhookEndpoint).where(
            WebhookEndpoint.user_id == self.user_id, WebhookEndpoint.id == endpoint_id
        )
        return bool(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def log(self, delivery: WebhookDelivery) -> None:
        """Add a delivery to the log (written with the unit of work's next flush)."""
        delivery.user_id = self.user_id
        delivery.id = delivery_id()
        self.session.add(delivery)

    def log_many(self, deliveries: Sequence[dict[str, Any]]) -> None:
        """Add deliveries (column values) to the log in one statement, now."""
        if deliveries:
            rows = [{**row, "user_id": self.user_id, "id": delivery_id()} for row in deliveries]
            self.session.execute(insert(WebhookDelivery), rows)

    def deliveries(self, endpoint_id: str, limit: int) -> Sequence[WebhookDelivery]:
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.user_id == self.user_id,
                WebhookDelivery.endpoint_id == endpoint_id,
            )
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
        return self.session.scalars(statement).all()
