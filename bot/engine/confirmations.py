"""Questions the engine asks by itself, outside any flow, kept in `Session.pending`:
DELETE's confirmation, "carry on?" after safeguarding help lines, and LANGUAGE's menu."""

from __future__ import annotations

from bot.engine import choices, texts
from bot.engine.context import TurnContext
from bot.engine.replies import Question

DELETE = "delete"
SAFEGUARDING = "safeguarding"
LANGUAGE = "language"

TEXT_IDS = {
    DELETE: texts.DELETE_CONFIRM,
    SAFEGUARDING: texts.SAFEGUARDING_CONTINUE,
    LANGUAGE: texts.LANGUAGE_MENU,
}


def pending_question(ctx: TurnContext, kind: str) -> Question:
    if kind == LANGUAGE:
        return Question("language", choices.languages(ctx.catalogue))
    return Question("yes_no", choices.yes_no(ctx.label), cancel_means_no=kind == DELETE)


def ask_pending(ctx: TurnContext, kind: str) -> None:
    if kind not in TEXT_IDS:  # a stored session from a newer engine: drop what we cannot ask
        ctx.work.pending = None
        return
    if ctx.work.pending != kind:
        ctx.work.retries = 0
    ctx.work.pending = kind
    ctx.say(TEXT_IDS[kind], pending_question(ctx, kind).choices)
