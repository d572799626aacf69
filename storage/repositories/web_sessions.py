"""Signed-in browsers, kept on the server: the cookie carries a random token, the store only its
SHA-256, so a copy of the database signs no one in. Sessions end at `expires_at`, on sign-out,
or when the account is disabled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import WebSession
from storage.timestamps import as_utc

LAST_SEEN_PRECISION = timedelta(minutes=1)


class WebSessions:
    def __init__(self, db: Session) -> None:
        self._db = db

    def start(
        self, token_hash: str, user_id: int, csrf_token: str, at: datetime, expires_at: datetime
    ) -> WebSession:
        row = m.WebSessionRow(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=as_utc(at),
            last_seen_at=as_utc(at),
            expires_at=as_utc(expires_at),
        )
        self._db.add(row)
        self._db.flush()
        return _record(row)

    def find(self, token_hash: str, at: datetime) -> WebSession | None:
        """The live session behind a cookie's token (None when unknown or expired)."""
        now = as_utc(at)
        row = self._db.scalar(
            select(m.WebSessionRow).where(
                m.WebSessionRow.token_hash == token_hash, m.WebSessionRow.expires_at > now
            )
        )
        if row is None:
            return None
        if now - row.last_seen_at >= LAST_SEEN_PRECISION:
            row.last_seen_at = now
            self._db.flush()
        return _record(row)

    def end(self, token_hash: str) -> None:
        self._db.execute(delete(m.WebSessionRow).where(m.WebSessionRow.token_hash == token_hash))

    def end_all(self, user_id: int) -> None:
        self._db.execute(delete(m.WebSessionRow).where(m.WebSessionRow.user_id == user_id))

    def purge_expired(self, at: datetime) -> int:
        result = self._db.execute(
            delete(m.WebSessionRow).where(m.WebSessionRow.expires_at <= as_utc(at))
        )
        return int(getattr(result, "rowcount", 0))


def _record(row: m.WebSessionRow) -> WebSession:
    return WebSession(row.id, row.user_id, row.csrf_token, row.created_at, row.expires_at)
