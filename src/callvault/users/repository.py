"""Every SQL statement about users (the tenants themselves: found before any tenant is)."""

from __future__ import annotations

from sqlalchemy import select

from callvault.unit_of_work import Directory
from callvault.users.models import User


class UserDirectory(Directory):
    """Users by email; adding one."""

    def by_email(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email))

    def everyone(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.id)))

    def add(self, name: str, email: str) -> User:
        user = User(name=name, email=email)
        self.session.add(user)
        self.session.flush()
        return user
