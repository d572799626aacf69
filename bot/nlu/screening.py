"""The safeguarding screen: what Heard would do if a text were an open answer.

Two nets, both run by the host before the turn (the engine only reacts to the `Screening`):
* the keyword phrases of every language (bot.nlu.keywords): a listed phrase is a clear
  disclosure;
* the intent classifier: a risk intent at or above `CLEAR_CONFIDENCE` is clear; at or above
  `CHECK_CONFIDENCE` it is uncertain and earns a check-in.
"""

from __future__ import annotations

from bot.engine.inputs import SafeguardingKind, Screening
from bot.nlu.base import SAFEGUARDING_INTENTS, ParseResult
from bot.nlu.keywords import match_safeguarding

# A risk intent this confident is a disclosure; between the two it is a reason to check in.
CLEAR_CONFIDENCE = 0.8
CHECK_CONFIDENCE = 0.3


def screen(text: str, parsed: ParseResult | None) -> Screening | None:
    found = match_safeguarding(text) if text.strip() else None
    if found is not None:
        return Screening(_kind(found), "clear", "keyword")
    # The top of the ranking, whatever the backend's own acceptance threshold.
    intent = parsed.ranking[0] if parsed is not None and parsed.ranking else None
    if intent is None and parsed is not None:
        intent = parsed.intent
    if intent is None or intent.name not in SAFEGUARDING_INTENTS:
        return None
    name = _kind(intent.name)
    if intent.confidence >= CLEAR_CONFIDENCE:
        return Screening(name, "clear", "intent")
    if intent.confidence >= CHECK_CONFIDENCE:
        return Screening(name, "check", "intent")
    return None


def _kind(name: str) -> SafeguardingKind:
    return "risk_to_self" if name == "risk_to_self" else "harm_from_others"
