"""Every SQL statement about users (the tenants themselves: found before any tenant is)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from callvault.users.models import User


class UserDirectory:
    """Users by email; adding one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_email(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email))

    def add(self, name: str, email: str) -> User:
        user = User(name=name, email=email)
        self.session.add(user)
        self.session.flush()
        return user
