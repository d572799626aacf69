"""Answers about the person rather than a consultation: "about you" profile answers (stored
only with `about_you` consent) and interest in the working group (only with `contact_group`)."""

from __future__ import annotations

import json

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.records import GroupInterest, ProfileAnswer
from storage.repositories.rows import GROUP_ACCESS, GROUP_AVAILABILITY, GROUP_TOPICS, PROFILE_VALUE
from storage.timestamps import as_utc


class Answers:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text

    def save_profile(self, answer: ProfileAnswer) -> None:
        self._db.add(
            m.ProfileAnswerRow(
                participant_id=answer.participant_id,
                field=answer.field,
                value=self._text.seal(answer.participant_id, answer.value, PROFILE_VALUE),
                at=as_utc(answer.at),
            )
        )
        self._db.flush()

    def withdraw_profile(self, participant_id: str, field: str) -> None:
        """Deletes the person's answers to a profile field they went BACK to and answered
        again, before the new one is saved."""
        self._db.execute(
            delete(m.ProfileAnswerRow).where(
                m.ProfileAnswerRow.participant_id == participant_id,
                m.ProfileAnswerRow.field == field,
            )
        )

    def save_group_interest(self, interest: GroupInterest) -> None:
        pid = interest.participant_id

        def sealed(values: tuple[str, ...], purpose: str) -> str:
            return self._text.seal(pid, json.dumps(list(values), ensure_ascii=False), purpose)

        self._db.add(
            m.GroupInterestRow(
                participant_id=pid,
                topics_json=sealed(interest.topics, GROUP_TOPICS),
                availability_json=sealed(interest.availability, GROUP_AVAILABILITY),
                access_needs_json=sealed(interest.access_needs, GROUP_ACCESS),
                interpreter_language=interest.interpreter_language,
                contact_method=interest.contact_method,
                language=interest.language,
                channel=interest.channel,
                at=as_utc(interest.at),
            )
        )
        self._db.flush()
