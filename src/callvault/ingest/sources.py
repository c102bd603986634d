"""Where each ``callvault sync`` of one user stands, per upstream."""

from __future__ import annotations

from callvault.ingest.models import SyncSource
from callvault.unit_of_work import Repository


class SyncSources(Repository):
    """The sync states of one user."""

    def get_or_add(self, source: str) -> SyncSource:
        state = self.session.get(SyncSource, (self.user_id, source))
        if state is None:
            state = SyncSource(user_id=self.user_id, source=source, next_page=1, complete=False)
            state.calls_seen = 0
            self.session.add(state)
            self.session.flush()
        return state
