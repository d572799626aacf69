"""Replies to the engine's own confirmations (see `bot.engine.confirmations`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.confirmations import (
    DELETE,
    LANGUAGE,
    SAFEGUARDING,
    SAFEGUARDING_CHECK,
    ask_pending,
    pending_question,
    split,
)
from bot.engine.context import TurnContext
from bot.engine.events import ErasureRequested
from bot.engine.flowstack import abandon, start_of
from bot.engine.replies import understand
from bot.engine.retry import say_what_to_send
from bot.engine.runner import resume
from bot.engine.safeguarding import give_help
from bot.engine.working import Working
from bot.flowspec import texts


def _delete(ctx: TurnContext, answer: str, _: str) -> None:
    if answer != "yes":
        ctx.say(texts.DELETE_CANCELLED)
        resume(ctx)
        return
    abandon(ctx)
    ctx.emit(ErasureRequested(ctx.at, ctx.inp.channel))
    ctx.say(texts.DELETED)
    # Nothing of the old session is kept: the next message starts welcome as for a new person.
    ctx.work = Working.fresh(ctx.ids(), ctx.work.participant_id, ctx.work.channel, ctx.at)
    ctx.work.stack.append(start_of(texts.WELCOME_FLOW))


def _safeguarding(ctx: TurnContext, answer: str, _: str) -> None:
    if answer == "yes":
        resume(ctx)
        return
    abandon(ctx)
    if ctx.catalogue.has("en", texts.SAFEGUARDING_END):
        ctx.say(texts.SAFEGUARDING_END)
    ctx.work.status = "ended"


def _safeguarding_check(ctx: TurnContext, answer: str, kind: str) -> None:
    """Yes: the help reply for the kind the screen found; no: the flow carries on where it was
    (after an answer the check-in kept, with the next question)."""
    if answer == "yes":
        give_help(ctx, kind)
        return
    resume(ctx)


def _language(ctx: TurnContext, answer: str, _: str) -> None:
    ctx.set_language(answer)
    ctx.say(texts.LANGUAGE_CHANGED)
    resume(ctx)


# Each handler gets the understood answer and the pending confirmation's argument.
_ANSWERS: dict[str, Callable[[TurnContext, str, str], None]] = {
    DELETE: _delete,
    SAFEGUARDING: _safeguarding,
    SAFEGUARDING_CHECK: _safeguarding_check,
    LANGUAGE: _language,
}


def answer_pending(ctx: TurnContext) -> None:
    kind = ctx.work.pending or ""
    name, argument = split(kind)
    handler = _ANSWERS.get(name)
    if handler is None:
        ctx.work.pending = None
        resume(ctx)
        return
    question = pending_question(ctx, kind)
    value = understand(ctx.inp.text, question, ctx.vocabulary())
    if value is None:
        ctx.work.retries += 1
        say_what_to_send(ctx, question)
        if ctx.work.retries > ctx.settings.max_retries:
            ctx.say(texts.HELP)
        ask_pending(ctx, kind)
        return
    ctx.work.pending = None
    ctx.work.retries = 0
    handler(ctx, value, argument)
