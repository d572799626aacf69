"""Runs flows within one turn until a question waits for the person or nothing is left."""

from __future__ import annotations

from bot.engine.confirmations import ask_pending
from bot.engine.context import BudgetExceeded, TurnContext
from bot.engine.events import FlowEnded
from bot.engine.flowstack import (
    AFTER_CONSENT,
    START,
    abandon,
    after_consent,
    begin,
    home,
    start_of,
)
from bot.engine.questions import ask_question, waiting_ask
from bot.engine.session import Frame
from bot.engine.steps import run_step
from bot.flowspec import texts


def _advance(ctx: TurnContext, frame: Frame) -> Frame | None:
    if frame.step == START:
        return begin(ctx, frame.flow)
    if frame.step == AFTER_CONSENT:
        return after_consent(ctx, frame.flow)
    flow = ctx.flows.get(frame.flow)
    step = flow.steps.get(frame.step) if flow else None
    if flow is None or step is None:  # a stored position from older content
        return start_of(texts.MENU_FLOW) if frame.flow != texts.MENU_FLOW else None
    return run_step(ctx, flow, step)


def run(ctx: TurnContext, frame: Frame | None) -> None:
    """Runs from `frame`. If the turn's step budget runs out (a flow that loops without asking),
    the flows in progress end, the person is told we did not understand, and the menu starts;
    if the menu itself loops, the conversation rests instead of hanging."""
    ctx.work.position = None
    try:
        while frame is not None:
            ctx.spend_step()
            frame = _advance(ctx, frame)
    except BudgetExceeded:
        if frame is not None:
            ctx.emit(FlowEnded(ctx.at, frame.flow, completed=False))
        abandon(ctx)
        ctx.say(texts.NOT_UNDERSTOOD)
        if not ctx.rescued:
            ctx.rescued = True
            ctx.steps_run = 0
            run(ctx, start_of(texts.MENU_FLOW))


def resume(ctx: TurnContext) -> None:
    """Carries on after an interruption: asks the waiting confirmation or question again, else
    continues the flow on the stack, else goes home (the menu; welcome if no language yet)."""
    ask = waiting_ask(ctx)
    if ctx.work.pending is not None:
        ask_pending(ctx, ctx.work.pending)
    elif ask is not None and ctx.work.position is not None:
        ask_question(ctx, ctx.work.position.flow, ask)
    elif ctx.work.stack:
        run(ctx, ctx.work.stack.pop())
    else:
        run(ctx, home(ctx))
