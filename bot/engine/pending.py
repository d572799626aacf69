"""Replies to the engine's own confirmations (see `bot.engine.confirmations`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.confirmations import (
    DELETE,
    GROUP_INVITE,
    INVITE_FIELDS,
    LANGUAGE,
    SAFEGUARDING,
    SAFEGUARDING_CHECK,
    ask_pending,
    pending_question,
    split,
)
from bot.engine.context import TurnContext
from bot.engine.events import ErasureRequested, GroupInvitationAnswered
from bot.engine.flowstack import abandon, start_of
from bot.engine.inputs import Invitation
from bot.engine.replies import understand
from bot.engine.retry import say_what_to_send
from bot.engine.runner import resume
from bot.engine.safeguarding import give_help
from bot.engine.working import Working
from bot.flowspec import texts
from bot.terms import GROUP_SUPPORT_KINDS


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


def _group_invite(ctx: TurnContext, answer: str, group_id: str) -> None:
    """YES or NO to a working group's invitation: recorded, thanked, then back to where the
    person was."""
    accepted = answer == "yes"
    if group_id.isdigit():
        ctx.emit(GroupInvitationAnswered(ctx.at, int(group_id), accepted, ctx.inp.channel))
    ctx.say(texts.INVITE_YES if accepted else texts.INVITE_NO)
    for name in INVITE_FIELDS:
        ctx.work.fields.pop(name, None)
    resume(ctx)


# Each handler gets the understood answer and the pending confirmation's argument.
_ANSWERS: dict[str, Callable[[TurnContext, str, str], None]] = {
    DELETE: _delete,
    SAFEGUARDING: _safeguarding,
    SAFEGUARDING_CHECK: _safeguarding_check,
    LANGUAGE: _language,
    GROUP_INVITE: _group_invite,
}


def invite(ctx: TurnContext, invitation: Invitation) -> None:
    """Asks the person whether they will come to the group on the date, YES or NO. The reply
    is understood like any yes/no answer (only clear yes and no words, or the option numbers);
    anything else is asked again, saying exactly what to send."""
    if ctx.work.status == "ended":
        ctx.work.status = "active"
    labels = [
        ctx.label(texts.OFFER_LABELS[kind])
        for kind in GROUP_SUPPORT_KINDS
        if kind in invitation.offers and kind in texts.OFFER_LABELS
    ]
    ctx.work.fields["invite_group"] = invitation.group
    ctx.work.fields["invite_date"] = invitation.date
    ctx.work.fields["invite_offers"] = ", ".join(labels)
    ask_pending(ctx, f"{GROUP_INVITE}:{invitation.group_id}")


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
            ctx.say(ctx.help_text())
        ask_pending(ctx, kind)
        return
    ctx.work.pending = None
    ctx.work.retries = 0
    handler(ctx, value, argument)
