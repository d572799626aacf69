"""Conversation state: one JSON document per participant (bot.engine.session), read once at
the start of a turn and written once at its end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.repositories.rows import SESSION, is_postgres
from storage.timestamps import as_utc


def _upsert(insert: Any) -> Any:
    statement = insert(m.SessionRow)
    return statement.on_conflict_do_update(
        index_elements=["participant_id"],
        set_={
            "session_json": statement.excluded.session_json,
            "updated_at": statement.excluded.updated_at,
        },
    )


# Built once: a statement with `excluded` copies the table's columns each time it is made,
# and a turn saves a session every time. The values arrive as parameters.
_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}
_LOAD = select(m.SessionRow.session_json).where(
    m.SessionRow.participant_id == bindparam("participant_id")
)


class Sessions:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text
        self._upsert = _UPSERT["postgresql" if is_postgres(db) else "sqlite"]

    def load(self, participant_id: str) -> str | None:
        stored = self._db.scalar(_LOAD, {"participant_id": participant_id})
        return self._text.open_optional(participant_id, stored, SESSION)

    def save(self, participant_id: str, session_json: str, at: datetime) -> None:
        """One statement: an insert that updates the row when the person has one already."""
        self._db.execute(
            self._upsert,
            {
                "participant_id": participant_id,
                "session_json": self._text.seal(participant_id, session_json, SESSION),
                "updated_at": as_utc(at),
            },
        )
