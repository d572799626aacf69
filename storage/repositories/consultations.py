"""Consultations made in the workspace, stored as versioned data.

A consultation row holds what may change without a new version (keyword, open and close dates)
and which version is live; each version row holds one flow document with its texts (JSON, as
`bot.consult.document` writes it). Versions are numbered from 1. `save_version` overwrites
the latest version while it has never been live, and otherwise adds the next one: a version
people may have started is never changed, so they can finish the version they began.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import ConsultationRecord, ConsultationVersionRecord
from storage.timestamps import as_utc


class ConsultationExists(ValueError):
    """The id or the keyword is already taken by another consultation."""


class Consultations:
    def __init__(self, db: Session) -> None:
        self._db = db

    def _latest(self, consultation_id: str) -> int:
        found = self._db.scalar(
            select(func.max(m.ConsultationVersionRow.version)).where(
                m.ConsultationVersionRow.consultation_id == consultation_id
            )
        )
        return int(found or 0)

    def _record(self, row: m.ConsultationRow, latest: int) -> ConsultationRecord:
        return ConsultationRecord(
            row.id, row.keyword, row.opens_at, row.closes_at, row.live_version, latest,
            row.created_by, row.created_at, row.updated_at,
        )

    def keyword_taken(self, keyword: str, *, other_than: str | None = None) -> bool:
        query = select(m.ConsultationRow.id).where(m.ConsultationRow.keyword == keyword)
        if other_than is not None:
            query = query.where(m.ConsultationRow.id != other_than)
        return self._db.scalars(query).first() is not None

    def create(
        self,
        consultation_id: str,
        keyword: str,
        document: str,
        *,
        by: str,
        at: datetime,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
    ) -> ConsultationRecord:
        """A new consultation with its version 1 (not live)."""
        if self._db.get(m.ConsultationRow, consultation_id) is not None or self.keyword_taken(
            keyword
        ):
            raise ConsultationExists(keyword)
        now = as_utc(at)
        self._db.add(
            m.ConsultationRow(
                id=consultation_id, keyword=keyword,
                opens_at=as_utc(opens_at) if opens_at else None,
                closes_at=as_utc(closes_at) if closes_at else None,
                live_version=None, created_by=by, created_at=now, updated_at=now,
            )
        )
        self._db.flush()
        self._db.add(
            m.ConsultationVersionRow(
                consultation_id=consultation_id, version=1, document=document,
                created_by=by, created_at=now, opened_at=None,
            )
        )
        self._db.flush()
        return self.get(consultation_id)  # type: ignore[return-value]

    def get(self, consultation_id: str) -> ConsultationRecord | None:
        row = self._db.get(m.ConsultationRow, consultation_id)
        return self._record(row, self._latest(row.id)) if row is not None else None

    def all(self) -> list[ConsultationRecord]:
        latest = (
            select(
                m.ConsultationVersionRow.consultation_id,
                func.max(m.ConsultationVersionRow.version).label("latest"),
            )
            .group_by(m.ConsultationVersionRow.consultation_id)
            .subquery()
        )
        rows = self._db.execute(
            select(m.ConsultationRow, latest.c.latest)
            .join(latest, latest.c.consultation_id == m.ConsultationRow.id)
            .order_by(m.ConsultationRow.created_at.desc(), m.ConsultationRow.id)
        ).all()
        return [self._record(row, int(n)) for row, n in rows]

    def version(self, consultation_id: str, version: int) -> ConsultationVersionRecord | None:
        row = self._db.get(m.ConsultationVersionRow, (consultation_id, version))
        if row is None:
            return None
        return ConsultationVersionRecord(
            row.version, row.document, row.created_by, row.created_at, row.opened_at
        )

    def save_version(self, consultation_id: str, document: str, *, by: str, at: datetime) -> int:
        """Stores an edit; returns its version number: the latest version again while it was
        never live, else a new one."""
        row = self._db.get(m.ConsultationRow, consultation_id)
        if row is None:
            raise KeyError(consultation_id)
        latest = self._latest(consultation_id)
        now = as_utc(at)
        row.updated_at = now
        if row.live_version is None or latest > row.live_version:
            self._db.execute(
                update(m.ConsultationVersionRow)
                .where(
                    m.ConsultationVersionRow.consultation_id == consultation_id,
                    m.ConsultationVersionRow.version == latest,
                )
                .values(document=document, created_by=by, created_at=now)
            )
            return latest
        self._db.add(
            m.ConsultationVersionRow(
                consultation_id=consultation_id, version=latest + 1, document=document,
                created_by=by, created_at=now, opened_at=None,
            )
        )
        self._db.flush()
        return latest + 1

    def set_details(
        self,
        consultation_id: str,
        *,
        keyword: str,
        opens_at: datetime | None,
        closes_at: datetime | None,
        at: datetime,
    ) -> None:
        """Keyword and dates (no new version). Raises ConsultationExists for a taken keyword."""
        row = self._db.get(m.ConsultationRow, consultation_id)
        if row is None:
            raise KeyError(consultation_id)
        if self.keyword_taken(keyword, other_than=consultation_id):
            raise ConsultationExists(keyword)
        row.keyword = keyword
        row.opens_at = as_utc(opens_at) if opens_at else None
        row.closes_at = as_utc(closes_at) if closes_at else None
        row.updated_at = as_utc(at)
        self._db.flush()

    def open_version(self, consultation_id: str, version: int, at: datetime) -> None:
        """Makes `version` the one people are given (it, and every earlier one, stays frozen)."""
        row = self._db.get(m.ConsultationRow, consultation_id)
        found = self._db.get(m.ConsultationVersionRow, (consultation_id, version))
        if row is None or found is None:
            raise KeyError(consultation_id)
        now = as_utc(at)
        row.live_version = version
        row.updated_at = now
        if found.opened_at is None:
            found.opened_at = now
        self._db.flush()

    def live_documents(self) -> list[tuple[ConsultationRecord, int, str]]:
        """Every version people may be answering: (consultation, version, document) for each
        version up to each opened consultation's live one, in version order."""
        rows = self._db.execute(
            select(m.ConsultationRow, m.ConsultationVersionRow.version,
                   m.ConsultationVersionRow.document)
            .join(
                m.ConsultationVersionRow,
                m.ConsultationVersionRow.consultation_id == m.ConsultationRow.id,
            )
            .where(
                m.ConsultationRow.live_version.is_not(None),
                m.ConsultationVersionRow.version <= m.ConsultationRow.live_version,
            )
            .order_by(m.ConsultationRow.id, m.ConsultationVersionRow.version)
        ).all()
        return [(self._record(row, row.live_version or 0), v, doc) for row, v, doc in rows]

    def fingerprint(
        self,
    ) -> tuple[tuple[str, str, int | None, datetime | None, datetime | None], ...]:
        """What the flows handed to the engine depend on, read in one cheap SELECT: (id,
        keyword, live version, opens, closes) of every opened consultation. When it is
        unchanged the stored documents need not be read again."""
        rows = self._db.execute(
            select(
                m.ConsultationRow.id, m.ConsultationRow.keyword, m.ConsultationRow.live_version,
                m.ConsultationRow.opens_at, m.ConsultationRow.closes_at,
            )
            .where(m.ConsultationRow.live_version.is_not(None))
            .order_by(m.ConsultationRow.id)
        ).all()
        return tuple(
            (cid, kw, live, opens, closes) for cid, kw, live, opens, closes in rows
        )
