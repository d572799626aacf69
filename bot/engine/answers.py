"""A reply to the flow question that is waiting: saved and carried on, or asked again."""

from __future__ import annotations

from bot.engine.context import TurnContext
from bot.engine.events import AnswerSaved
from bot.engine.flowstack import remember_answered
from bot.engine.questions import ask_question, question_for, waiting_ask
from bot.engine.replies import Question, is_farewell, understand
from bot.engine.reply_language import note_reply_language
from bot.engine.retry import say_what_to_send
from bot.engine.runner import resume, run
from bot.engine.session import Frame
from bot.engine.steps import assign, run_branch
from bot.flowspec import texts
from bot.flowspec.model import AskStep, BranchStep, Flow

# Questions where "thanks" or "bye" keeps the place, and "hello" asks the question again with no
# apology, instead of "Sorry, we did not understand". Not yes/no: there a greeting or farewell
# must never stand for an answer, so the person is told exactly what to send (consent, DELETE);
# not open: there the words are the answer.
_PAUSE_KINDS = frozenset({"choice", "multi", "scale", "number"})

# Branches followed from `other` before deciding whether the reply is asked again (a guard
# against a loop of branches in content).
_BRANCH_LIMIT = 20


def answer_question(ctx: TurnContext) -> None:
    ask = waiting_ask(ctx)
    position = ctx.work.position
    flow = ctx.flows.get(position.flow) if position else None
    if ask is None or flow is None:
        ctx.work.position = None
        resume(ctx)
        return
    if not accept_answer(ctx, flow, ask):
        not_understood(ctx, flow, ask)
        return
    run(ctx, Frame(flow.id, ask.next))


def accept_answer(ctx: TurnContext, flow: Flow, ask: AskStep) -> bool:
    """Reads the text as the answer to `ask`; when it is one, saves it and remembers the
    question for BACK. False (nothing changed) when the text does not answer it."""
    question = question_for(ctx, ask)
    value = understand(ctx.inp.text, question, ctx.vocabulary())
    if value is None and question.kind == "language":
        value = _written_in(ctx, question)
    if value is None:
        return False
    ctx.work.retries = 0
    save_answer(ctx, flow, ask, value)
    remember_answered(ctx, Frame(flow.id, ask.id))
    return True


def _written_in(ctx: TurnContext, question: Question) -> str | None:
    """At a language question, a reply confidently written in one of the offered languages
    chooses it: someone who answers the menu in Urdu script cannot be helped by being told, in
    English, to send a number."""
    u = ctx.inp.understanding
    offered = {choice.value for choice in question.choices}
    if u.language in offered and u.language_confidence >= ctx.settings.language_confidence:
        return u.language
    return None


def not_understood(ctx: TurnContext, flow: Flow, ask: AskStep) -> None:
    """Follows `other`; when it leads back to the ask itself (directly, or through branches,
    which say nothing), says exactly what to send and asks again, adding the help text (MENU,
    PERSON, ...) once the person has tried more than `max_retries` times. Branches may read
    `reply_language` (bot.engine.reply_language), set here first.

    A whole reply that takes leave ("thanks", "ok bye") at a choice or number question is
    thanked: the question keeps waiting, unasked. A greeting ("hello", "shwmae") there, someone
    coming back, gets the question again. Neither is counted as a try."""
    if ask.answer in _PAUSE_KINDS:
        if is_farewell(ctx.inp.text, ctx.vocabulary()):
            ctx.say(texts.PAUSED)
            return
        if ctx.catalogue.is_greeting(ctx.inp.text):
            ask_question(ctx, flow.id, ask)
            return
    ctx.work.retries += 1
    note_reply_language(ctx)
    target = _through_branches(ctx, flow, ask.other)
    if target != ask.id:
        run(ctx, Frame(flow.id, target))
        return
    say_what_to_send(ctx, question_for(ctx, ask))
    if ctx.work.retries > ctx.settings.max_retries:
        ctx.say(ctx.help_text())
    ask_question(ctx, flow.id, ask)


def _through_branches(ctx: TurnContext, flow: Flow, step_id: str) -> str:
    """The step `step_id` leads to once its branches are followed (branches only read)."""
    for _ in range(_BRANCH_LIMIT):
        step = flow.steps.get(step_id)
        if not isinstance(step, BranchStep):
            break
        frame = run_branch(ctx, flow, step)
        if frame is None:
            break
        step_id = frame.step
    return step_id


def save_answer(ctx: TurnContext, flow: Flow, ask: AskStep, value: str) -> None:
    shown = ctx.render(ask.text).text
    language, register = ctx.language, ctx.work.register  # as the question was asked
    assign(ctx, ask.save_as, value)
    frame = Frame(flow.id, ask.id)
    replaces = frame in ctx.work.undone  # answered before BACK stepped over it
    ctx.work.undone = [f for f in ctx.work.undone if f != frame]
    if ask.store == "none":
        return
    ctx.emit(
        AnswerSaved(
            at=ctx.at,
            flow=flow.id,
            step=ask.id,
            field=ask.save_as,
            store=ask.store,
            question_text_id=ask.text,
            question_text=shown,
            value=value,
            raw_text=ctx.inp.text,
            language=language,
            register=register,
            channel=ctx.inp.channel,
            consultation=flow.consultation.id if flow.consultation else None,
            consultation_version=flow.consultation.version if flow.consultation else None,
            replaces=replaces,
        )
    )
