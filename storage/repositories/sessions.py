"""Conversation state: one JSON document per participant (bot.engine.session), read once at
the start of a turn and written once at its end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.repositories.rows import SESSION, is_postgres
from storage.timestamps import as_utc


class Sessions:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text
        self._insert = postgresql.insert if is_postgres(db) else sqlite.insert

    def load(self, participant_id: str) -> str | None:
        stored = self._db.scalar(
            select(m.SessionRow.session_json).where(m.SessionRow.participant_id == participant_id)
        )
        return self._text.open_optional(participant_id, stored, SESSION)

    def save(self, participant_id: str, session_json: str, at: datetime) -> None:
        """One statement: an insert that updates the row when the person has one already."""
        statement = self._insert(m.SessionRow).values(
            participant_id=participant_id,
            session_json=self._text.seal(participant_id, session_json, SESSION),
            updated_at=as_utc(at),
        )
        self._db.execute(
            statement.on_conflict_do_update(
                index_elements=["participant_id"],
                set_={
                    "session_json": statement.excluded.session_json,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )
