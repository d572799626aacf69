"""One conversation turn with all its I/O: find the person, load their session, understand the
text, run the pure engine, store what the events say, save the session.

Contract: `handle` works inside the caller's unit of work and never commits, so a channel
worker can commit the turn, its outbox rows and its inbox acknowledgement together (exactly
once). The CLI commits after each turn.

Privacy: nothing here logs message text or addresses. Views and "about you" answers are stored
only while the matching consent is granted, whatever the flow says.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.engine.engine import Engine
from bot.engine.events import (
    AnswerSaved,
    ConsentRecorded,
    ErasureRequested,
    Event,
    GroupInterestRecorded,
    HandoverRequested,
    LanguageChanged,
    MessageCreated,
    OptedIn,
    OptedOut,
    RegisterChanged,
    SafeguardingAlert,
)
from bot.engine.ids import IdFactory
from bot.engine.inputs import TurnInput
from bot.engine.session import Session, SessionFormatError
from bot.service.understanding import Understander
from storage.records import (
    ConsentEntry,
    GroupInterest,
    HandoverRequest,
    LoggedMessage,
    ProfileAnswer,
    SafeguardingAlertRecord,
    ViewRecord,
)
from storage.repository import Repository

log = logging.getLogger("heard.conversation")

# Stored with OptedOut/OptedIn so the consent record shows when messages were stopped.
MESSAGES_PURPOSE = "messages"


@dataclass(frozen=True)
class TurnOutcome:
    participant_id: str
    messages: tuple[MessageCreated, ...]
    events: tuple[Event, ...]
    erased: bool = False


class Conversation:
    def __init__(self, engine: Engine, understander: Understander, ids: IdFactory) -> None:
        self._engine = engine
        self._understander = understander
        self._ids = ids

    def handle(
        self,
        repo: Repository,
        *,
        channel: str,
        address: str,
        text: str,
        at: datetime,
        start_flow: str | None = None,
    ) -> TurnOutcome:
        participant = repo.participant_for(channel, address, at)
        pid = participant.participant_id
        session = self._load_session(repo, pid)
        stored_language = (session.language if session else None) or participant.language
        understanding = self._understander.understand(text, stored_language)
        repo.log_message(
            LoggedMessage(pid, "in", channel, text, None, stored_language, at)
        )
        turn = self._engine.handle(
            session,
            TurnInput(pid, channel, text, at, understanding, start_flow=start_flow),
        )
        erased = self._apply(repo, pid, turn.session, turn.events)
        if not erased:
            repo.save_session(pid, turn.session.to_json(), at)
        messages = tuple(e for e in turn.events if isinstance(e, MessageCreated))
        return TurnOutcome(pid, messages, turn.events, erased)

    @staticmethod
    def _load_session(repo: Repository, pid: str) -> Session | None:
        raw = repo.load_session(pid)
        if raw is None:
            return None
        try:
            return Session.from_json(raw)
        except SessionFormatError:
            # Answers already live in their own tables; only the place in the flow is lost.
            log.warning("stored session unreadable; starting a new one")
            return None

    def _apply(
        self, repo: Repository, pid: str, session: Session, events: Sequence[Event]
    ) -> bool:
        consents = dict(repo.consents(pid))
        erased = False
        for event in events:
            if erased:
                break  # nothing after an erasure may name the person again
            match event:
                case MessageCreated():
                    repo.log_message(
                        LoggedMessage(
                            pid, "out", session.channel, event.text, event.text_id,
                            event.language, event.at,
                        )
                    )
                case ConsentRecorded():
                    repo.record_consent(
                        ConsentEntry(
                            pid, event.purpose, event.granted, event.text_id,
                            event.language, event.channel, event.at,
                        )
                    )
                    consents[event.purpose] = event.granted
                case AnswerSaved():
                    self._store_answer(repo, pid, event, consents)
                case GroupInterestRecorded():
                    if consents.get("contact_group"):
                        repo.save_group_interest(
                            GroupInterest(
                                pid, event.topics, event.availability, event.access_needs,
                                event.interpreter_language, event.contact_method,
                                event.language, event.channel, event.at,
                            )
                        )
                case HandoverRequested():
                    repo.record_handover(
                        HandoverRequest(
                            pid, event.reason, event.flow, event.step,
                            event.language, event.channel, event.at,
                        )
                    )
                case SafeguardingAlert():
                    repo.record_safeguarding_alert(
                        SafeguardingAlertRecord(
                            pid, event.kind, event.matched, event.language,
                            event.channel, event.at,
                        )
                    )
                    log.warning(
                        "safeguarding alert recorded (%s, %s, %s)",
                        event.kind, event.language, event.channel,
                    )
                case LanguageChanged():
                    repo.update_participant(pid, language=event.language)
                case RegisterChanged():
                    repo.update_participant(pid, register=event.register)
                case OptedOut() | OptedIn():
                    granted = isinstance(event, OptedIn)
                    repo.update_participant(pid, opted_out=not granted)
                    repo.record_consent(
                        ConsentEntry(
                            pid, MESSAGES_PURPOSE, granted,
                            "keyword.start" if granted else "keyword.stop",
                            session.language or "en", event.channel, event.at,
                        )
                    )
                case ErasureRequested():
                    repo.erase_participant(pid, event.at)
                    erased = True
                case _:
                    pass
        return erased

    def _store_answer(
        self, repo: Repository, pid: str, event: AnswerSaved, consents: dict[str, bool]
    ) -> None:
        if event.replaces:  # BACK: the new answer takes the old one's place, never a second
            repo.withdraw_answer(pid, event.flow, event.step, event.field)
        if event.store == "view" and consents.get("share_views"):
            repo.save_view(
                ViewRecord(
                    view_id=self._ids(),
                    participant_id=pid,
                    consultation=event.consultation,
                    flow=event.flow,
                    question_id=event.step,
                    question_text=event.question_text,
                    answer_value=event.value,
                    original_text=event.raw_text,
                    language=event.language,
                    register=event.register,
                    channel=event.channel,
                    at=event.at,
                )
            )
        elif event.store == "profile" and consents.get("about_you"):
            repo.save_profile_answer(ProfileAnswer(pid, event.field, event.value, event.at))
