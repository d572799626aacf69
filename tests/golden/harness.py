"""Plays a scripted person through Heard and writes what they would see, for golden files.

The person answers whatever is asked, by reading the question the engine is waiting on: the
target language from the language menu, the target flow from the main menu (once: the opening
itself runs the first consultation), yes to consent, the first option, 4 on a scale, a sentence
for open text; "finish" (under "more") when they are done. On Telegram they tap buttons (send
the label text); on SMS they type the number. So a golden file shows the whole conversation as
the person sees it in their language and on their channel, and the records it leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.catalogue import Catalogue
from bot.chat import format_message
from bot.engine.engine import Engine
from bot.engine.events import Choice, MessageCreated
from bot.engine.ids import counting_ids
from bot.engine.session import Session
from bot.flowspec.model import AskStep, FlowSet
from bot.service.conversation import Conversation
from bot.service.understanding import Understander
from storage.sql import SqlStore

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MAX_TURNS = 60

# What the person types where a command is asked for, by command name: the language's own
# word (the first in its catalogue list), so every language's commands are exercised.
# "<farewell>" at the menu (a choice question): thanked, the place kept, nothing asked again.
COMMAND_SCRIPT = ("<farewell>", "help", "easy", "standard", "person", "menu", "stop",
                  "<anything>", "start", "delete", "<yes>", "<anything>")


@dataclass
class Persona:
    language: str
    channel: str
    target: str | None  # a menu option value: have_your_say, working_group, about_you; None
    open_answer: str = "More help at weekends, please."
    # The first message. "hi" names English (a greeting of one language); "ok" names none, so
    # the language menu asks.
    greeting: str = "ok"
    chose_target: bool = False
    lines: list[str] = field(default_factory=list)


def _pick(choices: tuple[Choice, ...], value: str, channel: str) -> str | None:
    for choice in choices:
        if choice.value == value:
            return choice.label if channel == "telegram" else str(choice.number)
    return None


def _first(choices: tuple[Choice, ...], channel: str) -> str:
    choice = choices[0]
    return choice.label if channel == "telegram" else str(choice.number)


def next_reply(
    persona: Persona, session: Session | None, flows: FlowSet, last: MessageCreated | None
) -> str | None:
    """The person's next message, or None when the conversation is over for them."""
    if session is None:
        return persona.greeting
    if last is None:
        return None
    if session.pending is not None:  # the engine's own yes/no or language question
        return _pick(last.choices, persona.language if session.pending == "language" else "yes",
                     persona.channel)
    if session.position is None:
        return None
    step = flows.flows[session.position.flow].steps.get(session.position.step)
    choices = last.choices
    if session.position.flow == persona.target:
        persona.chose_target = True  # reached without the menu (the opening's consultation)
    if not isinstance(step, AskStep):
        return _first(choices, persona.channel) if choices else None
    if step.answer == "language":
        return _pick(choices, persona.language, persona.channel)
    if step.answer == "register":
        return _pick(choices, "standard", persona.channel)
    if step.answer == "yes_no":
        return _pick(choices, "yes", persona.channel)
    if session.position.flow == "menu":
        if persona.target and not persona.chose_target:
            persona.chose_target = True
            return _pick(choices, persona.target, persona.channel)
        return _pick(choices, "finish", persona.channel) or _pick(
            choices, "more", persona.channel
        )
    if step.answer == "scale":
        return _pick(choices, "4", persona.channel) or "4"
    if step.answer == "number":
        return str(step.min or 1)
    if step.answer == "multi":
        return "1 2" if persona.channel == "sms" else _first(choices, persona.channel)
    if step.answer == "choice":
        return _first(choices, persona.channel)
    return persona.open_answer


@dataclass
class Harness:
    engine: Engine
    flows: FlowSet
    catalogue: Catalogue
    understander: Understander
    store: SqlStore
    address: str = "+447700900555"

    def __post_init__(self) -> None:
        self.conversation = Conversation(self.engine, self.understander, counting_ids("view"))
        self.clock = START
        self.lines: list[str] = []

    def say(self, channel: str, text: str) -> tuple[MessageCreated, ...]:
        self.clock += timedelta(seconds=30)
        self.lines.append(f"you> {text}")
        with self.store.unit_of_work() as uow:
            outcome = self.conversation.handle(
                uow, channel=channel, address=self.address, text=text, at=self.clock
            )
            uow.commit()
        if not outcome.messages:
            self.lines.append("       (no reply)")
        for message in outcome.messages:
            body = format_message(message, channel, self.catalogue).replace("\n", "\n       ")
            self.lines.append(f"heard> {body}")
        return outcome.messages

    def session(self, channel: str) -> Session | None:
        with self.store.unit_of_work() as uow:
            participant = uow.people.find(channel, self.address)
            raw = uow.sessions.load(participant.participant_id) if participant else None
        return Session.from_json(raw) if raw else None

    def play(self, persona: Persona) -> None:
        last: MessageCreated | None = None
        for _ in range(MAX_TURNS):
            reply = next_reply(persona, self.session(persona.channel), self.flows, last)
            if reply is None:
                return
            messages = self.say(persona.channel, reply)
            last = messages[-1] if messages else None
        tail = "\n".join(self.lines[-40:])
        raise AssertionError(f"conversation did not finish in {MAX_TURNS} turns:\n{tail}")

    def play_commands(self, persona: Persona) -> None:
        """Reach the menu, then use every command in the person's own language."""
        persona.target = None
        persona.chose_target = True  # stay at the menu instead of finishing
        last: MessageCreated | None = None
        for _ in range(MAX_TURNS):
            session = self.session(persona.channel)
            if session and session.position and session.position.flow == "menu":
                break
            reply = next_reply(persona, session, self.flows, last)
            if reply is None:
                break
            messages = self.say(persona.channel, reply)
            last = messages[-1] if messages else None
        for command in COMMAND_SCRIPT:
            if command == "<anything>":
                text = persona.open_answer
            elif command in ("<yes>", "<farewell>"):
                listed = self.catalogue.words(persona.language, command.strip("<>"))
                text = listed[0]
            else:
                words = self.catalogue.languages[persona.language].keywords.get(command, ())
                text = words[0] if words else command
            self.say(persona.channel, text)

    def records(self) -> list[str]:
        """What the store holds afterwards: views, consents, profile, group, handovers."""
        out: list[str] = []
        with self.store.unit_of_work() as uow:
            participants = list(uow.people.all())
            for view in uow.views.all():
                out.append(
                    f"view {view.consultation}/{view.question_id} = {view.answer_value!r}"
                    f" [{view.language}, {view.register}, {view.channel}]"
                )
            for participant in participants:
                data = uow.erasure.export(participant.participant_id)
                for entry in data.get("consents", []):
                    out.append(f"consent {entry['purpose']} = {entry['granted']}")
                for answer in data.get("profile_answers", []):
                    out.append(f"profile {answer['field']} = {answer['value']!r}")
                for interest in data.get("group_interests", []):
                    out.append(f"group interest: topics={interest['topics']}"
                               f" access={interest['access_needs']}")
                for request in data.get("handover_requests", []):
                    out.append(f"handover requested: {request['reason']}")
                for alert in data.get("safeguarding_alerts", []):
                    out.append(f"safeguarding alert: {alert['kind']} ({alert['matched']})")
            totals = uow.erasure.anonymous_totals()
            out.append(f"participants: {len(participants)}")
            out.extend(
                f"anonymous total {t.metric}/{t.subject or '-'}/{t.language or '-'} = {t.count}"
                for t in totals
            )
        return out
