"""JSON exactly as Laravel's ``JsonResponse`` writes it: ``json_encode`` with no flags."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response


def php_json(content: Any) -> bytes:
    """PHP ``json_encode``: compact, ``\\uXXXX`` for non-ASCII and ``\\/`` for slashes.

    A ``/`` can only occur inside a JSON string, so escaping it after encoding is exact.
    """
    text = json.dumps(content, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("/", "\\/").encode("ascii")


class PhpJsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return php_json(content)


def message_response(
    message: str, status_code: int, headers: dict[str, str] | None = None, **extra: Any
) -> PhpJsonResponse:
    """The contract's error body: ``{"message": …}`` plus any extra keys (``errors``)."""
    return PhpJsonResponse({"message": message, **extra}, status_code=status_code, headers=headers)
