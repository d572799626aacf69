"""The NLU interface. The embedded classifier and the Rasa HTTP backend both implement it.

`parse` returns the shape of Rasa's `/model/parse` answer, reduced to what Heard uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

INTENTS: tuple[str, ...] = (
    "affirm",
    "deny",
    "stop",
    "start",
    "help",
    "change_language",
    "easy_read",
    "delete_my_data",
    "talk_to_person",
    "dont_know",
    "greet",
    "thanks",
    "risk_to_self",
    "harm_from_others",
    "out_of_scope",
)

SAFEGUARDING_INTENTS: frozenset[str] = frozenset({"risk_to_self", "harm_from_others"})


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentScore | None
    ranking: tuple[IntentScore, ...] = field(default_factory=tuple)
    backend: str = "embedded"  # "embedded" | "rasa" | "embedded-fallback"

    def as_rasa_json(self) -> dict[str, Any]:
        """The shape of Rasa's `/model/parse` answer (text, intent, intent_ranking)."""
        return {
            "text": self.text,
            "intent": (
                {"name": self.intent.name, "confidence": self.intent.confidence}
                if self.intent
                else {"name": None, "confidence": 0.0}
            ),
            "intent_ranking": [{"name": s.name, "confidence": s.confidence} for s in self.ranking],
            "entities": [],
        }


class NLU(Protocol):
    def parse(self, text: str, language: str | None = None) -> ParseResult: ...


@dataclass(frozen=True)
class LanguageGuess:
    language: str | None  # ISO 639-1, or None when there is no evidence
    confidence: float
    source: str  # "script" | "catalogue" | "langdetect" | "stored" | "none"


class LanguageGuesser(Protocol):
    def guess(self, text: str, stored: str | None = None) -> LanguageGuess: ...
