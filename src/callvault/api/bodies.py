"""Request bodies: read only here, always against a cap, and only once the caller has
authenticated the request (a stranger's body is never read).

No route declares a body parameter: FastAPI would read and parse it before any
dependency, so before authentication and without a cap (``tests/api/test_request_bodies``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from callvault.errors import PayloadTooLarge, ValidationFailed
from callvault.ingest.json_text import loads_strict


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past ``limit`` bytes: at once when its declared
    length is larger, else at the first chunk past it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def json_object(body: bytes) -> dict[str, Any]:
    """A JSON object body (an empty body is ``{}``); 422 otherwise, as for a delivery."""
    if not body.strip():
        return {}
    try:
        data = loads_strict(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValidationFailed.single("body", "The request body must be valid JSON.") from None
    if not isinstance(data, dict):
        raise ValidationFailed.single("body", "The request body must be a JSON object.")
    return data
