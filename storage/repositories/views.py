"""Views: what people said in a consultation, with the question as they saw it. Stored only
while `share_views` consent is granted (bot.service.conversation checks it); coordinators read
them with `all`."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

from sqlalchemy import bindparam, delete, insert, not_, select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.records import ViewRecord
from storage.repositories import tallies
from storage.repositories.rows import VIEW_ANSWER, VIEW_ORIGINAL, view
from storage.timestamps import as_utc

# Built once: what a new answer supersedes (the person's current answer to the question).
_SUPERSEDE = (
    update(m.ViewRow)
    .where(
        m.ViewRow.participant_id == bindparam("b_participant_id"),
        m.ViewRow.flow == bindparam("b_flow"),
        m.ViewRow.question_id == bindparam("b_question_id"),
        not_(m.ViewRow.superseded),
    )
    .values(superseded=True)
    .returning(*tallies.KEY_COLUMNS, m.ViewRow.withdrawn)
    # No object of this unit of work is an earlier view: nothing in memory to bring in step.
    .execution_options(synchronize_session=False)
)


# The table's own INSERT: nothing in the unit of work reads the new view back as an object, so
# the ORM's flush (object state, identity map) is cost without use. Status, superseded and
# withdrawn take their server defaults.
_ADD = insert(m.ViewRow.__table__)  # type: ignore[arg-type]  # a Table, typed as FromClause


class Views:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text

    def save(self, record: ViewRecord) -> None:
        """Stores a view; the person's earlier answers to the same question become its answer
        history (superseded: no longer listed in the views inbox)."""
        earlier = self._db.execute(
            _SUPERSEDE,
            {
                "b_participant_id": record.participant_id,
                "b_flow": record.flow,
                "b_question_id": record.question_id,
            },
        ).all()
        deltas = tallies.tally((r for r in earlier if not r.withdrawn), -1)
        new_key = tallies.key(
            SimpleNamespace(
                consultation=record.consultation, question_id=record.question_id,
                language=record.language, register=record.register, channel=record.channel,
                status="new",
            )
        )
        deltas[new_key] = deltas.get(new_key, 0) + 1
        tallies.bump(self._db, deltas)
        pid = record.participant_id
        self._db.execute(
            _ADD,
            {
                "view_id": record.view_id,
                "participant_id": record.participant_id,
                "consultation": record.consultation,
                "flow": record.flow,
                "question_id": record.question_id,
                "question_text": record.question_text,
                "answer_value": self._text.seal(pid, record.answer_value, VIEW_ANSWER),
                "original_text": self._text.seal(pid, record.original_text, VIEW_ORIGINAL),
                "language": record.language,
                "register": record.register,
                "channel": record.channel,
                "at": as_utc(record.at),
                "consultation_version": record.consultation_version,
            },
        )

    def withdraw(self, participant_id: str, flow: str, question_id: str) -> None:
        """Deletes the person's current view of a question they went BACK to and answered
        again, before the new one is saved, so an answer is replaced and never kept twice.
        Answers from earlier runs of the consultation stay as its answer history."""
        current = select(m.ViewRow.view_id, *tallies.KEY_COLUMNS, m.ViewRow.withdrawn).where(
            m.ViewRow.participant_id == participant_id,
            m.ViewRow.flow == flow,
            m.ViewRow.question_id == question_id,
            not_(m.ViewRow.superseded),
        )
        rows = self._db.execute(current).all()
        if rows:
            tallies.bump(self._db, tallies.tally((r for r in rows if not r.withdrawn), -1))
            delete_views(self._db, [r.view_id for r in rows])

    def all(self, consultation: str | None = None) -> Iterator[ViewRecord]:
        """Every view (of one consultation, when given), oldest first."""
        query = select(m.ViewRow).order_by(m.ViewRow.at, m.ViewRow.view_id)
        if consultation is not None:
            query = query.where(m.ViewRow.consultation == consultation)
        rows = list(self._db.scalars(query))
        self._text.preload(row.participant_id for row in rows)
        return iter([view(row, self._text) for row in rows])


def delete_views(db: Session, view_ids: list[str]) -> None:
    """Deletes views with their tags, notes and shares (children first: no cascades)."""
    for table in (m.ViewThemeRow, m.ViewNoteRow, m.ViewShareRow):
        db.execute(delete(table).where(table.view_id.in_(view_ids)))
    db.execute(delete(m.ViewRow).where(m.ViewRow.view_id.in_(view_ids)))
