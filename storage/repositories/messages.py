"""The message log: every message in and out of a conversation, for the person's subject
access export and for staff following up an alert or a handover. Its words are kept only for a
person who agreed to share their views (bot.service.conversation), and only for the message
log's retention (bot.retention)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.records import LoggedMessage
from storage.repositories.rows import MESSAGE_TEXT
from storage.timestamps import as_utc

_LOG = insert(m.MessageLogRow.__table__)  # type: ignore[arg-type]  # a Table, typed as FromClause


class Messages:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text

    def log(self, *messages: LoggedMessage) -> None:
        """Logs messages in the order given, in one statement. A `text` of None logs that a
        message passed without keeping its words."""
        if not messages:
            return
        # The table's own INSERT, executed for many rows: the ORM's bulk path would build and
        # check mapped objects for rows nothing reads back.
        self._db.execute(
            _LOG,
            [
                {
                    "participant_id": message.participant_id,
                    "direction": message.direction,
                    "channel": message.channel,
                    "text": self._text.seal_optional(
                        message.participant_id, message.text, MESSAGE_TEXT
                    ),
                    "text_id": message.text_id,
                    "language": message.language,
                    "at": as_utc(message.at),
                }
                for message in messages
            ],
        )

    def clear_text(self, before: datetime) -> int:
        """Forgets the text of messages sent or received before `before` (the row stays:
        direction, channel, text id, language, time); returns how many texts were cleared."""
        result = self._db.execute(
            update(m.MessageLogRow)
            .where(m.MessageLogRow.at < as_utc(before), m.MessageLogRow.text.is_not(None))
            .values(text=None)
            .execution_options(synchronize_session=False)
        )
        self._db.expire_all()
        return int(getattr(result, "rowcount", 0) or 0)
