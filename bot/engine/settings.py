"""What a deployment tells the engine: thresholds, timeouts and the words its messages fill in."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

# Takes the raw text; returns a safeguarding kind ("risk_to_self" | "harm_from_others") or None.
SafeguardingMatcher = Callable[[str], str | None]


@dataclass(frozen=True)
class Deployment:
    """Placeholders every message may use: {org}, {helpline}, {emergency}, {contact}."""

    org: str = "Heard"
    helpline: str = "116 123"
    emergency: str = "999"
    contact: str = ""

    def params(self) -> dict[str, str]:
        return {
            "org": self.org,
            "helpline": self.helpline,
            "emergency": self.emergency,
            "contact": self.contact,
            "contact_email": self.contact,
        }


def discover_safeguarding_matcher() -> SafeguardingMatcher | None:
    """`bot.nlu.keywords.match_safeguarding` when that module provides it, else None."""
    try:
        module = importlib.import_module("bot.nlu.keywords")
    except ImportError:
        return None
    matcher = getattr(module, "match_safeguarding", None)
    return cast(SafeguardingMatcher, matcher) if callable(matcher) else None


@dataclass(frozen=True)
class EngineSettings:
    session_timeout: timedelta = timedelta(hours=24)
    deployment: Deployment = field(default_factory=Deployment)
    # A language guess at least this confident fills `guessed_language` for the welcome flow.
    # (0.75, not 0.8: a real six-letter greeting such as "Shwmae" scores 0.8 less a rounding error.)
    language_confidence: float = 0.75
    # An intent at least this confident counts as a command, yes/no or a branch subject.
    intent_confidence: float = 0.6
    # Risk intents act at a much lower confidence: missing a person at risk costs more than
    # showing help lines to someone who did not need them.
    safeguarding_confidence: float = 0.3
    # Not-understood replies to one question before the reply also offers MENU / PERSON.
    max_retries: int = 2
    # Steps one turn may run; only a broken flow gets near it.
    step_budget: int = 100
    # Keyword matching of risk words; None turns it off (the NLU intent still works).
    safeguarding_matcher: SafeguardingMatcher | None = field(
        default_factory=discover_safeguarding_matcher
    )
