"""Consent: append-only. A withdrawal is a new entry with granted=False; the latest entry per
purpose is what holds (for equal times, the one recorded last)."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.privacy import latest_by
from storage.records import ConsentEntry
from storage.repositories import tallies
from storage.repositories.rows import consent
from storage.timestamps import as_utc

# Built once: a turn reads the person's consent every time.
_HISTORY = (
    select(m.ConsentRow)
    .where(m.ConsentRow.participant_id == bindparam("participant_id"))
    .order_by(m.ConsentRow.id)
)


class Consent:
    def __init__(self, db: Session) -> None:
        self._db = db

    def record(self, entry: ConsentEntry) -> None:
        self._db.add(
            m.ConsentRow(
                participant_id=entry.participant_id,
                purpose=entry.purpose,
                granted=entry.granted,
                text_id=entry.text_id,
                language=entry.language,
                channel=entry.channel,
                at=as_utc(entry.at),
            )
        )
        self._db.flush()
        if entry.purpose == "share_views":
            # The views inbox hides the views of someone who withdrew (and shows them again
            # if they agree again); kept here so no reader has to work out latest consents.
            changed = self._db.execute(
                update(m.ViewRow)
                .where(
                    m.ViewRow.participant_id == entry.participant_id,
                    m.ViewRow.withdrawn == entry.granted,
                )
                .values(withdrawn=not entry.granted)
                .returning(*tallies.KEY_COLUMNS, m.ViewRow.superseded)
            ).all()
            listed = (r for r in changed if not r.superseded)
            tallies.bump(self._db, tallies.tally(listed, 1 if entry.granted else -1))

    def latest(self, participant_id: str) -> dict[str, bool]:
        """Whether each purpose is granted now (the latest entry per purpose)."""
        return {
            purpose: entry.granted
            for purpose, entry in latest_by(self.history(participant_id)).items()
        }

    def history(self, participant_id: str) -> list[ConsentEntry]:
        rows = self._db.scalars(_HISTORY, {"participant_id": participant_id})
        return [consent(row) for row in rows]
