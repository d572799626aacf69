"""The audit log: what workspace users did that others must be able to check, above all every
reveal of a person's number or chat id with its stated reason. Append-only; admins read it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import AuditEntry
from storage.timestamps import as_utc


class AuditLog:
    def __init__(self, db: Session) -> None:
        self._db = db

    def record(self, entry: AuditEntry) -> int:
        row = m.AuditRow(
            at=as_utc(entry.at),
            actor_user_id=entry.actor_user_id,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            reason=entry.reason,
        )
        self._db.add(row)
        self._db.flush()
        return row.id

    def recent(self, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        """Newest first; `before_id` pages back."""
        query = select(m.AuditRow).order_by(m.AuditRow.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(m.AuditRow.id < before_id)
        return [
            AuditEntry(
                row.at, row.actor_user_id, row.actor, row.action, row.subject, row.reason, row.id
            )
            for row in self._db.scalars(query)
        ]
