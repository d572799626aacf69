"""Who has been heard: the people who gave views, with what they told Heard about themselves
(only while their `about_you` consent stands) and whether they may be contacted again
(`contact_group`). Read in batches of 500 people: one SELECT each for the people, their
consents and their profile answers, plus the data keys that open the answers.

Counting, suppression and scores are not here: they are the workspace's (bot.views.reach),
which only ever publishes rounded counts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Row, exists, func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.records import ReachPerson
from storage.repositories.rows import PROFILE_VALUE

BATCH = 500
# id, language, register, opted_out, the channel of the first address
PersonColumns = tuple[str, str | None, str, bool, str | None]
# The consents reach reads: profile answers count only under `about_you`, and only people who
# granted `contact_group` may be re-invited.
PURPOSES = ("about_you", "contact_group")


class Reach:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text

    def people(self) -> Iterator[ReachPerson]:
        """Every person with at least one view they still share (a view not withdrawn), in
        participant id order. Columns, not ORM rows: this reads every such person."""
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
                select(
                    m.ParticipantRow.id,
                    m.ParticipantRow.language,
                    m.ParticipantRow.register,
                    m.ParticipantRow.opted_out,
                    first_channel,
                )
                .where(gave_views, m.ParticipantRow.id > after)
                .order_by(m.ParticipantRow.id)
                .limit(BATCH)
            ).all()
            if not batch:
                return
            yield from self._people(batch)
            after = batch[-1][0]

    def _people(self, batch: Sequence[Row[Any]]) -> Iterator[ReachPerson]:
        people: list[PersonColumns] = [cast(PersonColumns, tuple(row)) for row in batch]
        ids = [person[0] for person in people]
        # The latest entry per purpose holds; for equal times, the one recorded last
        # (storage.privacy.latest_by), hence the order by time, then id.
        granted: dict[str, dict[str, bool]] = {pid: {} for pid in ids}
        for pid, purpose, is_granted in self._db.execute(
            select(m.ConsentRow.participant_id, m.ConsentRow.purpose, m.ConsentRow.granted)
            .where(m.ConsentRow.participant_id.in_(ids), m.ConsentRow.purpose.in_(PURPOSES))
            .order_by(m.ConsentRow.at, m.ConsentRow.id)
        ):
            granted[pid][purpose] = is_granted
        answering = [pid for pid in ids if granted[pid].get("about_you", False)]
        profiles: dict[str, dict[str, str]] = {pid: {} for pid in ids}
        if answering:
            self._text.preload(answering)
            for pid, field, value in self._db.execute(
                select(
                    m.ProfileAnswerRow.participant_id,
                    m.ProfileAnswerRow.field,
                    m.ProfileAnswerRow.value,
                )
                .where(m.ProfileAnswerRow.participant_id.in_(answering))
                .order_by(m.ProfileAnswerRow.at, m.ProfileAnswerRow.id)
            ):
                # Later answers to a field replace earlier ones (ordered by time).
                profiles[pid][field] = self._text.open(pid, value, PROFILE_VALUE)
        for pid, language, register, opted_out, channel in people:
            yield ReachPerson(
                participant_id=pid,
                language=language,
                register=register,
                channel=channel,
                opted_out=opted_out,
                about_you=granted[pid].get("about_you", False),
                contact_group=granted[pid].get("contact_group", False),
                profile=profiles[pid],
            )
