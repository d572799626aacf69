"""Row to record conversions shared by the repositories: records (storage.records) are what
crosses the store's boundary, never SQLAlchemy rows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.personal import PersonalText
from storage.records import (
    ConsentEntry,
    GroupInterest,
    InboxItem,
    InboxStatus,
    LoggedMessage,
    OutboxMessage,
    OutboxStatus,
    Participant,
    ProfileAnswer,
    ViewRecord,
)
from storage.timestamps import as_utc

INBOX_PURPOSE = "inbox"  # the cipher's purpose for inbox payloads

# The purposes (associated data) of people's words sealed under their data key
# (storage.personal): one per column, so a value cannot be moved to another column and read.
VIEW_ANSWER = "views.answer_value"
VIEW_ORIGINAL = "views.original_text"
PROFILE_VALUE = "profile_answers.value"
MESSAGE_TEXT = "message_log.text"
GROUP_TOPICS = "group_interests.topics_json"
GROUP_AVAILABILITY = "group_interests.availability_json"
GROUP_ACCESS = "group_interests.access_needs_json"
SESSION = "sessions.session_json"
# For the words that raised a safeguarding alert, when a column keeps them: seal them with
# `uow.text.seal(participant_id, words, ALERT_WORDS)`, open them with `uow.text.open`.
ALERT_WORDS = "safeguarding_alerts.words"


def is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def of_person(table: Any, participant_id: str) -> Select[Any]:
    """A person's rows of a table with an integer `id`, in the order they were written."""
    return select(table).where(table.participant_id == participant_id).order_by(table.id)


def utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def participant(row: m.ParticipantRow) -> Participant:
    return Participant(row.id, row.created_at, row.language, row.register, row.opted_out)


def consent(row: m.ConsentRow) -> ConsentEntry:
    return ConsentEntry(
        row.participant_id, row.purpose, row.granted, row.text_id, row.language, row.channel, row.at
    )


def view(row: m.ViewRow, text: PersonalText) -> ViewRecord:
    """The record of a view row, its words opened with the person's data key."""
    pid = row.participant_id
    return ViewRecord(
        view_id=row.view_id,
        participant_id=row.participant_id,
        consultation=row.consultation,
        flow=row.flow,
        question_id=row.question_id,
        question_text=row.question_text,
        answer_value=text.open(pid, row.answer_value, VIEW_ANSWER),
        original_text=text.open(pid, row.original_text, VIEW_ORIGINAL),
        language=row.language,
        register=row.register,
        channel=row.channel,
        at=row.at,
        consultation_version=row.consultation_version,
    )


def group_interest(row: m.GroupInterestRow, text: PersonalText) -> GroupInterest:
    pid = row.participant_id
    return GroupInterest(
        participant_id=pid,
        topics=tuple(json.loads(text.open(pid, row.topics_json, GROUP_TOPICS))),
        availability=tuple(json.loads(text.open(pid, row.availability_json, GROUP_AVAILABILITY))),
        access_needs=tuple(json.loads(text.open(pid, row.access_needs_json, GROUP_ACCESS))),
        interpreter_language=row.interpreter_language,
        contact_method=row.contact_method,
        language=row.language,
        channel=row.channel,
        at=row.at,
    )


def profile_answer(row: m.ProfileAnswerRow, text: PersonalText) -> ProfileAnswer:
    value = text.open(row.participant_id, row.value, PROFILE_VALUE)
    return ProfileAnswer(row.participant_id, row.field, value, row.at)


def logged_message(row: m.MessageLogRow, text: PersonalText) -> LoggedMessage:
    words = text.open_optional(row.participant_id, row.text, MESSAGE_TEXT)
    return LoggedMessage(
        row.participant_id, row.direction, row.channel, words, row.text_id, row.language, row.at
    )


def inbox_item(row: m.InboxRow, cipher: AddressCipher, *, strict: bool = True) -> InboxItem:
    """DecryptionError for a payload that cannot be decrypted, unless not `strict` (erasure and
    subject access), when such a payload reads as empty."""
    payload: dict[str, Any] = {}
    if row.payload_ciphertext is not None:
        try:
            payload = cipher.decrypt_json(row.payload_ciphertext, INBOX_PURPOSE)
        except DecryptionError:
            if strict:
                raise
    return InboxItem(
        item_id=row.id,
        channel=row.channel,
        provider_key=row.provider_key,
        payload=payload,
        received_at=row.received_at,
        status=cast(InboxStatus, row.status),
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        processed_at=row.processed_at,
        error=row.error,
        participant_id=row.participant_id,
    )


def outbox_message(row: m.OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        message_id=row.id,
        participant_id=row.participant_id,
        channel=row.channel,
        text=row.text,
        created_at=row.created_at,
        choices=tuple(json.loads(row.choices_json)),
        language=row.language,
        encoding=row.encoding,
        segments=row.segments,
        status=cast(OutboxStatus, row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        provider_message_id=row.provider_message_id,
        last_error=row.last_error,
        sent_at=row.sent_at,
        failed_at=row.failed_at,
        delivery_status=row.delivery_status,
        delivery_error_code=row.delivery_error_code,
        bulk=row.bulk,
    )
