"""Where each ``callvault sync`` of one user stands, per upstream."""

from __future__ import annotations

from sqlalchemy.orm import Session

from callvault.ingest.models import SyncSource


class SyncSources:
    """The sync states of one user."""

    def __init__(self, session: Session, user_id: int) -> None:
        self.session = session
        self.user_id = user_id

    def get_or_add(self, source: str) -> SyncSource:
        state = self.session.get(SyncSource, (self.user_id, source))
        if state is None:
            state = SyncSource(user_id=self.user_id, source=source, next_page=1, complete=False)
            state.calls_seen = 0
            self.session.add(state)
            self.session.flush()
        return state
