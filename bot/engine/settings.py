"""What a deployment tells the engine: thresholds, timeouts and the words its messages fill in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


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


@dataclass(frozen=True)
class EngineSettings:
    session_timeout: timedelta = timedelta(hours=24)
    deployment: Deployment = field(default_factory=Deployment)
    # A language guess at least this confident fills `guessed_language` for the welcome flow.
    # (0.75, not 0.8: a real six-letter greeting such as "Shwmae" scores 0.8 less a rounding error.)
    language_confidence: float = 0.75
    # An intent at least this confident counts as a command or a branch subject (never as a
    # yes/no answer: those need words, bot.engine.replies).
    intent_confidence: float = 0.6
    # Not-understood replies to one question before the reply also offers MENU / PERSON.
    max_retries: int = 2
    # Steps one turn may run; only a broken flow gets near it.
    step_budget: int = 100
