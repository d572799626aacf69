"""Personal API tokens (`heard users token`): only a SHA-256 of each token is stored, so the
store cannot hand a token out again; a token is revoked, never deleted, so the list shows it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import ApiTokenRecord
from storage.timestamps import as_utc

# `last_used_at` is written at most this often per token, so reads stay cheap.
LAST_USE_PRECISION = timedelta(minutes=1)


class Tokens:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(
        self, user_id: int, token_hash: str, prefix: str, label: str, at: datetime
    ) -> ApiTokenRecord:
        row = m.ApiTokenRow(
            user_id=user_id,
            token_hash=token_hash,
            prefix=prefix,
            label=label,
            created_at=as_utc(at),
            last_used_at=None,
            revoked_at=None,
        )
        self._db.add(row)
        self._db.flush()
        return _record(row)

    def use(self, token_hash: str, at: datetime) -> int | None:
        """The user id behind a live (not revoked) token, noting its use; None if none."""
        row = self._db.scalar(
            select(m.ApiTokenRow).where(
                m.ApiTokenRow.token_hash == token_hash, m.ApiTokenRow.revoked_at.is_(None)
            )
        )
        if row is None:
            return None
        now = as_utc(at)
        if row.last_used_at is None or now - row.last_used_at >= LAST_USE_PRECISION:
            row.last_used_at = now
            self._db.flush()
        return row.user_id

    def get(self, token_id: int) -> ApiTokenRecord | None:
        row = self._db.get(m.ApiTokenRow, token_id)
        return None if row is None else _record(row)

    def of_user(self, user_id: int) -> list[ApiTokenRecord]:
        rows = self._db.scalars(
            select(m.ApiTokenRow).where(m.ApiTokenRow.user_id == user_id).order_by(m.ApiTokenRow.id)
        )
        return [_record(row) for row in rows]

    def revoke(self, token_id: int, at: datetime) -> bool:
        """True when a live token was revoked now."""
        result = self._db.execute(
            update(m.ApiTokenRow)
            .where(m.ApiTokenRow.id == token_id, m.ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=as_utc(at))
        )
        return bool(getattr(result, "rowcount", 0))

    def revoke_all(self, user_id: int, at: datetime) -> int:
        result = self._db.execute(
            update(m.ApiTokenRow)
            .where(m.ApiTokenRow.user_id == user_id, m.ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=as_utc(at))
        )
        return int(getattr(result, "rowcount", 0))


def _record(row: m.ApiTokenRow) -> ApiTokenRecord:
    return ApiTokenRecord(
        row.id, row.user_id, row.prefix, row.label, row.created_at, row.last_used_at,
        row.revoked_at,
    )
