"""One handler per step type. Each runs its step and returns the frame to run next, or None
when the turn stops (a question waits, or the conversation rests)."""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from bot.engine.context import TurnContext
from bot.engine.events import (
    ConsentRecorded,
    FlowEnded,
    GroupInterestRecorded,
    HandoverRequested,
)
from bot.engine.flowstack import forget_flow, leave, start_of
from bot.engine.questions import ask_question
from bot.engine.session import Frame
from bot.flowspec.model import (
    CONSENT_SUBJECT_PREFIX,
    DEPLOYMENT_SUBJECT_PREFIX,
    INTENT_SUBJECT,
    LANGUAGE_FIELD,
    MORE_VALUE,
    NONE_VALUE,
    REGISTER_FIELD,
    AskStep,
    BranchStep,
    ConsentStep,
    EndStep,
    EnterStep,
    Flow,
    HandoverStep,
    JoinGroupStep,
    SendStep,
    SetStep,
    Step,
)


def run_send(ctx: TurnContext, flow: Flow, step: SendStep) -> Frame | None:
    ctx.say(step.text)
    return Frame(flow.id, step.next)


def run_ask(ctx: TurnContext, flow: Flow, step: AskStep) -> Frame | None:
    ask_question(ctx, flow.id, step)
    return None


def branch_matches(subject: str, when: tuple[str, ...]) -> bool:
    """A multi answer ("a,b") matches a case naming any one of its values."""
    return subject in when or any(part in when for part in subject.split(",") if part)


def run_branch(ctx: TurnContext, flow: Flow, step: BranchStep) -> Frame | None:
    subject = branch_subject(ctx, step.on)
    target = next((c.next for c in step.cases if branch_matches(subject, c.when)), step.default)
    return Frame(flow.id, target)


def branch_subject(ctx: TurnContext, on: str) -> str:
    if on == INTENT_SUBJECT:
        return ctx.intent or ""
    if on.startswith(CONSENT_SUBJECT_PREFIX):
        granted = ctx.work.consents.get(on.removeprefix(CONSENT_SUBJECT_PREFIX))
        return "" if granted is None else ("yes" if granted else "no")
    if on.startswith(DEPLOYMENT_SUBJECT_PREFIX):
        name = on.removeprefix(DEPLOYMENT_SUBJECT_PREFIX)
        deployment = ctx.settings.deployment
        if name == "group_support" and ctx.inp.group_support is not None:
            # The working groups as configured in the store, not the environment's setting.
            deployment = replace(deployment, group_support=ctx.inp.group_support)
        return deployment.promise(name)
    return ctx.work.fields.get(on, "")


def assign(ctx: TurnContext, field: str, value: str) -> None:
    """Sets a session field; `$language` and `$register` change the session's own settings."""
    if field == LANGUAGE_FIELD:
        ctx.set_language(value)
    elif field == REGISTER_FIELD:
        ctx.set_register(value)
    else:
        ctx.work.fields[field] = value


def run_set(ctx: TurnContext, flow: Flow, step: SetStep) -> Frame | None:
    value = step.value
    if value is None:
        value = ctx.work.fields.get(step.from_field or "", "")
    assign(ctx, step.field, value)
    return Frame(flow.id, step.next)


def _question_text_id(ctx: TurnContext, flow: Flow, field: str) -> str:
    ask = next((a for a in flow.asks() if a.save_as == field), None)
    ask = ask or ctx.flows.question_for(field)
    return ask.text if ask else field


def run_consent(ctx: TurnContext, flow: Flow, step: ConsentStep) -> Frame | None:
    granted = ctx.work.fields.get(step.from_field) == "yes"
    ctx.work.consents[step.purpose] = granted
    ctx.emit(
        ConsentRecorded(
            at=ctx.at,
            purpose=step.purpose,
            granted=granted,
            text_id=_question_text_id(ctx, flow, step.from_field),
            language=ctx.language,
            channel=ctx.inp.channel,
        )
    )
    return Frame(flow.id, step.next)


def run_join_group(ctx: TurnContext, flow: Flow, step: JoinGroupStep) -> Frame | None:
    def values(key: str) -> tuple[str, ...]:
        joined = [
            part
            for name in step.fields.get(key, ())
            for part in ctx.work.fields.get(name, "").split(",")
            if part and part != MORE_VALUE
        ]
        chosen = tuple(dict.fromkeys(joined))
        real = tuple(v for v in chosen if v != NONE_VALUE)
        return real or chosen

    def value(key: str) -> str:
        return ",".join(values(key))

    ctx.emit(
        GroupInterestRecorded(
            at=ctx.at,
            topics=values("topics"),
            availability=values("availability"),
            access_needs=values("access_needs"),
            interpreter_language=value("interpreter_language") or None,
            contact_method=value("contact") or None,
            language=ctx.language,
            channel=ctx.inp.channel,
        )
    )
    return Frame(flow.id, step.next)


def run_handover(ctx: TurnContext, flow: Flow, step: HandoverStep) -> Frame | None:
    ctx.emit(HandoverRequested(ctx.at, "asked", flow.id, step.id, ctx.language, ctx.inp.channel))
    if step.text:
        ctx.say(step.text)
    return Frame(flow.id, step.next)


def run_enter(ctx: TurnContext, flow: Flow, step: EnterStep) -> Frame | None:
    ctx.work.stack.append(Frame(flow.id, step.next))
    return start_of(step.flow)


def run_end(ctx: TurnContext, flow: Flow, step: EndStep) -> Frame | None:
    if step.text:
        ctx.say(step.text)
    ctx.emit(FlowEnded(ctx.at, flow.id, completed=True))
    forget_flow(ctx, flow.id)
    return leave(ctx, flow.id)


def run_step(ctx: TurnContext, flow: Flow, step: Step) -> Frame | None:
    """Runs one step by its type. `Step` is a closed union: a step type without a case here
    reaches `assert_never`, which mypy refuses."""
    match step:
        case SendStep():
            return run_send(ctx, flow, step)
        case AskStep():
            return run_ask(ctx, flow, step)
        case BranchStep():
            return run_branch(ctx, flow, step)
        case SetStep():
            return run_set(ctx, flow, step)
        case ConsentStep():
            return run_consent(ctx, flow, step)
        case JoinGroupStep():
            return run_join_group(ctx, flow, step)
        case HandoverStep():
            return run_handover(ctx, flow, step)
        case EnterStep():
            return run_enter(ctx, flow, step)
        case EndStep():
            return run_end(ctx, flow, step)
        case _:
            assert_never(step)
