"""Workspace accounts (bot.workspace): email, argon2 password hash, role and working groups.
The hash never leaves this repository except through `password_hash`, for the sign-in check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import Role, UserRecord
from storage.timestamps import as_utc


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Users:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(
        self, email: str, password_hash: str, role: Role, groups: Iterable[str], at: datetime
    ) -> UserRecord:
        row = m.UserRow(
            email=normalise_email(email),
            password_hash=password_hash,
            role=role,
            created_at=as_utc(at),
            disabled_at=None,
        )
        self._db.add(row)
        self._db.flush()
        self.set_groups(row.id, groups)
        found = self.get(row.id)
        assert found is not None
        return found

    def get(self, user_id: int) -> UserRecord | None:
        row = self._db.get(m.UserRow, user_id)
        return None if row is None else self._record(row)

    def by_email(self, email: str) -> UserRecord | None:
        row = self._db.scalar(select(m.UserRow).where(m.UserRow.email == normalise_email(email)))
        return None if row is None else self._record(row)

    def password_hash(self, user_id: int) -> str | None:
        return self._db.scalar(select(m.UserRow.password_hash).where(m.UserRow.id == user_id))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._db.execute(
            update(m.UserRow).where(m.UserRow.id == user_id).values(password_hash=password_hash)
        )

    def set_role(self, user_id: int, role: Role) -> None:
        self._db.execute(update(m.UserRow).where(m.UserRow.id == user_id).values(role=role))

    def set_disabled(self, user_id: int, at: datetime | None) -> None:
        """Disables the account from `at` (None enables it again)."""
        value = None if at is None else as_utc(at)
        self._db.execute(
            update(m.UserRow).where(m.UserRow.id == user_id).values(disabled_at=value)
        )

    def set_groups(self, user_id: int, groups: Iterable[str]) -> None:
        names = sorted({g.strip() for g in groups if g.strip()})
        self._db.execute(delete(m.UserGroupRow).where(m.UserGroupRow.user_id == user_id))
        self._db.add_all(m.UserGroupRow(user_id=user_id, group_name=name) for name in names)
        self._db.flush()

    def all(self) -> list[UserRecord]:
        rows = self._db.scalars(select(m.UserRow).order_by(m.UserRow.email))
        return [self._record(row) for row in rows]

    def in_group(self, group_name: str) -> list[UserRecord]:
        ids = select(m.UserGroupRow.user_id).where(m.UserGroupRow.group_name == group_name)
        rows = self._db.scalars(
            select(m.UserRow).where(m.UserRow.id.in_(ids)).order_by(m.UserRow.email)
        )
        return [self._record(row) for row in rows]

    def _record(self, row: m.UserRow) -> UserRecord:
        groups = self._db.scalars(
            select(m.UserGroupRow.group_name)
            .where(m.UserGroupRow.user_id == row.id)
            .order_by(m.UserGroupRow.group_name)
        )
        role: Role = "admin" if row.role == "admin" else (
            "coordinator" if row.role == "coordinator" else "member"
        )
        return UserRecord(
            row.id, row.email, role, tuple(groups), row.created_at, row.disabled_at is not None
        )
