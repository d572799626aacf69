"""Questions the engine asks by itself, outside any flow, kept in `Session.pending`:
DELETE's confirmation, the safeguarding check-in, "carry on?" after safeguarding help lines,
LANGUAGE's menu, and a working group's invitation (`group_invite:<group id>`; the group's name,
the date and the offers it names wait in the session fields `invite_group`, `invite_date`,
`invite_offers`, so a retry asks the same question).

`Session.pending` is a string: the confirmation's name, and for the check-in also the kind of
risk the screen found (`safeguarding_check:harm_from_others`), so "yes, help now" on a later
turn gives the help reply for that kind.
"""

from __future__ import annotations

from bot.engine import choices
from bot.engine.context import TurnContext
from bot.engine.replies import Question
from bot.flowspec import texts

DELETE = "delete"
SAFEGUARDING = "safeguarding"
SAFEGUARDING_CHECK = "safeguarding_check"
LANGUAGE = "language"
GROUP_INVITE = "group_invite"
# Session fields the invitation's texts fill in ({invite_group}, {invite_date}, {invite_offers}).
INVITE_FIELDS = ("invite_group", "invite_date", "invite_offers")

TEXT_IDS = {
    DELETE: texts.DELETE_CONFIRM,
    SAFEGUARDING: texts.SAFEGUARDING_CONTINUE,
    SAFEGUARDING_CHECK: texts.SAFEGUARDING_CHECK,
    LANGUAGE: texts.LANGUAGE_MENU,
}


def split(pending: str) -> tuple[str, str]:
    """(name, argument) of a pending confirmation; the argument is "" when there is none."""
    name, _, argument = pending.partition(":")
    return name, argument


def check_in(kind: str) -> str:
    """The pending value of a check-in about `kind` (a SafeguardingKind)."""
    return f"{SAFEGUARDING_CHECK}:{kind}"


def text_id(ctx: TurnContext, kind: str) -> str | None:
    name, _ = split(kind)
    if name == SAFEGUARDING and ctx.settings.deployment.coordinators_follow_up:
        return texts.SAFEGUARDING_CONTINUE_FOLLOW_UP
    if name == GROUP_INVITE:
        return texts.INVITE_OFFERS if ctx.work.fields.get("invite_offers") else texts.INVITE
    return TEXT_IDS.get(name)


def pending_question(ctx: TurnContext, kind: str) -> Question:
    if kind == LANGUAGE:
        return Question("language", choices.languages(ctx.catalogue))
    if split(kind)[0] == SAFEGUARDING_CHECK:
        return Question("yes_no", choices.help_or_carry_on(ctx.label), leading_yes=True)
    return Question("yes_no", choices.yes_no(ctx.label), cancel_means_no=kind == DELETE)


def ask_pending(ctx: TurnContext, kind: str) -> None:
    shown = text_id(ctx, kind)
    if shown is None:  # a stored session from a newer engine: drop what we cannot ask
        ctx.work.pending = None
        return
    if ctx.work.pending != kind:
        ctx.work.retries = 0
    ctx.work.pending = kind
    ctx.say(shown, pending_question(ctx, kind).choices)
