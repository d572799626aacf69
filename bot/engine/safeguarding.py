"""Risk comes before everything else in a turn, and before any command.

The host screens the text before the turn (`Understanding.safeguarding`, bot.nlu.screening).
A classifier finding is ignored when the reply is a command keyword (MENU) or word for word one
of the options offered (a tapped button, a number): those are our words, not a disclosure.
Keyword findings and open answers always count. Every finding that counts is an alert for
coordinators, whatever the person is then told.

- `clear`: the help reply for the kind of risk, a request for a coordinator to get in touch,
  then "carry on?". The text is not kept as an answer: a disclosure is not a view.
- `check`: an uncertain sign. A text that answers the waiting question is kept as that answer
  first (so a false alarm loses nothing and does not ask the question again), then a short
  check-in asks whether the person wants help now. Yes: as `clear`; no: the flow carries on.
"""

from __future__ import annotations

from bot.engine.answers import accept_answer
from bot.engine.confirmations import SAFEGUARDING, ask_pending, check_in
from bot.engine.context import TurnContext
from bot.engine.events import HandoverRequested, SafeguardingAlert
from bot.engine.flowstack import is_marker
from bot.engine.inputs import Screening
from bot.engine.questions import waiting_ask
from bot.engine.session import Frame
from bot.engine.waiting import our_words
from bot.flowspec import texts


def detect(ctx: TurnContext) -> Screening | None:
    """The screen's finding when it counts, else None."""
    found = ctx.inp.understanding.safeguarding
    if found is None or (found.source == "intent" and our_words(ctx)):
        return None
    return found


def alert(ctx: TurnContext, found: Screening) -> None:
    ctx.emit(
        SafeguardingAlert(
            ctx.at, found.kind, found.source, ctx.language, ctx.inp.channel, found.level
        )
    )


def respond(ctx: TurnContext, found: Screening) -> None:
    alert(ctx, found)
    if found.level == "clear":
        give_help(ctx, found.kind)
        return
    if found.kind != "unspecified":
        # A call for help ("help me") is not a view: it is never kept as the answer, so after
        # the check-in the question is asked again.
        keep_answer(ctx)
    ask_pending(ctx, check_in(found.kind))


def give_help(ctx: TurnContext, kind: str) -> None:
    """Thanks, the help lines for `kind`, a request for a coordinator to get in touch, then
    "carry on?" (which says a coordinator will be in touch only where coordinators do)."""
    where = _where(ctx)
    ctx.emit(
        HandoverRequested(
            ctx.at,
            "safeguarding",
            where.flow if where else None,
            where.step if where else None,
            ctx.language,
            ctx.inp.channel,
        )
    )
    ctx.say(texts.SAFEGUARDING_THANKS)
    ctx.say(texts.SAFEGUARDING_HELP.get(kind, texts.SAFEGUARDING_HELP["unspecified"]))
    ask_pending(ctx, SAFEGUARDING)


def keep_answer(ctx: TurnContext) -> None:
    """Saves the text as the answer to the waiting flow question, as `answer_question` would,
    and leaves the flow ready to carry on from the step after it (on the call stack, so the
    next question is asked only after the check-in). A text that does not answer it is left
    alone: the question is asked again after the check-in."""
    ask = waiting_ask(ctx)
    position = ctx.work.position
    flow = ctx.flows.get(position.flow) if position else None
    if ctx.work.pending is not None or ask is None or flow is None:
        return
    if not accept_answer(ctx, flow, ask):
        return
    ctx.work.position = None
    ctx.work.stack.append(Frame(flow.id, ask.next))


def _where(ctx: TurnContext) -> Frame | None:
    """Where in the flows the person is: the waiting question, else the step a kept answer
    carries on from."""
    if ctx.work.position is not None:
        return ctx.work.position
    return next((f for f in reversed(ctx.work.stack) if not is_marker(f)), None)
