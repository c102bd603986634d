"""Creating and finding users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from callvault.errors import Conflict, NotFound, ValidationFailed
from callvault.users.models import User


def create_user(session: Session, *, name: str, email: str) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed.single("email", "The email field must be a valid email address.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    user = User(name=name.strip() or email, email=email)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user
