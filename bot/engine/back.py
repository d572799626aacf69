"""BACK ("back", "go back", "undo" in any catalogue language): the previous question of the
flow in progress is asked again, and the new answer replaces the old one.

The session keeps the questions answered in the flows in progress (`history`). BACK never
leaves the current flow, with one exception: at the first question of a flow the menu started
(a consultation, the working group, the questions about you), BACK goes back to the menu
(nothing of that flow is stored yet). At the first question of any other flow (the opening's
consultation, a consent question) there is nothing to go back to, and the person is told so.
Every question stepped back over goes to `undone`, so that when it is answered again
`AnswerSaved.replaces` tells the host to replace the stored answer.
"""

from __future__ import annotations

from bot.engine.confirmations import DELETE, LANGUAGE, ask_pending, pending_question
from bot.engine.context import TurnContext
from bot.engine.events import FlowEnded
from bot.engine.flowstack import forget_flow, is_marker
from bot.engine.questions import ask_question, waiting_ask
from bot.engine.retry import say_what_to_send
from bot.engine.runner import resume, run
from bot.engine.session import Frame
from bot.flowspec import texts


def step_back(ctx: TurnContext) -> None:
    pending = ctx.work.pending
    if pending is not None:
        _back_from_confirmation(ctx, pending)
        return
    position = ctx.work.position
    if position is None or waiting_ask(ctx) is None:
        resume(ctx)
        return
    history = ctx.work.history
    here = [i for i, f in enumerate(history) if f.flow == position.flow]
    if not here:
        caller = _menu_above(ctx, position)
        if caller is not None:
            _back_to_menu(ctx, position, caller)
            return
        ctx.say(texts.BACK_NONE)
        resume(ctx)
        return
    stepped_over = history[here[-1] :]
    ctx.work.history = history[: here[-1]]
    ctx.work.undone = [f for f in ctx.work.undone if f not in stepped_over] + stepped_over
    target = stepped_over[0]
    ctx.work.position = target
    ask = waiting_ask(ctx)
    if ask is None:  # the content changed under a stored session
        ctx.work.position = position
        ctx.say(texts.BACK_NONE)
        resume(ctx)
        return
    ctx.say(texts.BACK_AGAIN)
    ask_question(ctx, target.flow, ask)


def _menu_above(ctx: TurnContext, position: Frame) -> Frame | None:
    """The menu's frame waiting under the flow it started, else None."""
    if position.flow == texts.MENU_FLOW or not ctx.work.stack:
        return None
    caller = ctx.work.stack[-1]
    if caller.flow != texts.MENU_FLOW or is_marker(caller):
        return None
    return caller


def _back_to_menu(ctx: TurnContext, position: Frame, caller: Frame) -> None:
    """Leaves a flow at its first question for the menu that started it."""
    ctx.work.stack.pop()
    ctx.emit(FlowEnded(ctx.at, position.flow, completed=False))
    forget_flow(ctx, position.flow)
    ctx.say(texts.BACK_MENU)
    menu = ctx.flows[texts.MENU_FLOW]
    run(ctx, Frame(caller.flow, menu.start))


def _back_from_confirmation(ctx: TurnContext, pending: str) -> None:
    """BACK at DELETE's confirmation cancels the deletion; at the language menu it keeps the
    language; "carry on?" after help lines is asked again, saying what to send."""
    if pending == DELETE:
        ctx.work.pending = None
        ctx.say(texts.DELETE_CANCELLED)
        resume(ctx)
    elif pending == LANGUAGE:
        ctx.work.pending = None
        resume(ctx)
    else:
        say_what_to_send(ctx, pending_question(ctx, pending))
        ask_pending(ctx, pending)
