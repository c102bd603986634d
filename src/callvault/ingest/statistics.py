"""When a bulk write refreshes the planner's statistics of ``calls``.

With statistics taken at another size, or none at all (an imported SQLite file), the
planners pick plans for a table that is not there. Bulk writers (import, sync, demo)
refresh them while the calls they create double, and once more at their end when those
calls are a tenth or more of what the statistics last counted.
"""

from __future__ import annotations

from callvault.unit_of_work import Tenant

FIRST_REFRESH = 20_000
"""Calls created before the first refresh during a write."""

SHARE_AT_END = 0.1
"""At its end, a write refreshes when its calls are this share of the counted rows."""


class PlannerStatistics:
    """The statistics policy of one bulk write, told of the calls each step created."""

    def __init__(self) -> None:
        self.created = 0
        self._refreshed_at = 0

    def grew(self, tenant: Tenant, created: int) -> None:
        """``created`` more calls are in ``tenant``'s unit: refresh if they doubled."""
        self.created += created
        if self.created >= max(FIRST_REFRESH, 2 * self._refreshed_at):
            self._refresh(tenant)

    def finish(self, tenant: Tenant) -> None:
        """The write is done: refresh if its unrefreshed calls are a large share."""
        unseen = self.created - self._refreshed_at
        if unseen == 0:
            return
        counted = tenant.analyzed_rows()
        if counted is None or unseen >= SHARE_AT_END * counted:
            self._refresh(tenant)

    def _refresh(self, tenant: Tenant) -> None:
        tenant.refresh_statistics()
        self._refreshed_at = self.created
