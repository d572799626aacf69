"""Replies made of Heard's own words: a command keyword, or one of the options offered.

Used to keep the NLU from overriding a plain reply: a tapped button, a typed number or MENU is
the person using our words, so it is neither a command intent nor a disclosure. Open questions
never count as an option here: any text answers them, so their text is always checked.
"""

from __future__ import annotations

from bot.engine.confirmations import DELETE, pending_question
from bot.engine.context import TurnContext
from bot.engine.questions import question_for, waiting_ask
from bot.engine.replies import bare, understand

# A short message naming a stop word among a few others ("STOP please", "stop texting me") is
# a stop request when the NLU agrees; a longer sentence is a view ("I want to stop going ...").
STOP_PHRASE_MAX_WORDS = 4


def keyword(ctx: TurnContext) -> str | None:
    """The command a whole message names in any catalogue language. STOP (a stop word or a
    stop phrase such as "leave me alone") is looked for first, so it always wins, except that
    at DELETE's confirmation "cancel" cancels the deletion rather than every message."""
    said = bare(ctx.inp.text)
    if not said:
        return None
    if ctx.work.pending == DELETE and said in ctx.vocabulary().cancel:
        return None
    stop_words = ctx.catalogue.stop_words
    if said in stop_words or ctx.catalogue.is_stop_phrase(ctx.inp.text):
        return "stop"
    words = said.split()
    if (
        len(words) <= STOP_PHRASE_MAX_WORDS
        and ctx.inp.understanding.intent == "stop"
        and any(w.strip(".,!?") in stop_words for w in words)
    ):
        return "stop"
    return ctx.catalogue.keyword_command(ctx.inp.text)


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
    return understand(ctx.inp.text, question, ctx.vocabulary()) is not None


def our_words(ctx: TurnContext) -> bool:
    """A command keyword or an option offered: not read as a disclosure by the classifier.
    HELP is the exception: "help" or "pomocy!" alone may be a cry for help."""
    command = keyword(ctx)
    return (command is not None and command != "help") or chooses_an_option(ctx)
