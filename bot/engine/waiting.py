"""Whether a reply is, word for word, an answer to what the engine is waiting on.

Used to keep the NLU from overriding a plain answer: a tapped button or a typed number is the
person choosing one of our own options, so it is neither a command intent nor a disclosure.
Open questions never count here: any text answers them, so their text is always checked.
"""

from __future__ import annotations

from bot.engine.confirmations import pending_question
from bot.engine.context import TurnContext
from bot.engine.inputs import Understanding
from bot.engine.questions import question_for, waiting_ask
from bot.engine.replies import understand


def chooses_an_option(ctx: TurnContext) -> bool:
    """True when the words alone (numbers, labels, reply words; no intent) answer the waiting
    non-open question or confirmation."""
    if ctx.work.pending is not None:
        question = pending_question(ctx, ctx.work.pending)
    else:
        ask = waiting_ask(ctx)
        if ask is None or ask.answer == "open":
            return False
        question = question_for(ctx, ask)
    words_only = Understanding(language=ctx.inp.understanding.language)
    value = understand(
        ctx.inp.text, question, ctx.vocabulary(), words_only, ctx.settings.intent_confidence
    )
    return value is not None
