"""Replies to the engine's own confirmations (see `bot.engine.confirmations`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.engine import texts
from bot.engine.confirmations import DELETE, LANGUAGE, SAFEGUARDING, ask_pending, pending_question
from bot.engine.context import TurnContext
from bot.engine.events import ErasureRequested
from bot.engine.flowstack import abandon, start_of
from bot.engine.replies import understand
from bot.engine.retry import say_what_to_send
from bot.engine.runner import resume
from bot.engine.working import Working


def _delete(ctx: TurnContext, answer: str) -> None:
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


def _safeguarding(ctx: TurnContext, answer: str) -> None:
    if answer == "yes":
        resume(ctx)
        return
    abandon(ctx)
    if ctx.catalogue.has("en", texts.SAFEGUARDING_END):
        ctx.say(texts.SAFEGUARDING_END)
    ctx.work.status = "ended"


def _language(ctx: TurnContext, answer: str) -> None:
    ctx.set_language(answer)
    ctx.say(texts.LANGUAGE_CHANGED)
    resume(ctx)


_ANSWERS: dict[str, Callable[[TurnContext, str], None]] = {
    DELETE: _delete,
    SAFEGUARDING: _safeguarding,
    LANGUAGE: _language,
}


def answer_pending(ctx: TurnContext) -> None:
    kind = ctx.work.pending or ""
    handler = _ANSWERS.get(kind)
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
    handler(ctx, value)
