"""Domain errors: each carries the HTTP status and the contract's ``message``."""

from __future__ import annotations


class CallvaultError(Exception):
    """Base of every error a service may raise on purpose."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class Unauthenticated(CallvaultError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("Unauthenticated.")


class NotFound(CallvaultError):
    status_code = 404


class Conflict(CallvaultError):
    status_code = 409


class ValidationFailed(CallvaultError):
    """422 with Laravel's ``errors`` object: field name to its messages, in rule order."""

    status_code = 422

    def __init__(self, message: str, errors: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, {field: [message]})


class PayloadTooLarge(CallvaultError):
    """413: a request body past its cap (refused before it is read to the end)."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body must not be larger than {limit} bytes.")
