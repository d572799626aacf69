"""Risk detection comes before everything else in a turn, and before any command but none.

A risk intent counts at `safeguarding_confidence` (low on purpose) or when the keyword matcher
names a kind. The classifier is not consulted when the reply is a command keyword (MENU) or word
for word one of the options offered (a tapped button, a number): those are our words, not a
disclosure. Keywords and open
answers are always checked. The person gets the help lines first, a coordinator is asked to get
in touch, and the conversation carries on only if the person says yes.
"""

from __future__ import annotations

from bot.engine import texts
from bot.engine.confirmations import SAFEGUARDING, ask_pending
from bot.engine.context import TurnContext
from bot.engine.events import HandoverRequested, SafeguardingAlert
from bot.engine.waiting import our_words
from bot.nlu.base import SAFEGUARDING_INTENTS


def detect(ctx: TurnContext) -> tuple[str, str] | None:
    """(kind, "intent" | "keyword") when the text suggests a risk, else None."""
    u = ctx.inp.understanding
    if (
        u.intent in SAFEGUARDING_INTENTS
        and u.intent_confidence >= ctx.settings.safeguarding_confidence
        and not our_words(ctx)
    ):
        return u.intent or "", "intent"
    matcher = ctx.settings.safeguarding_matcher
    if matcher is not None and ctx.inp.text.strip():
        kind = matcher(ctx.inp.text)
        if kind:
            return kind, "keyword"
    return None


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
