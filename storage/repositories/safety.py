"""Safeguarding alerts (a screen found a risk in what the person wrote) and requests to talk
to a person (handovers): the safety queue. Both are kept whatever the person consented to:
staff must be able to act on them. An alert outlives the person's erasure, anonymised (its
person link and words cleared, by `storage.repositories.erasure`); a request is erased with the
person.

A `safeguarding` request made in the same turn as an alert (the help reply's handover) is part
of that alert: the queue shows the alert only, and acknowledging the alert acknowledges it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import DecryptionError
from storage.personal import PersonalText
from storage.records import HandoverRequest, SafeguardingAlertRecord, SafetyItem
from storage.repositories.rows import ALERT_WORDS
from storage.timestamps import as_utc

ALERT_PREFIX = "alert-"
REQUEST_PREFIX = "request-"


def parse_item_id(item_id: str) -> tuple[str, int] | None:
    """("alert" | "request", row id) of an item id, None when it names no item."""
    for prefix, kind in ((ALERT_PREFIX, "alert"), (REQUEST_PREFIX, "request")):
        if item_id.startswith(prefix) and item_id[len(prefix) :].isdigit():
            return kind, int(item_id[len(prefix) :])
    return None


def _folded() -> ColumnElement[bool]:
    """Handover rows that belong to an alert of the same person in the same turn."""
    alert = m.SafeguardingAlertRow
    return and_(
        m.HandoverRow.reason == "safeguarding",
        exists().where(
            alert.participant_id == m.HandoverRow.participant_id, alert.at == m.HandoverRow.at
        ),
    )


class Safety:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text  # the person's words are sealed under their data key

    def record_alert(self, alert: SafeguardingAlertRecord) -> int:
        row = m.SafeguardingAlertRow(
            participant_id=alert.participant_id,
            kind=alert.kind,
            matched=alert.matched,
            language=alert.language,
            channel=alert.channel,
            at=as_utc(alert.at),
            level=alert.level,
            words=self._text.seal_optional(alert.participant_id, alert.words, ALERT_WORDS),
        )
        self._db.add(row)
        self._db.flush()
        return row.id

    def record_handover(self, request: HandoverRequest) -> int:
        row = m.HandoverRow(
            participant_id=request.participant_id,
            reason=request.reason,
            flow=request.flow,
            step=request.step,
            language=request.language,
            channel=request.channel,
            at=as_utc(request.at),
        )
        self._db.add(row)
        self._db.flush()
        return row.id

    # --- the queue

    def queue(self, *, waiting: bool | None = True, limit: int = 200) -> list[SafetyItem]:
        """Alerts and requests, oldest first. `waiting`: True only those nobody acknowledged,
        False only acknowledged ones (newest acknowledged first), None all (oldest first)."""
        alerts = select(m.SafeguardingAlertRow)
        requests = select(m.HandoverRow).where(~_folded())
        if waiting is True:
            alerts = alerts.where(m.SafeguardingAlertRow.acknowledged_at.is_(None))
            requests = requests.where(m.HandoverRow.acknowledged_at.is_(None))
        elif waiting is False:
            alerts = alerts.where(m.SafeguardingAlertRow.acknowledged_at.is_not(None))
            requests = requests.where(m.HandoverRow.acknowledged_at.is_not(None))
        if waiting is False:
            alerts = alerts.order_by(m.SafeguardingAlertRow.acknowledged_at.desc()).limit(limit)
            requests = requests.order_by(m.HandoverRow.acknowledged_at.desc()).limit(limit)
        else:
            alerts = alerts.order_by(m.SafeguardingAlertRow.at, m.SafeguardingAlertRow.id)
            requests = requests.order_by(m.HandoverRow.at, m.HandoverRow.id)
            alerts, requests = alerts.limit(limit), requests.limit(limit)
        items = [self._alert_item(row) for row in self._db.scalars(alerts)]
        items += [_request_item(row) for row in self._db.scalars(requests)]
        if waiting is False:
            items.sort(key=lambda i: (i.acknowledged_at or i.at, i.item_id), reverse=True)
        else:
            items.sort(key=lambda i: (i.at, i.type, i.number))
        return items[:limit]

    def waiting_count(self) -> int:
        """Alerts and requests that nobody has acknowledged yet."""
        alerts = self._db.scalar(
            select(func.count()).where(m.SafeguardingAlertRow.acknowledged_at.is_(None))
        )
        requests = self._db.scalar(
            select(func.count()).where(
                m.HandoverRow.acknowledged_at.is_(None),
                ~_folded(),
            )
        )
        return int(alerts or 0) + int(requests or 0)

    def item(self, item_id: str) -> SafetyItem | None:
        parsed = parse_item_id(item_id)
        if parsed is None:
            return None
        kind, number = parsed
        if kind == "alert":
            alert = self._db.get(m.SafeguardingAlertRow, number)
            return None if alert is None else self._alert_item(alert)
        request = self._db.get(m.HandoverRow, number)
        return None if request is None else _request_item(request)

    def acknowledge(self, item_id: str, by: str, outcome: str, at: datetime) -> bool:
        """Marks an item done with what was done. False when it is unknown or was already
        acknowledged (the first acknowledgement stands)."""
        parsed = parse_item_id(item_id)
        if parsed is None:
            return False
        kind, number = parsed
        values = {"acknowledged_at": as_utc(at), "acknowledged_by": by, "outcome": outcome}
        if kind == "request":
            result = self._db.execute(
                update(m.HandoverRow)
                .where(m.HandoverRow.id == number, m.HandoverRow.acknowledged_at.is_(None))
                .values(**values)
            )
            return bool(getattr(result, "rowcount", 0))
        alert = self._db.get(m.SafeguardingAlertRow, number)
        if alert is None or alert.acknowledged_at is not None:
            return False
        result = self._db.execute(
            update(m.SafeguardingAlertRow)
            .where(
                m.SafeguardingAlertRow.id == number,
                m.SafeguardingAlertRow.acknowledged_at.is_(None),
            )
            .values(**values)
        )
        if alert.participant_id is not None:
            self._db.execute(
                update(m.HandoverRow)
                .where(
                    m.HandoverRow.participant_id == alert.participant_id,
                    m.HandoverRow.at == alert.at,
                    m.HandoverRow.reason == "safeguarding",
                    m.HandoverRow.acknowledged_at.is_(None),
                )
                .values(**values)
            )
        self._db.expire_all()
        return bool(getattr(result, "rowcount", 0))

    # --- notices to the team (bot.workspace.notify)

    def unnotified_alerts(self, limit: int = 50) -> list[SafetyItem]:
        rows = self._db.scalars(
            select(m.SafeguardingAlertRow)
            .where(m.SafeguardingAlertRow.notified_at.is_(None))
            .order_by(m.SafeguardingAlertRow.id)
            .limit(limit)
        )
        return [self._alert_item(row) for row in rows]

    def unnotified_requests(self, limit: int = 50) -> list[SafetyItem]:
        """Requests to talk to a person not yet announced (a safeguarding request that is part
        of an alert is announced with the alert)."""
        rows = self._db.scalars(
            select(m.HandoverRow)
            .where(m.HandoverRow.notified_at.is_(None), ~_folded())
            .order_by(m.HandoverRow.id)
            .limit(limit)
        )
        return [_request_item(row) for row in rows]

    def mark_notified(self, number: int, at: datetime) -> None:
        """Marks the alert `number` announced."""
        self._db.execute(
            update(m.SafeguardingAlertRow)
            .where(m.SafeguardingAlertRow.id == number)
            .values(notified_at=as_utc(at))
        )

    def mark_request_notified(self, number: int, at: datetime) -> None:
        self._db.execute(
            update(m.HandoverRow).where(m.HandoverRow.id == number).values(notified_at=as_utc(at))
        )


    def _alert_item(self, row: m.SafeguardingAlertRow) -> SafetyItem:
        return _alert_item(row, self._words(row))

    def _words(self, row: m.SafeguardingAlertRow) -> str | None:
        """The person's words, opened with their data key; None once anonymised or unreadable
        (the key destroyed by an erasure)."""
        if row.participant_id is None or row.words is None:
            return None
        try:
            return self._text.open(row.participant_id, row.words, ALERT_WORDS)
        except DecryptionError:
            return None


def _alert_item(row: m.SafeguardingAlertRow, words: str | None) -> SafetyItem:
    return SafetyItem(
        item_id=f"{ALERT_PREFIX}{row.id}",
        type="alert",
        number=row.id,
        reason=row.kind,
        level=row.level,
        words=words,
        language=row.language,
        channel=row.channel,
        at=row.at,
        participant_id=row.participant_id,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        outcome=row.outcome,
        anonymised=row.anonymised_at is not None,
    )


def _request_item(row: m.HandoverRow) -> SafetyItem:
    return SafetyItem(
        item_id=f"{REQUEST_PREFIX}{row.id}",
        type="request",
        number=row.id,
        reason=row.reason,
        level=None,
        words=None,
        language=row.language,
        channel=row.channel,
        at=row.at,
        participant_id=row.participant_id,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        outcome=row.outcome,
    )
