"""Whole-message commands: STOP, START, HELP, LANGUAGE, EASY, STANDARD, DELETE, MENU, PERSON,
BACK.

A command is a catalogue keyword of any language (STOP is looked for first, so it always wins),
or a confident NLU intent, except while an open question waits: there free text is an answer,
and only the exact keywords act. An intent never overrides a reply that already answers the
waiting question (a tapped "English" button is a language choice, not a request for the
language menu).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.back import step_back
from bot.engine.confirmations import (
    DELETE,
    LANGUAGE,
    SAFEGUARDING_CHECK,
    ask_pending,
    pending_question,
    split,
)
from bot.engine.context import TurnContext
from bot.engine.events import HandoverRequested, OptedOut
from bot.engine.flowstack import abandon, home, start_of
from bot.engine.questions import waiting_ask
from bot.engine.runner import resume, run
from bot.engine.waiting import chooses_an_option, keyword
from bot.flowspec import texts
from bot.flowspec.model import AskStep

# STOP and START act only on keywords: silencing someone, or messaging someone who asked for
# silence, on a classifier's guess would be worse than asking again.
INTENT_COMMANDS = {
    "help": "help",
    "change_language": "language",
    "easy_read": "easy",
    "delete_my_data": "delete",
    "talk_to_person": "person",
}
# A command said in words is short (the NLU's examples of one have at most 10 words); a longer
# message is someone saying something, and a classifier's guess must not turn it into a switch
# (2,000 characters of one repeated word read as "easy read" with 0.9 confidence).
INTENT_COMMAND_MAX_WORDS = 20


def detect(ctx: TurnContext) -> str | None:
    ask = waiting_ask(ctx) if ctx.work.pending is None else None
    command = keyword(ctx)
    if command == "stop":
        return command
    if command is not None:
        # An option that is also a keyword ("Easy read" among access needs, "Easy" on the
        # register question) is the answer, not a switch.
        return None if chooses_an_option(ctx) else command
    if ask is not None and ask.answer == "open":
        return None
    command = INTENT_COMMANDS.get(ctx.intent or "")
    if len(ctx.inp.text.split()) > INTENT_COMMAND_MAX_WORDS:
        return None
    if command is None or chooses_an_option(ctx):
        return None
    if command == "help" and _yes_no_waits(ctx, ask):
        # "what?" or "huh?" read as a call for the help text: at a yes/no question the person is
        # told exactly what to send instead (the help text follows after a few tries).
        return None
    return command


def _yes_no_waits(ctx: TurnContext, ask: AskStep | None) -> bool:
    if ctx.work.pending is not None:
        return pending_question(ctx, ctx.work.pending).kind == "yes_no"
    return ask is not None and ask.answer == "yes_no"


def _stop(ctx: TurnContext) -> None:
    stop(ctx, by_provider=False)


def stop(ctx: TurnContext, *, by_provider: bool) -> None:
    """STOP: record the opt-out and say the one confirmation, unless the provider reported it:
    then the person cannot receive it. The question the person was at stays, and so does a
    safeguarding check-in waiting (other confirmations do not), so that START can bring them
    back to it (bot.engine.engine, "opted out")."""
    if ctx.work.pending is None or split(ctx.work.pending)[0] != SAFEGUARDING_CHECK:
        ctx.work.pending = None
    ctx.work.retries = 0
    ctx.emit(OptedOut(ctx.at, ctx.inp.channel, by_provider=by_provider))
    if not by_provider:
        ctx.say(texts.STOPPED)
    ctx.work.status = "opted_out"


def _start(ctx: TurnContext) -> None:
    # Not opted out (that case never reaches here): START means "from the top".
    if ctx.work.language is None and ctx.work.stack:
        resume(ctx)  # a new person: welcome is waiting on the stack
        return
    abandon(ctx)
    run(ctx, home(ctx))


def _help(ctx: TurnContext) -> None:
    ctx.say(ctx.help_text())
    resume(ctx)


def _register(value: str, text_id: str) -> Callable[[TurnContext], None]:
    def change(ctx: TurnContext) -> None:
        ctx.set_register(value)
        ctx.say(text_id)
        resume(ctx)

    return change


def _menu(ctx: TurnContext) -> None:
    abandon(ctx)
    run(ctx, start_of(texts.MENU_FLOW))


def _person(ctx: TurnContext) -> None:
    position = ctx.work.position
    ctx.emit(
        HandoverRequested(
            ctx.at,
            "asked",
            position.flow if position else None,
            position.step if position else None,
            ctx.language,
            ctx.inp.channel,
        )
    )
    ctx.say(handover_text(ctx))
    resume(ctx)


def handover_text(ctx: TurnContext) -> str:
    """The reply to a request for a person promises a call back only when the deployment has
    someone following requests up; otherwise it says where to reach the team, if it can."""
    deployment = ctx.settings.deployment
    if deployment.handover:
        return texts.HANDOVER_DONE
    return texts.HANDOVER_NOTED_CONTACT if deployment.contact.strip() else texts.HANDOVER_NOTED


COMMANDS: dict[str, Callable[[TurnContext], None]] = {
    "stop": _stop,
    "start": _start,
    "help": _help,
    "language": lambda ctx: ask_pending(ctx, LANGUAGE),
    "easy": _register("easy", texts.EASY_ON),
    "standard": _register("standard", texts.STANDARD_ON),
    "delete": lambda ctx: ask_pending(ctx, DELETE),
    "menu": _menu,
    "person": _person,
    "back": step_back,
}


def apply(ctx: TurnContext, command: str) -> bool:
    """Runs `command`; False when it is not one the engine knows (a catalogue may add words)."""
    action = COMMANDS.get(command)
    if action is None:
        return False
    action(ctx)
    return True
