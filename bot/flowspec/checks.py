"""Semantic checks on flows that passed the schema (docs/DESIGN.md, "Semantic checks").

Each check returns `Problem`s located at `file:step`. They run on the typed model, so they are
independent of YAML; duplicates that the model folds away (step ids) are checked on the raw
document by `bot.flowspec.validate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import assert_never

from bot.catalogue import Catalogue
from bot.flowspec.model import (
    SKIP_VALUE,
    AskStep,
    BranchStep,
    ConsentStep,
    EndStep,
    EnterStep,
    Flow,
    FlowSet,
    HandoverStep,
    JoinGroupStep,
    SendStep,
    SetStep,
    Step,
)
from bot.flowspec.problems import Problem
from bot.terms import REGISTERS

MAX_STEPS = 200
MAX_OPTIONS = 9
MIN_OPTIONS = 2
REGISTER_VALUES = frozenset({"standard", "easy"})


Finding = Problem


def _problem(flow: Flow, location: str, rule: str, message: str) -> Problem:
    return Problem("error", flow.source, location, rule, message)


def exits(step: Step) -> tuple[str, ...]:
    """Step ids a step can go to within its own flow (exhaustive: a new step type without a
    case here is a mypy error)."""
    match step:
        case EndStep():
            return ()
        case AskStep():
            return tuple(s for s in (step.next, step.other) if s)
        case BranchStep():
            return (*(c.next for c in step.cases), step.default)
        case (
            SendStep() | SetStep() | ConsentStep() | JoinGroupStep() | HandoverStep() | EnterStep()
        ):
            return (step.next,)
        case _:
            assert_never(step)


def reachable(flow: Flow) -> set[str]:
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in flow.steps:
            continue
        seen.add(sid)
        todo.extend(exits(flow.steps[sid]))
    return seen


def check_references(
    flow: Flow, flows: FlowSet, unreadable: frozenset[str] = frozenset()
) -> Iterator[Finding]:
    if flow.start not in flow.steps:
        yield _problem(flow, "", "FLOW-REF", f"start names a missing step {flow.start!r}")
    for step in flow.steps.values():
        for target in exits(step):
            if target not in flow.steps:
                yield _problem(flow, step.id, "FLOW-REF", f"goes to a missing step {target!r}")
        if isinstance(step, EnterStep):
            if step.flow in unreadable:
                continue  # its file is already reported; a second error would only add noise
            if step.flow not in flows:
                yield _problem(flow, step.id, "FLOW-REF", f"enters a missing flow {step.flow!r}")
            elif step.flow == flow.id:
                yield _problem(flow, step.id, "FLOW-REF", "a flow cannot enter itself")


def check_reachability(flow: Flow) -> Iterator[Finding]:
    seen = reachable(flow)
    for sid in flow.steps:
        if sid not in seen:
            yield _problem(flow, sid, "FLOW-UNREACHABLE", "not reachable from start")
    if flow.start in flow.steps and not any(isinstance(flow.steps[s], EndStep) for s in seen):
        yield _problem(flow, flow.start, "FLOW-END", "no path from start reaches an end step")


def check_asks(flow: Flow) -> Iterator[Finding]:
    for ask in flow.asks():
        if not ask.other:
            yield _problem(
                flow,
                ask.id,
                "FLOW-OTHER",
                "every ask needs `other` (where a reply that is not understood goes)",
            )
        yield from _check_options(flow, ask)


def _check_options(flow: Flow, ask: AskStep) -> Iterator[Finding]:
    values = [o.value for o in ask.options]
    if ask.answer in ("choice", "multi"):
        if len(values) < MIN_OPTIONS:
            yield _problem(
                flow, ask.id, "FLOW-OPTIONS", f"a {ask.answer} ask needs at least 2 options"
            )
    elif ask.answer == "register":
        if set(values) - REGISTER_VALUES:
            yield _problem(
                flow, ask.id, "FLOW-OPTIONS", "register options can only be standard and easy"
            )
    elif values:
        yield _problem(flow, ask.id, "FLOW-OPTIONS", f"a {ask.answer} ask takes no options")
    if len(values) > MAX_OPTIONS:
        yield _problem(
            flow, ask.id, "FLOW-LIMIT", f"{len(values)} options; at most {MAX_OPTIONS} fit a menu"
        )
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        yield _problem(
            flow, ask.id, "FLOW-OPTIONS", f"option values repeat: {', '.join(duplicates)}"
        )
    if ask.skippable and SKIP_VALUE in values:
        yield _problem(
            flow, ask.id, "FLOW-OPTIONS", f"{SKIP_VALUE!r} is added by skippable; remove it"
        )
    if ask.answer != "number" and (ask.min is not None or ask.max is not None):
        yield _problem(flow, ask.id, "FLOW-OPTIONS", "min and max belong to number asks only")
    if ask.min is not None and ask.max is not None and ask.min > ask.max:
        yield _problem(flow, ask.id, "FLOW-OPTIONS", f"min {ask.min} is above max {ask.max}")


def check_limits(flow: Flow) -> Iterator[Finding]:
    if len(flow.steps) > MAX_STEPS:
        yield _problem(
            flow, "", "FLOW-LIMIT", f"{len(flow.steps)} steps; a flow holds at most {MAX_STEPS}"
        )


def text_ids(flow: Flow) -> Iterator[tuple[str, str]]:
    """(location, text id) for every text a flow shows."""
    if flow.consultation:
        yield "", flow.consultation.title
    for step in flow.steps.values():
        text = step.text if isinstance(step, (SendStep, AskStep, EndStep, HandoverStep)) else None
        if text:
            yield step.id, text
        if isinstance(step, AskStep):
            for option in step.options:
                yield step.id, option.text


def check_texts(flow: Flow, catalogue: Catalogue) -> Iterator[Finding]:
    for location, text_id in text_ids(flow):
        for code in catalogue.codes:
            entry = catalogue.entry(code, text_id)
            if entry is None:
                message = f"text {text_id!r} is missing in {code}"
                yield _problem(flow, location, "FLOW-TEXT", message)
                continue
            for register in REGISTERS:
                if not getattr(entry, register).strip():
                    yield _problem(
                        flow,
                        location,
                        "FLOW-TEXT",
                        f"text {text_id!r} has no {register} wording in {code}",
                    )


def check_flow(
    flow: Flow,
    flows: FlowSet,
    catalogue: Catalogue | None,
    unreadable: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every semantic problem of one flow. `unreadable` names files (by stem) that failed to
    load, so references to their flows are not reported twice."""
    found: list[Finding] = []
    for findings in _checks(flow, flows, catalogue, unreadable):
        found.extend(findings)
    return found


def _checks(
    flow: Flow, flows: FlowSet, catalogue: Catalogue | None, unreadable: frozenset[str]
) -> Iterable[Iterable[Finding]]:
    yield check_references(flow, flows, unreadable)
    yield check_reachability(flow)
    yield check_asks(flow)
    yield check_limits(flow)
    if catalogue is not None:
        yield check_texts(flow, catalogue)
