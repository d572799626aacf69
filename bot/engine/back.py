"""BACK ("back", "go back", "undo" in any catalogue language): the previous question of the
flow in progress is asked again, and the new answer replaces the old one.

The session keeps the questions answered in the flows in progress (`history`). BACK never
leaves the current flow: at its first question there is nothing to go back to, and the person
is told so. Every question stepped back over goes to `undone`, so that when it is answered
again `AnswerSaved.replaces` tells the host to replace the stored answer.
"""

from __future__ import annotations

from bot.engine.confirmations import DELETE, LANGUAGE, ask_pending, pending_question
from bot.engine.context import TurnContext
from bot.engine.questions import ask_question, waiting_ask
from bot.engine.retry import say_what_to_send
from bot.engine.runner import resume
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
