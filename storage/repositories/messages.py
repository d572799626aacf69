"""The message log: every message in and out of a conversation, for the person's subject
access export and for staff following up an alert or a handover."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import models as m
from storage.records import LoggedMessage
from storage.timestamps import as_utc


class Messages:
    def __init__(self, db: Session) -> None:
        self._db = db

    def log(self, message: LoggedMessage) -> None:
        self._db.add(
            m.MessageLogRow(
                participant_id=message.participant_id,
                direction=message.direction,
                channel=message.channel,
                text=message.text,
                text_id=message.text_id,
                language=message.language,
                at=as_utc(message.at),
            )
        )
        self._db.flush()
