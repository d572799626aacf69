"""The population baseline a coordinator uploaded (bot.views.reach checks it first): one
share per dimension and category. `replace` swaps the whole baseline in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import Baseline, BaselineShare
from storage.timestamps import as_utc


class Baselines:
    def __init__(self, db: Session) -> None:
        self._db = db

    def replace(
        self, shares: Sequence[BaselineShare], source: str, by: str, at: datetime
    ) -> None:
        self._db.execute(delete(m.BaselineShareRow))
        self._db.add_all(
            m.BaselineShareRow(
                dimension=share.dimension,
                category=share.category,
                share=share.share,
                source=source[:500],
                uploaded_by=by,
                uploaded_at=as_utc(at),
            )
            for share in shares
        )
        self._db.flush()

    def current(self) -> Baseline | None:
        rows = list(
            self._db.scalars(
                select(m.BaselineShareRow).order_by(
                    m.BaselineShareRow.dimension, m.BaselineShareRow.category
                )
            )
        )
        if not rows:
            return None
        return Baseline(
            shares=tuple(BaselineShare(r.dimension, r.category, r.share) for r in rows),
            source=rows[0].source,
            uploaded_by=rows[0].uploaded_by,
            uploaded_at=rows[0].uploaded_at,
        )
