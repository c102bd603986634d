"""Reading all of one user's calls in list order, in keyset chunks (constant memory)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from callvault.assistants.models import Assistant
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign

CHUNK = 1000


class CallExportReader:
    """The calls of one user matching the list filters, newest first, with their ids."""

    def __init__(self, session: Session, user_id: int) -> None:
        self.session = session
        self.user_id = user_id

    def _conditions(self, filters: CallFilters) -> list[ColumnElement[bool]]:
        # The list endpoint's filters (``CallRepository``), restated for keyset reading.
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

    def rows(self, filters: CallFilters) -> Iterator[Row[Call, str, str]]:
        base = (
            select(
                Call,
                Assistant.name.label("assistant_name"),
                Campaign.name.label("campaign_name"),
            )
            .outerjoin(
                Assistant,
                and_(Assistant.user_id == Call.user_id, Assistant.id == Call.assistant_id),
            )
            .outerjoin(
                Campaign, and_(Campaign.user_id == Call.user_id, Campaign.id == Call.campaign_id)
            )
            .where(*self._conditions(filters))
            .order_by(Call.created_at.desc(), Call.id.desc())
            .limit(CHUNK)
        )
        after: ColumnElement[bool] | None = None
        while True:
            statement = base if after is None else base.where(after)
            chunk = self.session.execute(statement).all()
            yield from chunk
            if len(chunk) < CHUNK:
                return
            last: Call = chunk[-1][0]
            after = or_(
                Call.created_at < last.created_at,
                and_(Call.created_at == last.created_at, Call.id < last.id),
            )
            self.session.expunge_all()
