"""Who has been heard: the people who gave views, with what they told Heard about themselves
(only while their `about_you` consent stands) and whether they may be contacted again
(`contact_group`). Read in batches of 500 people: one SELECT each for the people, their
consents and their profile answers, plus the data keys that open the answers.

Counting, suppression and scores are not here: they are the workspace's (bot.views.reach),
which only ever publishes rounded counts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.privacy import latest_by
from storage.records import ConsentEntry, ReachPerson
from storage.repositories.rows import PROFILE_VALUE, consent

BATCH = 500
# The consents reach reads: profile answers count only under `about_you`, and only people who
# granted `contact_group` may be re-invited.
PURPOSES = ("about_you", "contact_group")


class Reach:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text

    def people(self) -> Iterator[ReachPerson]:
        """Every person with at least one view they still share (a view not withdrawn), in
        participant id order."""
        gave_views = exists().where(
            m.ViewRow.participant_id == m.ParticipantRow.id, m.ViewRow.withdrawn.is_(False)
        )
        first_channel = (
            select(func.min(m.AddressRow.channel))
            .where(m.AddressRow.participant_id == m.ParticipantRow.id)
            .scalar_subquery()
        )
        after = ""
        while True:
            batch = self._db.execute(
                select(m.ParticipantRow, first_channel)
                .where(gave_views, m.ParticipantRow.id > after)
                .order_by(m.ParticipantRow.id)
                .limit(BATCH)
            ).all()
            if not batch:
                return
            yield from self._people([(row, channel) for row, channel in batch])
            after = batch[-1][0].id

    def _people(
        self, batch: Sequence[tuple[m.ParticipantRow, str | None]]
    ) -> Iterator[ReachPerson]:
        ids = [row.id for row, _ in batch]
        consents: dict[str, list[ConsentEntry]] = {pid: [] for pid in ids}
        for entry in self._db.scalars(
            select(m.ConsentRow)
            .where(m.ConsentRow.participant_id.in_(ids), m.ConsentRow.purpose.in_(PURPOSES))
            .order_by(m.ConsentRow.id)
        ):
            consents[entry.participant_id].append(consent(entry))
        granted = {
            pid: {p: e.granted for p, e in latest_by(entries).items()}
            for pid, entries in consents.items()
        }
        answering = [pid for pid in ids if granted[pid].get("about_you", False)]
        profiles: dict[str, dict[str, str]] = {pid: {} for pid in ids}
        if answering:
            self._text.preload(answering)
            for answer in self._db.scalars(
                select(m.ProfileAnswerRow)
                .where(m.ProfileAnswerRow.participant_id.in_(answering))
                .order_by(m.ProfileAnswerRow.at, m.ProfileAnswerRow.id)
            ):
                # Later answers to a field replace earlier ones (ordered by time).
                profiles[answer.participant_id][answer.field] = self._text.open(
                    answer.participant_id, answer.value, PROFILE_VALUE
                )
        for row, channel in batch:
            yield ReachPerson(
                participant_id=row.id,
                language=row.language,
                register=row.register,
                channel=channel,
                opted_out=row.opted_out,
                about_you=granted[row.id].get("about_you", False),
                contact_group=granted[row.id].get("contact_group", False),
                profile=profiles[row.id],
            )
