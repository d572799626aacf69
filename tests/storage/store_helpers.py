"""Records, times and database dumps for the store tests."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect, text

from storage.records import (
    ConsentEntry,
    GroupInterest,
    HandoverRequest,
    LoggedMessage,
    OutboxMessage,
    ProfileAnswer,
    SafeguardingAlertRecord,
    ViewRecord,
)
from storage.sql import SqlStore
from storage.unit_of_work import UnitOfWork

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PHONE = "+447700900123"  # Ofcom drama number
PHONE_FORMS = ("+447700900123", "447700900123", "07700900123")
OTHER_PHONE = "+447700900456"
CHAT_ID = "555000111"


def at(minutes: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes)


def view(
    participant_id: str, view_id: str, answer: str, minutes: float = 0, **kw: str
) -> ViewRecord:
    return ViewRecord(
        view_id=view_id,
        participant_id=participant_id,
        consultation=kw.get("consultation", "day-services-2026"),
        flow="have_your_say",
        question_id=kw.get("question_id", "q_matters"),
        question_text="What matters most to you?",
        answer_value=answer,
        original_text=kw.get("original", answer),
        language=kw.get("language", "en"),
        register="standard",
        channel=kw.get("channel", "sms"),
        at=at(minutes),
    )


def consent(participant_id: str, purpose: str, granted: bool, minutes: float) -> ConsentEntry:
    return ConsentEntry(
        participant_id, purpose, granted, f"consent.{purpose}", "en", "sms", at(minutes)
    )


def everything_about(participant_id: str, secret_words: str) -> list[object]:
    """One record of every kind, each carrying the person's own words where a kind has text."""
    return [
        consent(participant_id, "share_views", True, 1),
        view(participant_id, f"v-{participant_id[:8]}", secret_words, 2, original=secret_words),
        ProfileAnswer(participant_id, "age_band", "25-34", at(3)),
        GroupInterest(
            participant_id,
            ("housing", "transport"),
            ("evenings",),
            ("step_free",),
            "pl",
            "sms",
            "en",
            "sms",
            at(4),
        ),
        HandoverRequest(participant_id, "asked", "have_your_say", "q_matters", "en", "sms", at(5)),
        SafeguardingAlertRecord(
            participant_id, "risk_to_self", "keyword", "en", "sms", at(6), "check", secret_words
        ),
        LoggedMessage(participant_id, "in", "sms", secret_words, None, "en", at(7)),
        LoggedMessage(participant_id, "out", "sms", "Thank you", "hys.thanks", "en", at(8)),
    ]


def outgoing(
    message_id: str, participant_id: str | None, minutes: float = 0, **kw: str
) -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id,
        participant_id=participant_id,
        channel=kw.get("channel", "sms"),
        text=kw.get("text", f"message {message_id}"),
        created_at=at(minutes),
        choices=("Yes", "No"),
        language="en",
        encoding="gsm7",
        segments=1,
    )


LEASE = 60.0


def sms(sid: str, sender: str = PHONE, body: str = "hello") -> dict[str, Any]:
    return {"MessageSid": sid, "From": sender, "To": "+447700900000", "Body": body}


def telegram(update_id: int, chat_id: int = int(CHAT_ID), words: str = "hi") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {"message_id": 7, "chat": {"id": chat_id, "type": "private"}, "text": words},
    }


def apply(uow: UnitOfWork, records: list[object]) -> None:
    for record in records:
        match record:
            case ConsentEntry():
                uow.consent.record(record)
            case ViewRecord():
                uow.views.save(record)
            case ProfileAnswer():
                uow.answers.save_profile(record)
            case GroupInterest():
                uow.answers.save_group_interest(record)
            case HandoverRequest():
                uow.safety.record_handover(record)
            case SafeguardingAlertRecord():
                uow.safety.record_alert(record)
            case LoggedMessage():
                uow.messages.log(record)
            case _:
                raise TypeError(type(record).__name__)


def dump(store: SqlStore) -> str:
    """Every value the store holds, as text: SQLite's own dump of the file, and every column of
    every table cast to text on PostgreSQL."""
    engine = store.engine
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        assert path
        file = sqlite3.connect(path)
        try:
            return "\n".join(file.iterdump())
        finally:
            file.close()
    lines: list[str] = []
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            columns = [column["name"] for column in inspector.get_columns(table)]
            selected = ", ".join(f'CAST("{name}" AS TEXT)' for name in columns)
            for row in connection.execute(text(f'SELECT {selected} FROM "{table}"')):
                lines.append(f"{table}: " + " | ".join("" if v is None else v for v in row))
    return "\n".join(lines)
