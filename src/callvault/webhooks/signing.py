"""``Callvault-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.

Several ``v1=`` entries may be present (a sender signing with an old and a new secret
during a rotation); one match with any accepted secret is enough. Comparisons are constant
time, and a timestamp more than ``TOLERANCE`` seconds from now, either way, is refused so a
captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

HEADER = "Callvault-Signature"
TOLERANCE = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_endpoint_id() -> str:
    """The public id of an endpoint: unguessable, so endpoints cannot be enumerated."""
    return "whe_" + secrets.token_urlsafe(18)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed by the secret's UTF-8 bytes."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a sender puts on ``body``."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def parse_header(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and every ``v1`` signature of a header (unknown schemes are ignored)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value.strip().lower())
    return timestamp, candidates


def verify(header: str, body: bytes, accepted: Iterable[str], now: float) -> bool:
    """True when one ``v1`` matches one accepted secret and ``t`` is within the tolerance."""
    timestamp, candidates = parse_header(header)
    if timestamp is None or not candidates or abs(now - timestamp) > TOLERANCE:
        return False
    matched = False
    for secret in accepted:
        expected = signature(secret, timestamp, body).encode("ascii")
        for candidate in candidates:
            # Every pair is compared (no early exit), so timing says nothing about which matched.
            matched |= hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
    return matched
