"""Drives the engine turn by turn with a fixed clock and counting ids.

`Chat` keeps one person's session between turns and checks, on every turn, that the session
survives a JSON round trip unchanged (the host stores it as JSON between turns).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.catalogue import Catalogue
from bot.config import default_deployment
from bot.engine.engine import Engine
from bot.engine.events import Event, MessageCreated
from bot.engine.ids import counting_ids
from bot.engine.inputs import Screening, TurnInput, Understanding
from bot.engine.session import Session, Turn
from bot.engine.settings import EngineSettings
from bot.flowspec import FlowSet

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PARTICIPANT = "participant-test-0001"
DEPLOYMENT = replace(
    default_deployment(), org="Heard Test", contact="team@example.invalid", handover=True
)
# The engine tests' session timeout (a deployment sets its own: bot.config).
SESSION_TIMEOUT = timedelta(hours=24)


@dataclass
class Chat:
    engine: Engine
    session: Session | None = None
    now: datetime = START
    turns: list[Turn] = field(default_factory=list)
    channel: str = "sms"

    def provider_opt_out(self, after: timedelta = timedelta(minutes=1)) -> Turn:
        """The provider reports the person cannot be messaged (Twilio 21610, Telegram 403)."""
        self.now += after
        inp = TurnInput(PARTICIPANT, self.channel, "", self.now, kind="provider_opt_out")
        turn = self.engine.handle(self.session, inp)
        self.session = turn.session
        self.turns.append(turn)
        return turn

    def send(
        self,
        text: str,
        *,
        intent: str | None = None,
        confidence: float = 0.0,
        language: str | None = None,
        language_confidence: float = 0.0,
        start_flow: str | None = None,
        after: timedelta = timedelta(minutes=1),
        screening: Screening | None = None,
    ) -> Turn:
        self.now += after
        understanding = Understanding(
            intent, confidence, language, language_confidence, safeguarding=screening
        )
        inp = TurnInput(PARTICIPANT, self.channel, text, self.now, understanding, start_flow)
        turn = self.engine.handle(self.session, inp)
        assert Session.from_json(turn.session.to_json()) == turn.session
        self.session = turn.session
        self.turns.append(turn)
        return turn


def said(turn: Turn) -> list[str]:
    """The catalogue ids of the messages of a turn, in order."""
    return [e.text_id for e in turn.events if isinstance(e, MessageCreated)]


def messages(turn: Turn) -> list[MessageCreated]:
    return [e for e in turn.events if isinstance(e, MessageCreated)]


def of_type(turn: Turn, kind: type[Any]) -> list[Any]:
    return [e for e in turn.events if isinstance(e, kind)]


def kinds(turn: Turn) -> list[str]:
    return [type(e).__name__ for e in turn.events if not isinstance(e, MessageCreated)]


def first(events: list[Event]) -> Event:
    assert events, "expected an event"
    return events[0]


def make_engine(flows: FlowSet, catalogue: Catalogue, **settings: Any) -> Engine:
    settings.setdefault("session_timeout", SESSION_TIMEOUT)
    return Engine(
        flows, catalogue, EngineSettings(deployment=DEPLOYMENT, **settings), counting_ids()
    )


def welcomed(chat: Chat, *, views: str = "yes", group: str = "yes") -> Chat:
    """Takes a new English-speaking person through welcome and consent to the menu."""
    chat.send("hello", language="en", language_confidence=0.95)
    chat.send("1")  # standard register
    chat.send(views)
    if views == "yes":
        chat.send(group)
    return chat
