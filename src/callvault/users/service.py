"""Creating and finding users."""

from __future__ import annotations

from callvault.errors import Conflict, NotFound, ValidationFailed
from callvault.unit_of_work import UnitOfWork
from callvault.users.models import User
from callvault.users.repository import UserDirectory


def create_user(unit: UnitOfWork, *, name: str, email: str) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed.single("email", "The email field must be a valid email address.")
    if UserDirectory.of(unit).by_email(email) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    return UserDirectory.of(unit).add(name.strip() or email, email)


def get_user_by_email(unit: UnitOfWork, email: str) -> User:
    user = UserDirectory.of(unit).by_email(email.strip().lower())
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def list_users(unit: UnitOfWork) -> list[User]:
    """Every user, oldest first."""
    return UserDirectory.of(unit).everyone()
