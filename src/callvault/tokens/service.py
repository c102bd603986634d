"""Issuing, listing, revoking and checking API tokens, the way Laravel Sanctum does.

A token is shown once as ``<id>|<secret>``; only ``sha256(secret)`` is stored. A bearer
value without ``|`` is looked up by its hash, as Sanctum accepts the bare secret too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from callvault.db.base import utcnow
from callvault.errors import NotFound
from callvault.tokens.models import ApiToken
from callvault.tokens.repository import TokenDirectory, TokenRepository, TokenRow
from callvault.unit_of_work import Tenant, UnitOfWork

SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 48


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain_text: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def issue_token(tenant: Tenant, *, name: str, expires_at: datetime | None = None) -> IssuedToken:
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    token = TokenRepository.of(tenant).add(name, _hash(secret), expires_at)
    return IssuedToken(token, f"{token.id}|{secret}")


def list_tokens(tenant: Tenant) -> Sequence[ApiToken]:
    return TokenRepository.of(tenant).list()


def revoke_token(tenant: Tenant, token_id: int) -> None:
    if not TokenRepository.of(tenant).delete(token_id):
        raise NotFound(f"No token {token_id} for this user.")


def _find(directory: TokenDirectory, bearer: str) -> TokenRow | None:
    """The token's row and its owner's (plain columns: this runs on every request)."""
    token_id, separator, secret = bearer.partition("|")
    if not separator:
        return directory.by_hash(_hash(bearer))
    if not token_id.isascii() or not token_id.isdigit() or len(token_id) > 18:
        return None
    found = directory.by_id(int(token_id))
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


def authenticate(
    directory: TokenDirectory, bearer: str, touch_interval: int
) -> Authentication | None:
    """Who a bearer token belongs to, or None when it is unknown, revoked or expired.

    ``needs_touch`` says ``last_used_at`` is older than ``touch_interval`` seconds, so the
    caller records the use (``touch_token``, in a write unit of work) at most that often.
    """
    found = _find(directory, bearer)
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


def token_owner(unit: UnitOfWork, bearer: str) -> TokenOwner | None:
    """Who a token belongs to now; None when it is unknown, revoked or expired."""
    found = authenticate(TokenDirectory.of(unit), bearer, touch_interval=0)
    return found.user if found else None


def touch_token(tenant: Tenant, token_id: int) -> None:
    TokenRepository.of(tenant).touch(token_id)


def bearer_from_header(header: str) -> str | None:
    """Laravel's ``Request::bearerToken()``: text after the last ``Bearer ``, up to a comma."""
    position = header.rfind("Bearer ")
    if position < 0:
        return None
    value = header[position + 7 :].split(",", 1)[0]
    return value or None
