"""Every SQL statement about calls, built for one tenant: there is no unscoped query here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from callvault.assistants.models import Assistant
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign

_ITEM_COLUMNS = (
    Call.id,
    Assistant.name.label("assistant_name"),
    Campaign.name.label("campaign_name"),
    Call.type,
    Call.duration,
    Call.assistant_phone_number,
    Call.client_phone_number,
    Call.status,
    Call.transcript,
    Call.variables,
    Call.evaluation,
    Call.webhook_response,
    Call.carrier_cost,
    Call.total_cost,
    Call.answered_by,
    Call.recording_url,
    Call.created_at,
    Call.updated_at,
)


class CallRepository:
    """The calls of one user."""

    def __init__(self, session: Session, user_id: int) -> None:
        self.session = session
        self.user_id = user_id

    def _conditions(self, filters: CallFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Call.user_id == self.user_id]
        if filters.status is not None:
            conditions.append(Call.status == filters.status)
        if filters.type is not None:
            conditions.append(Call.type == filters.type)
        if filters.assistant_id is not None:
            conditions.append(Call.assistant_id == filters.assistant_id)
        if filters.campaign_id is not None:
            conditions.append(Call.campaign_id == filters.campaign_id)
        if filters.phone_digits is not None:
            conditions.append(Call.client_phone_digits.contains(filters.phone_digits))
        if filters.created_from is not None:
            conditions.append(Call.created_at >= filters.created_from)
        if filters.created_before is not None:
            conditions.append(Call.created_at < filters.created_before)
        return conditions

    def _items(self) -> Select[Any]:
        return (
            select(*_ITEM_COLUMNS)
            .select_from(Call)
            .outerjoin(
                Assistant,
                and_(Assistant.user_id == Call.user_id, Assistant.id == Call.assistant_id),
            )
            .outerjoin(
                Campaign, and_(Campaign.user_id == Call.user_id, Campaign.id == Call.campaign_id)
            )
        )

    def count(self, filters: CallFilters) -> int:
        statement = select(func.count()).select_from(Call).where(*self._conditions(filters))
        return int(self.session.scalar(statement) or 0)

    def page(self, filters: CallFilters, *, offset: int, limit: int) -> Sequence[Row[Any]]:
        """Calls newest first (``created_at`` then ``id`` descending)."""
        statement = (
            self._items()
            .where(*self._conditions(filters))
            .order_by(Call.created_at.desc(), Call.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return self.session.execute(statement).all()

    def get(self, call_id: int) -> Row[Any] | None:
        statement = self._items().where(Call.user_id == self.user_id, Call.id == call_id)
        return self.session.execute(statement).first()

    def delete(self, call_id: int) -> bool:
        statement = delete(Call).where(Call.user_id == self.user_id, Call.id == call_id)
        return bool(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert new calls (column dicts without ``user_id``) for this user."""
        if rows:
            self.session.execute(insert(Call), [{**row, "user_id": self.user_id} for row in rows])
