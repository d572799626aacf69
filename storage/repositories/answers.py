"""Answers about the person rather than a consultation: "about you" profile answers (stored
only with `about_you` consent) and interest in the working group (only with `contact_group`)."""

from __future__ import annotations

import json

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import GroupInterest, ProfileAnswer
from storage.timestamps import as_utc


class Answers:
    def __init__(self, db: Session) -> None:
        self._db = db

    def save_profile(self, answer: ProfileAnswer) -> None:
        self._db.add(
            m.ProfileAnswerRow(
                participant_id=answer.participant_id,
                field=answer.field,
                value=answer.value,
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
        self._db.add(
            m.GroupInterestRow(
                participant_id=interest.participant_id,
                topics_json=json.dumps(list(interest.topics), ensure_ascii=False),
                availability_json=json.dumps(list(interest.availability), ensure_ascii=False),
                access_needs_json=json.dumps(list(interest.access_needs), ensure_ascii=False),
                interpreter_language=interest.interpreter_language,
                contact_method=interest.contact_method,
                language=interest.language,
                channel=interest.channel,
                at=as_utc(interest.at),
            )
        )
        self._db.flush()
