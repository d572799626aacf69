"""One conversation turn with all its I/O: find the person, load their session, understand the
text, run the pure engine, store what the events say, save the session.

Contract: `handle` works inside the caller's unit of work and never commits, so a channel
worker can commit the turn, its outbox rows and its inbox acknowledgement together (exactly
once). The CLI commits after each turn. A turn reads the participant (with their address) and
the session once each, and writes the session once.

Privacy: nothing here logs message text or addresses. Views and "about you" answers are stored
only while the matching consent is granted, whatever the flow says. The message log keeps the
words of a message (in or out) only for a person who has agreed to share their views (as it
stands at the end of the turn); for anyone else it records that a message passed (direction,
channel, text id, language, time) without its text. The postcode question keeps a district
only, in the profile and in the session (bot.service.postcode).

Media: a message without words (a voice note, photo or sticker) gets `common.type_please` in the
person's language and runs no turn, so the waiting question stays where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
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
    Register,
    RegisterChanged,
    SafeguardingAlert,
)
from bot.engine.ids import IdFactory
from bot.engine.inputs import TurnInput
from bot.engine.session import Session, SessionFormatError
from bot.service.postcode import district_of
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
from storage.vocabulary import NOT_GIVEN, POSTCODE_FIELDS, SKIPPED

log = logging.getLogger("heard.conversation")

# Stored with OptedOut/OptedIn so the consent record shows when messages were stopped.
MESSAGES_PURPOSE = "messages"
SHARE_VIEWS = "share_views"
TYPE_PLEASE = "common.type_please"


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
        language_hint: str | None = None,
        media: bool = False,
    ) -> TurnOutcome:
        """`language_hint` (a Telegram `language_code`) stands in for the stored language when
        none is stored yet: a prior for the language guess, never a choice. `media`: the
        message had no words (see module)."""
        participant = uow.people.for_address(channel, address, at)
        pid = participant.participant_id
        session = self._load_session(uow, pid)
        known_language = (session.language if session else None) or participant.language
        hinted = self._catalogue_language(language_hint)
        stored_language = known_language or hinted
        if media:
            if participant.opted_out:
                return TurnOutcome(pid, (), ())
            guessed = session.fields.get("guessed_language") if session else None
            return self._ask_for_words(
                uow, pid, channel, at, session, participant.register,
                known_language or guessed or hinted,
            )
        understanding = self._understander.understand(text, stored_language)
        turn = self._engine.handle(
            session,
            TurnInput(pid, channel, text, at, understanding, start_flow=start_flow),
        )
        erased, consents = self._apply(uow, pid, turn.session, turn.events, text)
        if not erased:
            keep = consents.get(SHARE_VIEWS, False)
            uow.messages.log(
                LoggedMessage(
                    pid, "in", channel, _loggable(text, turn.events) if keep else None, None,
                    stored_language, at,
                ),
                *(
                    LoggedMessage(
                        pid, "out", turn.session.channel, event.text if keep else None,
                        event.text_id, event.language, event.at,
                    )
                    for event in turn.events
                    if isinstance(event, MessageCreated)
                ),
            )
            uow.sessions.save(pid, _without_postcodes(turn.session).to_json(), at)
        messages = tuple(e for e in turn.events if isinstance(e, MessageCreated))
        return TurnOutcome(pid, messages, turn.events, erased)

    def _catalogue_language(self, code: str | None) -> str | None:
        return hint_language(code, self._engine.catalogue.codes)

    def _ask_for_words(
        self,
        uow: UnitOfWork,
        pid: str,
        channel: str,
        at: datetime,
        session: Session | None,
        register: str,
        language: str | None,
    ) -> TurnOutcome:
        if session is not None and session.status == "opted_out":
            return TurnOutcome(pid, (), ())
        if session is not None:
            register = session.register
        chosen: Register = "easy" if register == "easy" else "standard"
        resolved = self._engine.catalogue.text(
            language, chosen, TYPE_PLEASE, self._engine.settings.deployment.params()
        )
        message = MessageCreated(
            at=at,
            message_id=self._ids(),
            text_id=TYPE_PLEASE,
            text=resolved.text,
            language=resolved.language,
            register=chosen,
            direction=resolved.direction,
            fallback=resolved.fallback,
        )
        keep = uow.consent.latest(pid).get(SHARE_VIEWS, False)
        uow.messages.log(
            LoggedMessage(pid, "in", channel, None, None, language, at),
            LoggedMessage(
                pid, "out", channel, message.text if keep else None, TYPE_PLEASE,
                message.language, at,
            ),
        )
        return TurnOutcome(pid, (message,), (message,))

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
        self, uow: UnitOfWork, pid: str, session: Session, events: Sequence[Event], text: str
    ) -> tuple[bool, dict[str, bool]]:
        """Stores what the events say; returns (erased, the consents at the end of the turn).
        `text` is what the person sent: an alert keeps it for the coordinator who acts on it,
        whatever was consented to (a disclosure of risk is acted on, not analysed)."""
        consents = dict(uow.consent.latest(pid))
        erased = False
        for event in events:
            if erased:
                break  # nothing after an erasure may name the person again
            match event:
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
                            event.channel, event.at, event.level, text,
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
        return erased, consents

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
            uow.answers.save_profile(
                ProfileAnswer(pid, event.field, _profile_value(event.field, event.value), event.at)
            )


def hint_language(code: str | None, known: Collection[str]) -> str | None:
    """The catalogue language an app's language code names (`pl-PL` -> `pl`), if any."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in known else None


def _profile_value(field: str, value: str) -> str:
    if field not in POSTCODE_FIELDS or value == SKIPPED:
        return value
    return district_of(value) or NOT_GIVEN


def _loggable(text: str, events: Sequence[Event]) -> str:
    """The words of an answer to the postcode question are logged as the district kept."""
    for event in events:
        if isinstance(event, AnswerSaved) and event.field in POSTCODE_FIELDS:
            return _profile_value(event.field, event.value)
    return text


def _without_postcodes(session: Session) -> Session:
    """The session as stored: a postcode answer kept as its district only."""
    fields = session.fields
    if not any(name in fields for name in POSTCODE_FIELDS):
        return session
    cleaned = {
        name: _profile_value(name, value) if name in POSTCODE_FIELDS and value else value
        for name, value in fields.items()
    }
    return session.evolve(fields=cleaned)
