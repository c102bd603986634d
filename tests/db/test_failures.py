"""Database failures told for the logs: where and what, never the values they quote."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from callvault.db.database import Database
from callvault.db.failures import describe, format_failure
from tests.conftest import Tenant

EMAIL = "private.person@example.com"


def _duplicate_email(db: Database, tenant: Tenant) -> IntegrityError:
    """A real unique violation whose PostgreSQL detail quotes the key: (email)=(…)."""
    copy = text(
        "INSERT INTO users (name, email, created_at, updated_at) "
        "SELECT name, email, created_at, updated_at FROM users WHERE id = :id"
    )
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET email = :email WHERE id = :id"),
            {"email": EMAIL, "id": tenant.user.id},
        )
    with pytest.raises(IntegrityError) as caught, db.engine.begin() as connection:
        connection.execute(copy, {"id": tenant.user.id})
    return caught.value


def test_a_database_error_is_told_without_its_values(db: Database, tenant: Tenant) -> None:
    error = _duplicate_email(db, tenant)
    told = describe(error)
    assert told is not None
    assert EMAIL not in told
    assert "INSERT INTO users (name, email, created_at, updated_at) SELECT" in told
    if db.backend.name == "postgresql":
        assert EMAIL in str(error.orig)  # DETAIL: Key (email)=(…) already exists.
        assert "UniqueViolation (SQLSTATE 23505, message withheld)" in told
        assert "constraint uq_users_email" in told
    else:
        assert "sqlite3.IntegrityError: UNIQUE constraint failed: users.email" in told


def test_every_link_of_a_chain_is_told_safely(db: Database, tenant: Tenant) -> None:
    try:
        try:
            raise _duplicate_email(db, tenant)
        except IntegrityError as error:
            raise RuntimeError("while storing a delivery") from error
    except RuntimeError as error:
        logged = format_failure(error)
    assert EMAIL not in logged
    assert logged.count("Traceback (most recent call last):") == 3  # driver, wrapper, ours
    assert logged.endswith("RuntimeError: while storing a delivery")
    assert "test_failures.py" in logged  # where it happened is kept


def test_other_errors_are_told_as_python_tells_them() -> None:
    assert describe(ValueError("x")) is None
    error = KeyError("missing")
    assert format_failure(error) == "KeyError: 'missing'"
    assert format_failure(RuntimeError("outer")) == "RuntimeError: outer"
