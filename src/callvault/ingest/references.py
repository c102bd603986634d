"""Assistants and campaigns named by incoming calls, built for one tenant.

A call that names an id gets that record created (or renamed); a call that only names a
record (the list shape carries ``assistant_name`` but no id) is linked by name, and a new
name gets the user's next free id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from sqlalchemy import Table, bindparam, func, select, update

from callvault.assistants.models import Assistant
from callvault.campaigns.models import Campaign
from callvault.db.base import utcnow
from callvault.ingest.records import BIGINT
from callvault.unit_of_work import Repository

Named = type[Assistant] | type[Campaign]


class OwnedNames(Repository):
    """The assistants (or campaigns) of one user, by id and by name."""

    model: ClassVar[Named]

    def ids_by_name(self, names: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(names))
        if not wanted:
            return {}
        statement = (
            select(self.model.name, func.min(self.model.id))
            .where(self.model.user_id == self.user_id, self.model.name.in_(wanted))
            .group_by(self.model.name)
        )
        return {name: int(found) for name, found in self.session.execute(statement)}

    def names_of(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        statement = select(self.model.id, self.model.name).where(
            self.model.user_id == self.user_id, self.model.id.in_(wanted)
        )
        return {ref: name for ref, name in self.session.execute(statement)}

    def free_ids(self, count: int) -> list[int]:
        """``count`` ids the user has no record with: those after the largest, or the lowest
        unused ones once the column's largest value is near (an id may be any bigint)."""
        mine = self.model.user_id == self.user_id
        largest = int(self.session.scalar(select(func.max(self.model.id)).where(mine)) or 0)
        if largest <= BIGINT[1] - count:
            return list(range(largest + 1, largest + 1 + count))
        found: list[int] = []
        candidate = 1
        ids = select(self.model.id).where(mine, self.model.id >= 1).order_by(self.model.id)
        for taken in self.session.scalars(ids):
            found.extend(range(candidate, min(taken, candidate + count - len(found))))
            if len(found) == count:
                return found
            candidate = taken + 1
        found.extend(range(candidate, candidate + count - len(found)))
        return found

    def create_missing(self, rows: Iterable[dict[str, Any]]) -> None:
        """Create the records (``id``, ``name`` and maybe ``phone_number``) that do not exist."""
        now = utcnow()
        values = [
            {**row, "user_id": self.user_id, "created_at": now, "updated_at": now} for row in rows
        ]
        if values:
            self.session.execute(self.backend.insert_ignoring_conflicts(self.model), values)

    def rename(self, names: dict[int, str]) -> None:
        """Give records new names; records already so named are not written."""
        if not names:
            return
        table = self.model.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(
                table.c.user_id == self.user_id,
                table.c.id == bindparam("ref_id"),
                table.c.name != bindparam("ref_name"),
            )
            .values(name=bindparam("ref_name"), updated_at=utcnow())
        )
        self.session.execute(
            statement, [{"ref_id": ref, "ref_name": names[ref]} for ref in sorted(names)]
        )


class AssistantNames(OwnedNames):
    model = Assistant


class CampaignNames(OwnedNames):
    model = Campaign
