"""What a person is told after a reply that was not understood: exactly what to send.

Every retry names the expected reply for the kind of question ("Reply 1 for yes or 2 for no",
"a number from 1 to 4", "a number from 16 to 120", "your own words"), so nobody is left to
guess. On channels with buttons (Telegram) a yes/no or choice question says "tap" instead.
A question that can be skipped names its "prefer not to say" number apart ("one number from 1
to 5, or 6 if you prefer not to say"), so a rating from 1 to 5 is never told "1 to 6".
"""

from __future__ import annotations

from bot.engine.context import TurnContext
from bot.engine.replies import Question
from bot.flowspec import texts
from bot.flowspec.model import SKIP_VALUE
from bot.terms import SIM_TELEGRAM, TELEGRAM

# Channels that show the choices as buttons (bot.channels.telegram.render); the rest show numbers.
TAP_CHANNELS = frozenset({TELEGRAM, SIM_TELEGRAM})


def what_to_send(ctx: TurnContext, question: Question) -> tuple[str, dict[str, str]]:
    """The retry text id for `question` on this turn's channel, and its placeholders."""
    tap = ctx.inp.channel in TAP_CHANNELS
    skip = next((c.number for c in question.choices if c.value == SKIP_VALUE), None)
    numbers = [c.number for c in question.choices if c.number > 0 and c.value != SKIP_VALUE]
    last = str(max(numbers)) if numbers else "1"
    params = {"last": last} if skip is None else {"last": last, "skip": str(skip)}
    if question.kind == "yes_no":
        if skip is not None:
            return (texts.RETRY_CHOICE_TAP, {}) if tap else (texts.RETRY_YES_NO_SKIP, params)
        return (texts.RETRY_YES_NO_TAP if tap else texts.RETRY_YES_NO), {}
    if question.kind == "multi":
        return (texts.RETRY_MULTI if skip is None else texts.RETRY_MULTI_SKIP), params
    if question.kind == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 999
        bounds = {"low": str(low), "high": str(high)}
        if skip is None:
            return texts.RETRY_NUMBER, bounds
        return texts.RETRY_NUMBER_SKIP, {**bounds, "skip": str(skip)}
    if question.kind == "open":
        if skip is None:
            return texts.RETRY_OPEN, {}
        return texts.RETRY_OPEN_SKIP, {"skip": str(skip)}
    if tap:
        return texts.RETRY_CHOICE_TAP, {}
    return (texts.RETRY_CHOICE if skip is None else texts.RETRY_CHOICE_SKIP), params


def say_what_to_send(ctx: TurnContext, question: Question) -> None:
    text_id, params = what_to_send(ctx, question)
    ctx.say(text_id, params=params)
