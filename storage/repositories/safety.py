"""Safeguarding alerts (a screen found a risk in what the person wrote) and requests to talk
to a person (handovers). Both are kept whatever the person consented to: staff must be able
to act on them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import HandoverRequest, SafeguardingAlertRecord
from storage.timestamps import as_utc


class Safety:
    def __init__(self, db: Session) -> None:
        self._db = db

    def record_alert(self, alert: SafeguardingAlertRecord) -> None:
        self._db.add(
            m.SafeguardingAlertRow(
                participant_id=alert.participant_id,
                kind=alert.kind,
                matched=alert.matched,
                language=alert.language,
                channel=alert.channel,
                at=as_utc(alert.at),
            )
        )
        self._db.flush()

    def record_handover(self, request: HandoverRequest) -> None:
        self._db.add(
            m.HandoverRow(
                participant_id=request.participant_id,
                reason=request.reason,
                flow=request.flow,
                step=request.step,
                language=request.language,
                channel=request.channel,
                at=as_utc(request.at),
            )
        )
        self._db.flush()

    def waiting_count(self) -> int:
        """Alerts and requests to talk to a person that nobody has acknowledged yet (a
        safeguarding handover is acknowledged with its alert)."""
        alerts = self._db.scalar(
            select(func.count()).where(m.SafeguardingAlertRow.acknowledged_at.is_(None))
        )
        handovers = self._db.scalar(
            select(func.count()).where(
                m.HandoverRow.acknowledged_at.is_(None), m.HandoverRow.reason != "safeguarding"
            )
        )
        return int(alerts or 0) + int(handovers or 0)
