"""One conversation turn with all its I/O: find the person, load their session, understand the
text, run the pure engine, store what the events say, save the session.

Contract: `handle` works inside the caller's unit of work and never commits, so a channel
worker can commit the turn, its outbox rows and its inbox acknowledgement together (exactly
once). The CLI commits after each turn. A turn reads the participant (with their address) and
the session once each, and writes the session once.

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
from storage.unit_of_work import UnitOfWork

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
        uow: UnitOfWork,
        *,
        channel: str,
        address: str,
        text: str,
        at: datetime,
        start_flow: str | None = None,
    ) -> TurnOutcome:
        participant = uow.people.for_address(channel, address, at)
        pid = participant.participant_id
        session = self._load_session(uow, pid)
        stored_language = (session.language if session else None) or participant.language
        understanding = self._understander.understand(text, stored_language)
        uow.messages.log(
            LoggedMessage(pid, "in", channel, text, None, stored_language, at)
        )
        turn = self._engine.handle(
            session,
            TurnInput(pid, channel, text, at, understanding, start_flow=start_flow),
        )
        erased = self._apply(uow, pid, turn.session, turn.events)
        if not erased:
            uow.sessions.save(pid, turn.session.to_json(), at)
        messages = tuple(e for e in turn.events if isinstance(e, MessageCreated))
        return TurnOutcome(pid, messages, turn.events, erased)

    @staticmethod
    def _load_session(uow: UnitOfWork, pid: str) -> Session | None:
        raw = uow.sessions.load(pid)
        if raw is None:
            return None
        try:
            return Session.from_json(raw)
        except SessionFormatError:
            # Answers already live in their own tables; only the place in the flow is lost.
            log.warning("stored session unreadable; starting a new one")
            return None

    def _apply(
        self, uow: UnitOfWork, pid: str, session: Session, events: Sequence[Event]
    ) -> bool:
        # Read only when an answer needs the gate: most turns store no answer.
        gated = any(isinstance(e, AnswerSaved | GroupInterestRecorded) for e in events)
        consents = dict(uow.consent.latest(pid)) if gated else {}
        erased = False
        for event in events:
            if erased:
                break  # nothing after an erasure may name the person again
            match event:
                case MessageCreated():
                    uow.messages.log(
                        LoggedMessage(
                            pid, "out", session.channel, event.text, event.text_id,
                            event.language, event.at,
                        )
                    )
                case ConsentRecorded():
                    uow.consent.record(
                        ConsentEntry(
                            pid, event.purpose, event.granted, event.text_id,
                            event.language, event.channel, event.at,
                        )
                    )
                    consents[event.purpose] = event.granted
                case AnswerSaved():
                    self._store_answer(uow, pid, event, consents)
                case GroupInterestRecorded():
                    if consents.get("contact_group"):
                        uow.answers.save_group_interest(
                            GroupInterest(
                                pid, event.topics, event.availability, event.access_needs,
                                event.interpreter_language, event.contact_method,
                                event.language, event.channel, event.at,
                            )
                        )
                case HandoverRequested():
                    uow.safety.record_handover(
                        HandoverRequest(
                            pid, event.reason, event.flow, event.step,
                            event.language, event.channel, event.at,
                        )
                    )
                case SafeguardingAlert():
                    uow.safety.record_alert(
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
                    uow.people.update(pid, language=event.language)
                case RegisterChanged():
                    uow.people.update(pid, register=event.register)
                case OptedOut() | OptedIn():
                    granted = isinstance(event, OptedIn)
                    uow.people.update(pid, opted_out=not granted)
                    uow.consent.record(
                        ConsentEntry(
                            pid, MESSAGES_PURPOSE, granted,
                            "keyword.start" if granted else "keyword.stop",
                            session.language or "en", event.channel, event.at,
                        )
                    )
                case ErasureRequested():
                    uow.erasure.erase(pid, event.at)
                    erased = True
                case _:
                    pass
        return erased

    def _store_answer(
        self, uow: UnitOfWork, pid: str, event: AnswerSaved, consents: dict[str, bool]
    ) -> None:
        if event.replaces:  # BACK: the new answer takes the old one's place, never a second
            uow.views.withdraw(pid, event.flow, event.step)
            uow.answers.withdraw_profile(pid, event.field)
        if event.store == "view" and consents.get("share_views"):
            uow.views.save(
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
            uow.answers.save_profile(ProfileAnswer(pid, event.field, event.value, event.at))
