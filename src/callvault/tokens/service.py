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

from sqlalchemy import Connection, Row, bindparam, delete, select, update
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


_TokenRow = Row[int, str, datetime | None, datetime | None, int, str, str]


def _find(connection: Connection, bearer: str) -> _TokenRow | None:
    """The token's row and its owner's, in one query built once (plain columns: this runs
    on every request)."""
    token_id, separator, secret = bearer.partition("|")
    if not separator:
        return connection.execute(_BY_HASH, {"token_hash": _hash(bearer)}).first()
    if not token_id.isascii() or not token_id.isdigit() or len(token_id) > 18:
        return None
    found = connection.execute(_BY_ID, {"token_id": int(token_id)}).first()
    if found is None or not hmac.compare_digest(found.token_hash, _hash(secret)):
        return None
    return found


@dataclass(frozen=True)
class TokenOwner:
    """The user a request's token belongs to: what handlers need of them."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Authentication:
    user: TokenOwner
    token_id: int
    needs_touch: bool


def authenticate(connection: Connection, bearer: str, touch_interval: int) -> Authentication | None:
    """Who a bearer token belongs to, or None when it is unknown, revoked or expired.

    ``needs_touch`` says ``last_used_at`` is older than ``touch_interval`` seconds, so the
    caller records the use (in a write unit of work) at most that often.
    """
    found = _find(connection, bearer)
    now = utcnow()
    if found is None:
        return None
    if found.expires_at is not None and found.expires_at <= now:
        return None
    stale = now - timedelta(seconds=touch_interval)
    owner = TokenOwner(found.user_id, found.name, found.email)
    return Authentication(
        owner, found.id, found.last_used_at is None or found.last_used_at <= stale
    )


def touch_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def bearer_from_header(header: str) -> str | None:
    """Laravel's ``Request::bearerToken()``: text after the last ``Bearer ``, up to a comma."""
    position = header.rfind("Bearer ")
    if position < 0:
        return None
    value = header[position + 7 :].split(",", 1)[0]
    return value or None
