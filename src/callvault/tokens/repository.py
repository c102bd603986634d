"""Every SQL statement about API tokens.

``TokenDirectory`` finds a bearer's token before any tenant is known (the hot path: one
prebuilt column select per request); ``TokenRepository`` holds one user's tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, delete, select, update

from callvault.db.base import utcnow
from callvault.tokens.models import ApiToken
from callvault.unit_of_work import Directory, Repository
from callvault.users.models import User

_TOKEN_AND_OWNER = select(
    ApiToken.id,
    ApiToken.token_hash,
    ApiToken.last_used_at,
    ApiToken.expires_at,
    User.id.label("user_id"),
    User.name,
    User.email,
).join(User, User.id == ApiToken.user_id)
_BY_ID = _TOKEN_AND_OWNER.where(ApiToken.id == bindparam("token_id"))
_BY_HASH = _TOKEN_AND_OWNER.where(ApiToken.token_hash == bindparam("token_hash"))
_TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)

TokenRow = Row[int, str, datetime | None, datetime | None, int, str, str]
"""A token's id, hash, last use and expiry, with its owner's id, name and email."""


class TokenDirectory(Directory):
    """Tokens by id or hash, whoever owns them: how a request finds its user."""

    def by_id(self, token_id: int) -> TokenRow | None:
        return self.connection.execute(_BY_ID, {"token_id": token_id}).first()

    def by_hash(self, token_hash: str) -> TokenRow | None:
        return self.connection.execute(_BY_HASH, {"token_hash": token_hash}).first()


class TokenRepository(Repository):
    """The API tokens of one user."""

    def add(self, name: str, token_hash: str, expires_at: datetime | None) -> ApiToken:
        token = ApiToken(
            user_id=self.user_id, name=name, token_hash=token_hash, expires_at=expires_at
        )
        self.session.add(token)
        self.session.flush()
        return token

    def list(self) -> Sequence[ApiToken]:
        statement = select(ApiToken).where(ApiToken.user_id == self.user_id).order_by(ApiToken.id)
        return self.session.scalars(statement).all()

    def delete(self, token_id: int) -> bool:
        statement = delete(ApiToken).where(
            ApiToken.user_id == self.user_id, ApiToken.id == token_id
        )
        return bool(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def touch(self, token_id: int) -> None:
        """Record a use of the token now."""
        statement = _TOUCH.where(ApiToken.user_id == self.user_id)
        self.session.execute(statement, {"token_id": token_id, "now": utcnow()})
