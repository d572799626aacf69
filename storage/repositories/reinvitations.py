"""Re-invitations of under-heard groups: each has a key from the confirmation step (confirming
twice finds the first) and the people it was queued for, at most once per person (the
recipients' primary key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import Reinvitation
from storage.timestamps import as_utc


class Reinvitations:
    def __init__(self, db: Session) -> None:
        self._db = db

    def find(self, key: str) -> Reinvitation | None:
        row = self._db.scalar(select(m.ReinvitationRow).where(m.ReinvitationRow.key == key))
        return None if row is None else self._record(row)

    def create(
        self, key: str, dimension: str, categories: Sequence[str], by: str, at: datetime
    ) -> int | None:
        """The new re-invitation's id; None when another unit of work made one with this key
        first (confirmations racing each other: the unique key decides, in a savepoint, so the
        caller's transaction goes on and can `find` the winner)."""
        row = m.ReinvitationRow(
            key=key,
            dimension=dimension,
            categories=",".join(categories),
            created_by=by,
            created_at=as_utc(at),
        )
        try:
            with self._db.begin_nested():
                self._db.add(row)
                self._db.flush()
        except IntegrityError:
            return None
        return row.id

    def add_recipient(
        self, reinvitation_id: int, participant_id: str, message_id: str, at: datetime
    ) -> bool:
        """False when the person already has this re-invitation (nothing is added)."""
        found = self._db.get(m.ReinvitationRecipientRow, (reinvitation_id, participant_id))
        if found is not None:
            return False
        self._db.add(
            m.ReinvitationRecipientRow(
                reinvitation_id=reinvitation_id,
                participant_id=participant_id,
                message_id=message_id,
                at=as_utc(at),
            )
        )
        self._db.flush()
        return True

    def recent(self, limit: int = 20) -> list[Reinvitation]:
        rows = self._db.scalars(
            select(m.ReinvitationRow).order_by(m.ReinvitationRow.id.desc()).limit(limit)
        )
        return [self._record(row) for row in rows]

    def _record(self, row: m.ReinvitationRow) -> Reinvitation:
        queued = self._db.scalar(
            select(func.count()).where(m.ReinvitationRecipientRow.reinvitation_id == row.id)
        )
        return Reinvitation(
            reinvitation_id=row.id,
            key=row.key,
            dimension=row.dimension,
            categories=tuple(c for c in row.categories.split(",") if c),
            created_by=row.created_by,
            created_at=row.created_at,
            queued=int(queued or 0),
        )
