"""Entering and leaving flows: the call stack, the consent gate and the main menu.

The stack holds frames to come back to. Two markers stand in for a step id (step ids never
start with "@"): `@start` starts the flow through the consent gate, `@after_consent` starts it
only if the consent flow that just ran granted every purpose the flow requires.
"""

from __future__ import annotations

from bot.engine.context import TurnContext
from bot.engine.events import FlowEnded, FlowStarted
from bot.engine.session import Frame
from bot.flowspec import texts

START = "@start"
AFTER_CONSENT = "@after_consent"
# Answered questions kept for BACK; more than a person steps back through in one go.
HISTORY_LIMIT = 20


def start_of(flow_id: str) -> Frame:
    return Frame(flow_id, START)


def home(ctx: TurnContext) -> Frame:
    """Where a person with nothing in progress goes: the menu, or welcome if they never chose
    a language (they stopped, or their session expired, before welcome finished)."""
    if ctx.work.language is None:
        return start_of(texts.WELCOME_FLOW)
    return start_of(texts.MENU_FLOW)


# Session field naming, comma-separated, the purposes a consent gate is asking for ("" when the
# consent flow was entered directly and asks about every purpose).
CONSENT_NEEDED_FIELD = "consent_needed"


def is_marker(frame: Frame) -> bool:
    return frame.step.startswith("@")


def missing_consents(ctx: TurnContext, flow_id: str) -> list[str]:
    flow = ctx.flows.get(flow_id)
    required = flow.requires_consent if flow else ()
    return [p for p in required if not ctx.work.consents.get(p)]


def begin(ctx: TurnContext, flow_id: str, *, gate: bool = True) -> Frame | None:
    """The first step of `flow_id`, or of the consent flow when the flow needs consent first."""
    flow = ctx.flows.get(flow_id)
    if flow is None:  # a stored session from older content: fall back to the menu
        return None if flow_id == texts.MENU_FLOW else start_of(texts.MENU_FLOW)
    if flow.consultation is not None and not flow.consultation.is_open(ctx.at):
        # Closed or not open yet (bot.engine.consultations): said kindly, then the caller or
        # the menu; consent is not asked for a consultation that cannot be answered.
        ctx.say(texts.CONSULTATION_CLOSED)
        return leave(ctx, flow_id)
    if gate and flow_id != texts.CONSENT_FLOW and missing_consents(ctx, flow_id):
        ctx.work.stack.append(Frame(flow_id, AFTER_CONSENT))
        # The consent flow reads this to ask only for what the gated flow needs.
        ctx.work.fields[CONSENT_NEEDED_FIELD] = ",".join(missing_consents(ctx, flow_id))
        return begin(ctx, texts.CONSENT_FLOW, gate=False)
    if gate and flow_id == texts.CONSENT_FLOW:
        ctx.work.fields[CONSENT_NEEDED_FIELD] = ""  # entered directly: every purpose
    if flow_id == texts.WELCOME_FLOW:
        ctx.put_language_guess(keep_earlier=True)
    forget_flow(ctx, flow_id)  # BACK never reaches into an earlier run of the same flow
    ctx.emit(FlowStarted(ctx.at, flow_id))
    return Frame(flow_id, flow.start)


def after_consent(ctx: TurnContext, flow_id: str) -> Frame | None:
    if not missing_consents(ctx, flow_id):
        return begin(ctx, flow_id, gate=False)
    ctx.say(texts.CONSENT_NEEDED)
    return leave(ctx, flow_id)


def leave(ctx: TurnContext, flow_id: str) -> Frame | None:
    """Where to go after `flow_id` ends: the caller, else the main menu. When the menu itself
    ends (the person chose to finish) the conversation rests until the next message."""
    if ctx.work.stack:
        return ctx.work.stack.pop()
    if flow_id == texts.MENU_FLOW:
        ctx.work.position = None
        return None
    return start_of(texts.MENU_FLOW)


def remember_answered(ctx: TurnContext, frame: Frame) -> None:
    """Records an answered question for BACK (the latest answer of a repeated one counts)."""
    history = [f for f in ctx.work.history if f != frame]
    ctx.work.history = [*history, frame][-HISTORY_LIMIT:]


def forget_flow(ctx: TurnContext, flow_id: str) -> None:
    ctx.work.history = [f for f in ctx.work.history if f.flow != flow_id]
    ctx.work.undone = [f for f in ctx.work.undone if f.flow != flow_id]


def abandon(ctx: TurnContext) -> None:
    """Drops every flow in progress (MENU, STOP, DELETE, ...), reporting each as not completed."""
    in_progress = [ctx.work.position] if ctx.work.position else []
    in_progress += [f for f in reversed(ctx.work.stack) if not is_marker(f)]
    for flow_id in dict.fromkeys(f.flow for f in in_progress):
        ctx.emit(FlowEnded(ctx.at, flow_id, completed=False))
    ctx.work.position = None
    ctx.work.stack.clear()
    ctx.work.pending = None
    ctx.work.retries = 0
    ctx.work.history.clear()
    ctx.work.undone.clear()
