"""One conversation turn with all its I/O: find the person, load their session, understand the
text, run the pure engine, store what the events say, save the session.

Contract: `handle` works inside the caller's unit of work and never commits, so a channel
worker can commit the turn, its outbox rows and its inbox acknowledgement together (exactly
once). The CLI commits after each turn. A turn reads the participant (with their address) and
the session in one SELECT, and writes the session once. A channel worker runs the NLU first
(`understand_first`, in a unit of work that only reads), so the turn's write transaction holds
no lock while the classifier or a Rasa server works; `handle` uses that understanding only if
the text and stored language it finds are the ones it was made from.

Privacy: nothing here logs message text or addresses. Views and "about you" answers are stored
only while the matching consent is granted, whatever the flow says. The message log keeps the
words of a message (in or out) only for a person who has agreed to share their views (as it
stands at the end of the turn); for anyone else it records that a message passed (direction,
channel, text id, language, time) without its text. The postcode question keeps a district
only, in the profile and in the session (bot.service.postcode).

Working groups: what the join flow says the groups pay for (`deployment.group_support`) comes
from the groups coordinators configured in the store (`uow.groups.offers`, one SELECT per turn),
never from a fixed promise. An invitation to a group
(`invite`) is a turn of its own, queued through the inbox by the workspace; the person's YES or
NO moves them to joined or declined in the group's pipeline.

Media: a message without words (a voice note, photo or sticker) gets `common.type_please` in the
person's language and runs no turn, so the waiting question stays where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.catalogue import Catalogue
from bot.engine.engine import Engine
from bot.engine.events import (
    AnswerSaved,
    ConsentRecorded,
    ErasureRequested,
    Event,
    GroupInterestRecorded,
    GroupInvitationAnswered,
    HandoverRequested,
    LanguageChanged,
    MessageCreated,
    OptedIn,
    OptedOut,
    RegisterChanged,
    SafeguardingAlert,
)
from bot.engine.ids import IdFactory
from bot.engine.inputs import Invitation, TurnInput, Understanding, UpdateReceived
from bot.engine.session import Session, SessionFormatError
from bot.flowspec.model import FlowSet
from bot.service.postcode import district_of
from bot.service.understanding import Understander
from bot.terms import Register
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
# The consent record's text id for an opt-out the provider reported (no STOP reached Heard).
PROVIDER_OPT_OUT_TEXT_ID = "provider.opted_out"
SHARE_VIEWS = "share_views"
CONTACT_GROUP = "contact_group"
# What the join flow's payment messages name (bot.engine.settings.GROUP_SUPPORT), from the
# support kinds groups offer (bot.terms.GROUP_SUPPORT_KINDS).
PAID_SUPPORT = {"travel_costs": "travel", "childcare_costs": "childcare"}
TYPE_PLEASE = "common.type_please"
# A message this soon after an update reached the person may be their reply to it.
UPDATE_REPLY_WINDOW = timedelta(days=3)


@dataclass(frozen=True)
class Understood:
    """The understanding of a message worked out before its turn's write transaction
    (`Conversation.understand_first`), with what it was worked out from. `handle` uses it only
    when the text and the stored language it reads in the transaction are the same; otherwise
    it understands again, so the turn never depends on when the NLU ran."""

    text: str
    stored_language: str | None
    understanding: Understanding


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
        # Flows with a branch on what the working groups pay for (deployment.group_support).
        self._support_flows = frozenset(
            flow.id
            for flow in engine.flows.flows.values()
            if any(
                getattr(step, "on", "") == "deployment.group_support"
                for step in flow.steps.values()
            )
        )

    def group_support(self, uow: UnitOfWork, session: Session | None) -> tuple[str, ...] | None:
        """What the configured working groups pay for ("travel", "childcare"), as the store
        holds them now, read only for a turn that can reach a branch on it: the person is
        inside a flow that has one (every such branch in the flows comes after a question of
        its flow, so the turn that reaches it starts inside that flow). Other turns get (),
        which no branch they can reach reads."""
        if session is None:
            return ()
        frames = (session.position, *session.stack)
        if not any(f is not None and f.flow in self._support_flows for f in frames):
            return ()
        offers = uow.groups.offers()
        return tuple(name for kind, name in PAID_SUPPORT.items() if kind in offers)

    @property
    def engine(self) -> Engine:
        return self._engine

    def with_content(self, flows: FlowSet, catalogue: Catalogue) -> Conversation:
        """The same host around an engine for other content: the flows and catalogue of a
        FlowRegistry (bot.service.consultations), the base engine's settings kept."""
        return Conversation(
            self._engine.with_content(flows, catalogue), self._understander, self._ids
        )

    def understand_first(
        self,
        reader: UnitOfWork,
        *,
        channel: str,
        address: str,
        text: str,
        language_hint: str | None = None,
    ) -> Understood:
        """Runs the NLU for a message before its turn, in a unit of work that only reads
        (`Store.reading`: on SQLite it holds no write lock), so the turn's write transaction
        does not wait for the classifier or a Rasa server. Pass the result to `handle`."""
        found = reader.people.find_with_session(channel, address, rekey=False)
        participant, raw = found if found is not None else (None, None)
        session = self._session_of(raw, quiet=True)
        known_language = (session.language if session else None) or (
            participant.language if participant else None
        )
        stored_language = known_language or self._catalogue_language(language_hint)
        return Understood(
            text, stored_language, self._understander.understand(text, stored_language)
        )

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
        understood: Understood | None = None,
    ) -> TurnOutcome:
        """`language_hint` (a Telegram `language_code`) stands in for the stored language when
        none is stored yet: a prior for the language guess, never a choice. `media`: the
        message had no words (see module). `understood`: from `understand_first`, else the
        NLU runs here, inside the caller's transaction."""
        participant, raw = uow.people.with_session(channel, address, at)
        pid = participant.participant_id
        session = self._session_of(raw)
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
        if (
            understood is not None
            and understood.text == text
            and understood.stored_language == stored_language
        ):
            understanding = understood.understanding
        else:
            understanding = self._understander.understand(text, stored_language)
        turn = self._engine.handle(
            session,
            TurnInput(
                pid, channel, text, at, understanding, start_flow=start_flow,
                group_support=self.group_support(uow, session),
                update=self._update_received(uow, pid, session, at),
            ),
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

    def _update_received(
        self, uow: UnitOfWork, pid: str, session: Session | None, at: datetime
    ) -> UpdateReceived | None:
        """The update the person received after their last message, within
        `UPDATE_REPLY_WINDOW`, when this message may be a reply to it (nothing but the menu
        waits, or the session expired); looked up only then, so a turn inside a flow costs no
        extra statement."""
        if session is None or session.status == "opted_out":
            return None
        expired = at - session.last_active > self._engine.settings.session_timeout
        if not (expired or session.at_rest()):
            return None
        since = max(session.last_active, at - UPDATE_REPLY_WINDOW)
        found = uow.updates.last_received(pid, since)
        return None if found is None else UpdateReceived(found.update_id, found.text)

    def provider_opt_out(
        self, uow: UnitOfWork, *, channel: str, address: str, at: datetime
    ) -> str | None:
        """The provider says the person at `address` cannot be messaged any more: the engine
        handles it like STOP, without a reply, and its events are stored as a turn's are. Nobody
        is created for an address Heard no longer knows (erased since). Returns the person's
        participant id, or None."""
        participant = uow.people.find(channel, address)
        if participant is None:
            return None
        pid = participant.participant_id
        if participant.opted_out:
            return pid  # already: nothing is recorded twice
        session = self._session_of(uow.sessions.load(pid))
        turn = self._engine.handle(
            session, TurnInput(pid, channel, "", at, kind="provider_opt_out")
        )
        self._apply(uow, pid, turn.session, turn.events, "")
        if turn.events:
            uow.sessions.save(pid, _without_postcodes(turn.session).to_json(), at)
        return pid

    def invite(
        self, uow: UnitOfWork, *, channel: str, address: str, invitation: Invitation,
        at: datetime,
    ) -> TurnOutcome | None:
        """A coordinator's invitation to a working group: the engine asks the person YES or NO
        (in their language and register) and waits for the reply. Checked again here, at the
        turn: nobody Heard no longer knows, who said STOP, or whose latest contact_group
        consent is not a yes is invited (None: nothing sent)."""
        participant = uow.people.find(channel, address)
        if participant is None or participant.opted_out:
            return None
        pid = participant.participant_id
        if not uow.consent.latest(pid).get(CONTACT_GROUP, False):
            return None
        session = self._session_of(uow.sessions.load(pid))
        if session is None:
            return None
        turn = self._engine.handle(
            session,
            TurnInput(pid, channel, "", at, kind="group_invitation", invitation=invitation),
        )
        messages = tuple(e for e in turn.events if isinstance(e, MessageCreated))
        if not messages:
            return None
        keep = uow.consent.latest(pid).get(SHARE_VIEWS, False)
        uow.messages.log(
            *(
                LoggedMessage(
                    pid, "out", channel, m.text if keep else None, m.text_id, m.language, m.at
                )
                for m in messages
            )
        )
        uow.sessions.save(pid, _without_postcodes(turn.session).to_json(), at)
        return TurnOutcome(pid, messages, turn.events)

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
    def _session_of(raw: str | None, *, quiet: bool = False) -> Session | None:
        if raw is None:
            return None
        try:
            return Session.from_json(raw)
        except SessionFormatError:
            # Answers already live in their own tables; only the place in the flow is lost.
            if not quiet:
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
                case GroupInvitationAnswered():
                    if uow.groups.get(event.group_id) is not None:
                        uow.recruitment.move(
                            event.group_id, pid, "joined" if event.accepted else "declined",
                            None, event.at,
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
                    if not granted:  # updates queued for them and not yet sent are never sent
                        uow.updates.withhold_pending(pid, event.at)
                    uow.consent.record(
                        ConsentEntry(
                            pid, MESSAGES_PURPOSE, granted, _opt_text_id(event),
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
                    consultation_version=event.consultation_version,
                )
            )
        elif event.store == "profile" and consents.get("about_you"):
            uow.answers.save_profile(
                ProfileAnswer(pid, event.field, _profile_value(event.field, event.value), event.at)
            )


def _opt_text_id(event: OptedOut | OptedIn) -> str:
    if isinstance(event, OptedIn):
        return "keyword.start"
    return PROVIDER_OPT_OUT_TEXT_ID if event.by_provider else "keyword.stop"


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
