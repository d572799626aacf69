"""Risk comes before everything else in a turn, and before any command.

The host screens the text before the turn (`Understanding.safeguarding`, bot.nlu.screening).
A classifier finding is ignored when the reply is a command keyword (MENU) or word for word one
of the options offered (a tapped button, a number): those are our words, not a disclosure.
Keyword findings and open answers always count. The person gets the help lines first, a
coordinator is asked to get in touch, and the conversation carries on only if the person says
yes.
"""

from __future__ import annotations

from bot.engine import texts
from bot.engine.confirmations import SAFEGUARDING, ask_pending
from bot.engine.context import TurnContext
from bot.engine.events import HandoverRequested, SafeguardingAlert
from bot.engine.waiting import our_words


def detect(ctx: TurnContext) -> tuple[str, str] | None:
    """(kind, "intent" | "keyword") when the screen found a risk that counts, else None."""
    found = ctx.inp.understanding.safeguarding
    if found is None or (found.source == "intent" and our_words(ctx)):
        return None
    return found.kind, found.source


def alert(ctx: TurnContext, kind: str, matched: str) -> None:
    ctx.emit(SafeguardingAlert(ctx.at, kind, matched, ctx.language, ctx.inp.channel))


def respond(ctx: TurnContext, kind: str, matched: str) -> None:
    alert(ctx, kind, matched)
    position = ctx.work.position
    ctx.emit(
        HandoverRequested(
            ctx.at,
            "safeguarding",
            position.flow if position else None,
            position.step if position else None,
            ctx.language,
            ctx.inp.channel,
        )
    )
    ctx.say(texts.SAFEGUARDING_HELP)
    ask_pending(ctx, SAFEGUARDING)
