"""Consultations with a keyword and dates (made in the workspace, bot.service.consultations).

Pure: the flows carry each consultation's keyword and dates (`Consultation`), and "open" is
decided against the turn's own time (`TurnInput.at`).

- A keyword starts its consultation: the whole message (any case, accents and punctuation
  around it ignored), or one word of a sentence when the sentence names exactly one
  consultation's keyword and no open question is waiting (an open answer is the person's words,
  never a command: "the buses are late" answers a question even when BUSES is a keyword).
  Several versions share a keyword: the highest version handed to the engine is the live one.
- A consultation that is closed or not open yet says `consult.closed` and offers the menu:
  when it is started (keyword, deep link, menu) and when a reply comes to one of its questions.
  Nothing is saved from such a reply.
"""

from __future__ import annotations

from bot.catalogue.model import fold
from bot.engine.context import TurnContext
from bot.engine.flowstack import abandon, home, start_of
from bot.engine.questions import waiting_ask
from bot.engine.replies import bare
from bot.engine.runner import run
from bot.flowspec import texts
from bot.flowspec.model import Flow, FlowSet

_WORD_EDGES = ".,!?;:'\"()[]«»“”‘’"


def by_keyword(flows: FlowSet, word: str) -> Flow | None:
    """The live (highest) version of the consultation whose keyword is `word` (folded)."""
    key = fold(word)
    found = [
        f
        for f in flows.consultations()
        if f.consultation is not None and f.consultation.keyword == key
    ]
    return max(found, key=_version, default=None)


def _version(flow: Flow) -> int:
    return (flow.consultation.version or 0) if flow.consultation else 0


def keywords(flows: FlowSet) -> frozenset[str]:
    return frozenset(
        f.consultation.keyword
        for f in flows.consultations()
        if f.consultation is not None and f.consultation.keyword
    )


def named(ctx: TurnContext, *, in_sentence: bool) -> Flow | None:
    """The consultation the message names by its keyword, else None."""
    known = keywords(ctx.flows)
    if not known:
        return None
    said = bare(ctx.inp.text)
    if said in known:
        return by_keyword(ctx.flows, said)
    if not in_sentence:
        return None
    words = {w.strip(_WORD_EDGES) for w in said.split()}
    hits = words & known
    if len(hits) != 1:
        return None  # none, or two consultations named: ambiguous
    return by_keyword(ctx.flows, next(iter(hits)))


def open_question_waits(ctx: TurnContext) -> bool:
    ask = waiting_ask(ctx)
    return ctx.work.pending is not None or (ask is not None and ask.answer == "open")


def waiting_in_closed(ctx: TurnContext) -> bool:
    """A question of a consultation that has closed (or is not open yet) waits for this reply."""
    if ctx.work.pending is not None or waiting_ask(ctx) is None or ctx.work.position is None:
        return False
    flow = ctx.flows.get(ctx.work.position.flow)
    return bool(flow and flow.consultation and not flow.consultation.is_open(ctx.at))


def start(ctx: TurnContext, flow: Flow) -> None:
    """Leaves whatever was in progress and starts `flow` (through the consent gate; a closed
    one says so and offers the menu, bot.engine.flowstack.begin)."""
    abandon(ctx)
    run(ctx, start_of(flow.id))


def closed(ctx: TurnContext) -> None:
    """A late reply: said kindly, nothing kept, the menu offered."""
    abandon(ctx)
    ctx.say(texts.CONSULTATION_CLOSED)
    run(ctx, home(ctx))
