"""What the host hands the engine for one turn. Built outside the engine, where I/O is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Understanding:
    """What the NLU backend and the language guesser made of the text, before the turn.

    `intent` is None when nothing was understood with enough confidence. `language` is a guess
    for this one text (ISO 639-1), not the person's choice: the engine decides whether to act on it.
    """

    intent: str | None = None
    intent_confidence: float = 0.0
    language: str | None = None
    language_confidence: float = 0.0


@dataclass(frozen=True)
class TurnInput:
    participant_id: str
    channel: str  # "sms" | "telegram" | "terminal"
    text: str
    at: datetime  # timezone-aware; the engine's only clock
    understanding: Understanding = Understanding()
    start_flow: str | None = None  # a deep link (Telegram /start <code>) asking for a flow
