"""Asking a flow's question, and what a reply to it is matched against."""

from __future__ import annotations

from bot.engine import choices
from bot.engine.context import LANGUAGE_MENU_FIRST_FIELD, TurnContext
from bot.engine.replies import Question
from bot.engine.session import Frame
from bot.flowspec.model import AskStep


def question_for(ctx: TurnContext, ask: AskStep) -> Question:
    first = ctx.work.fields.get(LANGUAGE_MENU_FIRST_FIELD, "")
    shown = choices.for_ask(ask, ctx.catalogue, ctx.label, [c for c in first.split(",") if c])
    return Question(ask.answer, shown, ask.min, ask.max)


def ask_question(ctx: TurnContext, flow_id: str, ask: AskStep) -> None:
    """Says the question with its choices; the step then waits for the person's reply."""
    frame = Frame(flow_id, ask.id)
    if frame != ctx.asked_before:
        ctx.work.retries = 0
    ctx.work.position = frame
    if ask.answer == "language" and ctx.work.language is None:
        # Before a language is known, a message in a script of a few catalogue languages (Urdu
        # and Arabic share Arabic letters) gets the menu in those languages, offering them first.
        plausible = choices.plausible_languages(ctx.catalogue, ctx.inp.text)
        if plausible:
            ctx.work.fields[LANGUAGE_MENU_FIRST_FIELD] = ",".join(plausible)
        first = ctx.work.fields.get(LANGUAGE_MENU_FIRST_FIELD, "")
        in_languages = tuple(c for c in first.split(",") if c in ctx.catalogue.languages)
        ctx.say(ask.text, question_for(ctx, ask).choices, in_languages=in_languages)
        return
    ctx.say(ask.text, question_for(ctx, ask).choices)


def waiting_ask(ctx: TurnContext) -> AskStep | None:
    """The question the person is replying to, if the content still has it."""
    position = ctx.work.position
    flow = ctx.flows.get(position.flow) if position else None
    step = flow.steps.get(position.step) if flow and position else None
    return step if isinstance(step, AskStep) else None
