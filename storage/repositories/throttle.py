"""Failed sign-ins, counted per subject (a keyed hash of an account's email, or of the address a
request came from) over a recent window, so guessing passwords is slowed per account and per
address (bot.workspace.auth)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.timestamps import as_utc


class SignInThrottle:
    def __init__(self, db: Session) -> None:
        self._db = db

    def fail(self, subject: str, at: datetime) -> None:
        self._db.add(m.SignInFailureRow(subject=subject, at=as_utc(at)))
        self._db.flush()

    def failures(self, subject: str, since: datetime) -> tuple[int, datetime | None]:
        """Failures of `subject` after `since`, and the oldest of them (None when none)."""
        count, oldest = self._db.execute(
            select(func.count(), func.min(m.SignInFailureRow.at)).where(
                m.SignInFailureRow.subject == subject, m.SignInFailureRow.at > as_utc(since)
            )
        ).one()
        return int(count), oldest

    def clear(self, subject: str) -> None:
        self._db.execute(delete(m.SignInFailureRow).where(m.SignInFailureRow.subject == subject))

    def purge(self, before: datetime) -> int:
        result = self._db.execute(
            delete(m.SignInFailureRow).where(m.SignInFailureRow.at <= as_utc(before))
        )
        return int(getattr(result, "rowcount", 0))
