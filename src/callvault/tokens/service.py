"""Issuing, listing, revoking and checking API tokens, the way Laravel Sanctum does.

A token is shown once as ``<id>|<secret>``; only ``sha256(secret)`` is stored. A bearer
value without ``|`` is looked up by its hash, as Sanctum accepts the bare secret too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from callvault.db.base import utcnow
from callvault.errors import NotFound
from callvault.tokens.models import ApiToken
from callvault.users.models import User

SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 48


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain_text: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def issue_token(
    session: Session, user: User, *, name: str, expires_at: datetime | None = None
) -> IssuedToken:
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret), expires_at=expires_at)
    session.add(token)
    session.flush()
    return IssuedToken(token, f"{token.id}|{secret}")


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )


def revoke_token(session: Session, user: User, token_id: int) -> None:
    result = session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"No token {token_id} for {user.email}.")


def _find(session: Session, bearer: str) -> tuple[ApiToken, User] | None:
    """The token and its owner, in one query."""
    token_id, separator, secret = bearer.partition("|")
    statement = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    if not separator:
        found = session.execute(statement.where(ApiToken.token_hash == _hash(bearer))).first()
        return (found[0], found[1]) if found else None
    if not token_id.isascii() or not token_id.isdigit() or len(token_id) > 18:
        return None
    found = session.execute(statement.where(ApiToken.id == int(token_id))).first()
    if found is None or not hmac.compare_digest(found[0].token_hash, _hash(secret)):
        return None
    return found[0], found[1]


@dataclass(frozen=True)
class Authentication:
    user: User
    token_id: int
    needs_touch: bool


def authenticate(session: Session, bearer: str, touch_interval: int) -> Authentication | None:
    """Who a bearer token belongs to, or None when it is unknown, revoked or expired.

    ``needs_touch`` says ``last_used_at`` is older than ``touch_interval`` seconds, so the
    caller records the use (in a write unit of work) at most that often.
    """
    found = _find(session, bearer)
    now = utcnow()
    if found is None:
        return None
    token, user = found
    if token.expires_at is not None and token.expires_at <= now:
        return None
    stale = now - timedelta(seconds=touch_interval)
    return Authentication(user, token.id, token.last_used_at is None or token.last_used_at <= stale)


def touch_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def bearer_from_header(header: str) -> str | None:
    """Laravel's ``Request::bearerToken()``: text after the last ``Bearer ``, up to a comma."""
    position = header.rfind("Bearer ")
    if position < 0:
        return None
    value = header[position + 7 :].split(",", 1)[0]
    return value or None
