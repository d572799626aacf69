"""Events the engine emits. The host applies them (sends, stores); the engine does nothing else.

Every event carries `at`, the time of the turn that produced it. Answers and messages carry the
language and register they were given in, because coordinators read them later in that context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.flowspec.model import Store
from bot.terms import Purpose, Register

AnswerStore = Store  # where the host keeps an answer (the ask's `store:`)


@dataclass(frozen=True)
class Choice:
    """One answer a person can pick. `number` is what SMS shows; `label` is the button text."""

    number: int
    value: str
    label: str


@dataclass(frozen=True)
class MessageCreated:
    at: datetime
    message_id: str  # unique per message, from the injected id factory
    text_id: str  # catalogue id, for tests and the message log
    text: str  # resolved text in `language` / `register`, placeholders filled
    language: str
    register: Register
    choices: tuple[Choice, ...] = ()
    direction: Literal["ltr", "rtl"] = "ltr"
    fallback: bool = False  # True when the text came from English because a translation is missing
    # The person writes their language without its accented letters (session field
    # `plain_letters`): the SMS renderer may then use the language's reviewed plain-letter table.
    plain_letters: bool = False


@dataclass(frozen=True)
class AnswerSaved:
    at: datetime
    flow: str
    step: str
    field: str
    store: AnswerStore
    question_text_id: str
    question_text: str  # the question as the person saw it
    value: str  # normalised value: option value, "yes"/"no", "1".."5", a number, or the free text
    raw_text: str  # exactly what the person sent
    language: str
    register: Register
    channel: str
    consultation: str | None = None
    consultation_version: int | None = None  # a workspace consultation's version
    # True when the person went BACK and answered this question again: the host replaces the
    # answer stored for (flow, step) (or for `field`, for profile answers), never adds a second.
    replaces: bool = False


@dataclass(frozen=True)
class ConsentRecorded:
    at: datetime
    purpose: Purpose
    granted: bool
    text_id: str  # the wording the person answered
    language: str
    channel: str


@dataclass(frozen=True)
class LanguageChanged:
    at: datetime
    language: str
    previous: str | None


@dataclass(frozen=True)
class RegisterChanged:
    at: datetime
    register: Register


@dataclass(frozen=True)
class GroupInterestRecorded:
    at: datetime
    topics: tuple[str, ...]
    availability: tuple[str, ...]
    access_needs: tuple[str, ...]
    interpreter_language: str | None
    contact_method: str | None
    language: str
    channel: str


@dataclass(frozen=True)
class GroupInvitationAnswered:
    """The person answered a working group's invitation: YES (`accepted`) or NO."""

    at: datetime
    group_id: int
    accepted: bool
    channel: str


@dataclass(frozen=True)
class HandoverRequested:
    at: datetime
    reason: str  # "asked" (talk to a person) | "help" | "safeguarding"
    flow: str | None
    step: str | None
    language: str
    channel: str


@dataclass(frozen=True)
class OptedOut:
    """`by_provider`: the provider said the person cannot be messaged (no STOP reached Heard)."""

    at: datetime
    channel: str
    by_provider: bool = False


@dataclass(frozen=True)
class OptedIn:
    at: datetime
    channel: str


@dataclass(frozen=True)
class ErasureRequested:
    """The person confirmed DELETE. The host erases everything that names them."""

    at: datetime
    channel: str


@dataclass(frozen=True)
class SafeguardingAlert:
    """A sign of risk for coordinators. `level` "clear": the person was given the help reply;
    "check": the person was asked whether they want help now (their answer follows as a
    `HandoverRequested` when they do)."""

    at: datetime
    kind: str  # "risk_to_self" | "harm_from_others" | "immediate_danger" | "unspecified"
    matched: str  # "intent" | "keyword"
    language: str
    channel: str
    level: str = "clear"  # "clear" | "check"; last, with a default, for older readers


@dataclass(frozen=True)
class SessionExpired:
    at: datetime
    idle_seconds: int


@dataclass(frozen=True)
class FlowStarted:
    at: datetime
    flow: str


@dataclass(frozen=True)
class FlowEnded:
    at: datetime
    flow: str
    completed: bool = True


Event = (
    MessageCreated
    | AnswerSaved
    | ConsentRecorded
    | LanguageChanged
    | RegisterChanged
    | GroupInterestRecorded
    | GroupInvitationAnswered
    | HandoverRequested
    | OptedOut
    | OptedIn
    | ErasureRequested
    | SafeguardingAlert
    | SessionExpired
    | FlowStarted
    | FlowEnded
)
