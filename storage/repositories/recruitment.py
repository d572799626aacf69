"""Working groups' recruitment pipelines: who is interested in a group, contacted, joined or
declined, and every move with who made it and when.

Interest comes from the bot's join flow (`group_interests`, stored only under contact_group).
A person whose latest interest names one of a group's topics (or any person interested, for a
group with no topics) is `interested` in it until someone moves them; a move writes their row
in `group_recruits` and a `group_moves` entry. The topics are sealed under each person's data
key, so matching runs here over opened records, never in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.records import PIPELINE_STAGES, GroupInterest, GroupMove, Recruit
from storage.repositories import rows
from storage.timestamps import as_utc

CONTACT_GROUP = "contact_group"
INTERESTED = "interested"


class UnknownStage(ValueError):
    """Not one of storage.records.PIPELINE_STAGES."""


def _move(row: m.GroupMoveRow) -> GroupMove:
    return GroupMove(
        row.group_id, row.participant_id, row.from_stage, row.to_stage, row.invited, row.by,
        row.at,
    )


class Recruitment:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text

    def _latest_interests(self, only: Iterable[str] | None = None) -> dict[str, GroupInterest]:
        query = select(m.GroupInterestRow).order_by(m.GroupInterestRow.id)
        if only is not None:
            query = query.where(m.GroupInterestRow.participant_id.in_(list(only)))
        found = list(self._db.scalars(query))
        self._text.preload(row.participant_id for row in found)
        latest: dict[str, GroupInterest] = {}
        for row in found:  # in id order: the last one per person stands
            latest[row.participant_id] = rows.group_interest(row, self._text)
        return latest

    def _contact_consent(self, participant_ids: list[str]) -> dict[str, bool]:
        granted: dict[str, bool] = {}
        for chunk in _chunks(participant_ids):
            query = (
                select(m.ConsentRow.participant_id, m.ConsentRow.granted)
                .where(
                    m.ConsentRow.purpose == CONTACT_GROUP,
                    m.ConsentRow.participant_id.in_(chunk),
                )
                .order_by(m.ConsentRow.id)
            )
            for pid, ok in self._db.execute(query):
                granted[pid] = ok
        return granted

    def pipeline(self, group_id: int, topics: Iterable[str]) -> list[Recruit]:
        """Everyone in the group's pipeline, by stage (interested, contacted, joined,
        declined), then by when they said they were interested. `topics`: the group's."""
        return self.pipelines([(group_id, tuple(topics))])[group_id]

    def pipelines(
        self, groups: Sequence[tuple[int, Iterable[str]]]
    ) -> dict[int, list[Recruit]]:
        """`pipeline` for several groups (id, topics), reading people's interest once."""
        interests = self._latest_interests()
        consents = self._contact_consent(list(interests))
        people = {
            row.id: row
            for chunk in _chunks(list(interests))
            for row in self._db.scalars(
                select(m.ParticipantRow).where(m.ParticipantRow.id.in_(chunk))
            )
        }
        ids = [group_id for group_id, _ in groups]
        placed: dict[int, dict[str, m.GroupRecruitRow]] = {group_id: {} for group_id in ids}
        if ids:
            for recruit_row in self._db.scalars(
                select(m.GroupRecruitRow).where(m.GroupRecruitRow.group_id.in_(ids))
            ):
                placed[recruit_row.group_id][recruit_row.participant_id] = recruit_row
        order = {stage: n for n, stage in enumerate(PIPELINE_STAGES)}
        result: dict[int, list[Recruit]] = {}
        for group_id, topics in groups:
            wanted = set(topics)
            found: list[Recruit] = []
            for pid, interest in interests.items():
                row = placed[group_id].get(pid)
                consented = consents.get(pid, False)
                if row is None:
                    matches = not wanted or bool(wanted.intersection(interest.topics))
                    if not (matches and consented):
                        continue
                found.append(_recruit(pid, interest, row, people.get(pid), consented))
            found.sort(key=lambda r: (order.get(r.stage, 9), r.interested_at, r.participant_id))
            result[group_id] = found
        return result

    def recruit(self, group_id: int, topics: Iterable[str], participant_id: str) -> Recruit | None:
        """One person's place in the group's pipeline (None: not in it)."""
        for found in self.pipeline(group_id, topics):
            if found.participant_id == participant_id:
                return found
        return None

    def stage_of(self, group_id: int, participant_id: str) -> str | None:
        """The stage a move left the person at (None: never moved)."""
        return self._db.scalar(
            select(m.GroupRecruitRow.stage).where(
                m.GroupRecruitRow.group_id == group_id,
                m.GroupRecruitRow.participant_id == participant_id,
            )
        )

    def move(
        self,
        group_id: int,
        participant_id: str,
        stage: str,
        by: str | None,
        at: datetime,
        *,
        invited_for: str | None = None,
        invited: bool = False,
    ) -> GroupMove:
        """Puts the person at `stage` and records the move (`by`: a coordinator's email, None
        for the person's own reply). A date given with an invitation is kept until the next
        invitation."""
        if stage not in PIPELINE_STAGES:
            raise UnknownStage(stage)
        row = self._db.scalars(
            select(m.GroupRecruitRow).where(
                m.GroupRecruitRow.group_id == group_id,
                m.GroupRecruitRow.participant_id == participant_id,
            )
        ).first()
        before = row.stage if row is not None else INTERESTED
        if row is None:
            row = m.GroupRecruitRow(group_id=group_id, participant_id=participant_id)
            self._db.add(row)
        row.stage = stage
        row.updated_at = as_utc(at)
        row.updated_by = by
        if invited_for is not None:
            row.invited_for = invited_for
        entry = m.GroupMoveRow(
            group_id=group_id, participant_id=participant_id, from_stage=before,
            to_stage=stage, invited=invited, by=by, at=as_utc(at),
        )
        self._db.add(entry)
        self._db.flush()
        return _move(entry)

    def moves(self, group_id: int, limit: int = 200) -> list[GroupMove]:
        """The group's pipeline moves, newest first."""
        query = (
            select(m.GroupMoveRow)
            .where(m.GroupMoveRow.group_id == group_id)
            .order_by(m.GroupMoveRow.id.desc())
            .limit(limit)
        )
        return [_move(row) for row in self._db.scalars(query)]


def _recruit(
    pid: str,
    interest: GroupInterest,
    row: m.GroupRecruitRow | None,
    person: m.ParticipantRow | None,
    consented: bool,
) -> Recruit:
    opted_out = person.opted_out if person is not None else True
    return Recruit(
        participant_id=pid,
        stage=row.stage if row is not None else INTERESTED,
        topics=interest.topics,
        availability=interest.availability,
        access_needs=interest.access_needs,
        interpreter_language=interest.interpreter_language,
        contact_method=interest.contact_method,
        language=(person.language if person is not None else None) or interest.language,
        register=person.register if person is not None else "standard",
        channel=interest.channel,
        interested_at=interest.at,
        updated_at=row.updated_at if row is not None else None,
        updated_by=row.updated_by if row is not None else None,
        invited_for=row.invited_for if row is not None else None,
        can_invite=consented and not opted_out,
    )


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
