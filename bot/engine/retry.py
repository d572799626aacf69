"""What a person is told after a reply that was not understood: exactly what to send.

Every retry names the expected reply for the kind of question ("Reply 1 for yes or 2 for no",
"a number from 1 to 4", "a number from 16 to 120", "your own words"), so nobody is left to
guess. On channels with buttons (Telegram) a yes/no or choice question says "tap" instead.
"""

from __future__ import annotations

from bot.engine.context import TurnContext
from bot.engine.replies import Question
from bot.flowspec import texts
from bot.terms import SIM_TELEGRAM, TELEGRAM

# Channels that show the choices as buttons (bot.channels.telegram.render); the rest show numbers.
TAP_CHANNELS = frozenset({TELEGRAM, SIM_TELEGRAM})



def what_to_send(ctx: TurnContext, question: Question) -> tuple[str, dict[str, str]]:
    """The retry text id for `question` on this turn's channel, and its placeholders."""
    tap = ctx.inp.channel in TAP_CHANNELS
    numbers = [c.number for c in question.choices if c.number > 0]
    last = str(max(numbers)) if numbers else "1"
    if question.kind == "yes_no":
        return (texts.RETRY_YES_NO_TAP if tap else texts.RETRY_YES_NO), {}
    if question.kind == "multi":
        return texts.RETRY_MULTI, {"last": last}
    if question.kind == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 999
        return texts.RETRY_NUMBER, {"low": str(low), "high": str(high)}
    if question.kind == "open":
        return texts.RETRY_OPEN, {}
    if tap:
        return texts.RETRY_CHOICE_TAP, {}
    return texts.RETRY_CHOICE, {"last": last}


def say_what_to_send(ctx: TurnContext, question: Question) -> None:
    text_id, params = what_to_send(ctx, question)
    ctx.say(text_id, params=params)
