"""Flows as typed values: one frozen dataclass per step type, named after its `type` string.

Built by `bot.flowspec.loader` from YAML that has already passed the schema and the semantic
checks, so the engine can trust every reference it follows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.terms import Purpose

AnswerKind = Literal["choice", "multi", "yes_no", "open", "scale", "number", "language", "register"]
Store = Literal["view", "profile", "group", "none"]
FlowKind = Literal["consultation", "system"]

# Session fields that name the session's own settings rather than an answer.
LANGUAGE_FIELD = "$language"
REGISTER_FIELD = "$register"
# `branch.on` value meaning the intent of the last input.
INTENT_SUBJECT = "intent"
# `branch.on: consent.<purpose>` reads the consent record: "yes", "no", or "" when never asked.
CONSENT_SUBJECT_PREFIX = "consent."
# `branch.on: deployment.<name>` reads what the deployment promises (`Deployment.promise`).
DEPLOYMENT_SUBJECT_PREFIX = "deployment."
# The value a skippable ask saves when the person prefers not to say.
SKIP_VALUE = "prefer_not_to_say"
# Option values a join_group leaves out of a joined answer (see JoinGroupStep).
MORE_VALUE = "more"
NONE_VALUE = "none"
# join_group keys, and the event field each fills.
GROUP_KEYS = ("topics", "availability", "access_needs", "interpreter_language", "contact")


@dataclass(frozen=True)
class Option:
    value: str
    text: str  # text id


@dataclass(frozen=True)
class SendStep:
    id: str
    text: str
    next: str


@dataclass(frozen=True)
class AskStep:
    id: str
    answer: AnswerKind
    text: str
    save_as: str
    store: Store
    next: str
    other: str  # where a reply that is not understood goes; the step itself means "ask again"
    options: tuple[Option, ...] = ()
    skippable: bool = False
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Case:
    when: tuple[str, ...]
    next: str


@dataclass(frozen=True)
class BranchStep:
    id: str
    on: str  # a session field, or `intent`
    cases: tuple[Case, ...]
    default: str


@dataclass(frozen=True)
class SetStep:
    id: str
    field: str
    next: str
    value: str | None = None  # exactly one of value / from_field is set
    from_field: str | None = None


@dataclass(frozen=True)
class ConsentStep:
    id: str
    purpose: Purpose
    from_field: str  # a yes_no field; "yes" means granted
    next: str


@dataclass(frozen=True)
class JoinGroupStep:
    id: str
    # GROUP_KEYS key -> the session fields whose answers it joins (a question asked in steps).
    # A joined answer drops the option value `more` (it only leads to the next step) and drops
    # `none` when another step chose something.
    fields: Mapping[str, tuple[str, ...]]
    next: str


@dataclass(frozen=True)
class HandoverStep:
    id: str
    next: str
    text: str | None = None


@dataclass(frozen=True)
class EnterStep:
    id: str
    flow: str
    next: str


@dataclass(frozen=True)
class EndStep:
    id: str
    text: str | None = None


Step = (
    SendStep
    | AskStep
    | BranchStep
    | SetStep
    | ConsentStep
    | JoinGroupStep
    | HandoverStep
    | EnterStep
    | EndStep
)


@dataclass(frozen=True)
class Consultation:
    id: str  # stored with every view
    title: str  # text id
    # A consultation made in the workspace: its version (stored with every view), the keyword
    # that starts it (folded), and the dates it is open between (opens inclusive, closes
    # exclusive; None: no limit). The engine reads the time only from its input, so "open" is
    # decided inside the turn (bot.engine.consultations).
    version: int | None = None
    keyword: str | None = None
    opens: datetime | None = None
    closes: datetime | None = None

    def is_open(self, at: datetime) -> bool:
        return (self.opens is None or self.opens <= at) and (
            self.closes is None or at < self.closes
        )


@dataclass(frozen=True)
class Flow:
    id: str
    kind: FlowKind
    start: str
    steps: Mapping[str, Step]  # in file order
    requires_consent: tuple[Purpose, ...] = ()
    consultation: Consultation | None = None
    source: str = ""  # file path, for messages

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def asks(self) -> Iterator[AskStep]:
        return (s for s in self.steps.values() if isinstance(s, AskStep))


@dataclass(frozen=True)
class FlowSet:
    flows: Mapping[str, Flow] = field(default_factory=dict)

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self.flows

    def __getitem__(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def get(self, flow_id: str) -> Flow | None:
        return self.flows.get(flow_id)

    def consultations(self) -> tuple[Flow, ...]:
        return tuple(f for f in self.flows.values() if f.consultation is not None)

    def question_for(self, field_name: str) -> AskStep | None:
        """The first ask (in flow order) that saves into `field_name`."""
        for flow in self.flows.values():
            for ask in flow.asks():
                if ask.save_as == field_name:
                    return ask
        return None
