"""The safeguarding screen: what Heard would do if a text were an open answer.

Run by the host before the turn (the engine only reacts to the `Screening`). In order:

1. a listed phrase of `immediate_danger`, `risk_to_self` or `harm_from_others` (any language,
   bot.nlu.keywords): `clear`, source `keyword`;
2. the intent classifier's top intent is a risk intent at or above `Thresholds.clear`: `clear`,
   source `intent`;
3. a risk intent on top at or above `Thresholds.check`: `check`, source `intent`;
   (2 and 3 only for a text of at least `MIN_INTENT_WORDS` words: the classifier's confidence
   in one or two words rests on a handful of features, and "my mum" or "ما بدي" must not
   alarm anyone; short disclosures are the phrase lists' part);
4. a pattern of a kind (bot.nlu.keywords: word classes such as "{partner} ~ {hit} {me}"):
   that kind, `check`, `keyword` (a pattern reaches wording nobody listed, so it is less sure);
5. a listed call for help ("help me", "please help"): kind `unspecified`, `check`, `keyword`.

`clear` earns the help reply; `check` a kind check-in that keeps the answer. The thresholds are
calibrated on development data only (`bench/calibrate.py`: the held-out split of nlu_data/ and
bench/data/dev/), never on the evaluation sets in bench/data/ordinary and bench/data/disclosures.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.inputs import SafeguardingKind, Screening
from bot.nlu.base import SAFEGUARDING_INTENTS, ParseResult
from bot.nlu.keywords import HELP_REQUEST, PhraseMatcher, default_matcher, normalise


@dataclass(frozen=True)
class Thresholds:
    """Confidence of a risk intent on top of the ranking: at or above `clear` a disclosure,
    at or above `check` a reason to check in."""

    clear: float
    check: float


# Chosen by bench/calibrate.py on the development data (see its docstring for the rule). No
# confidence below 1.0 kept `clear` free of false alarms there, so the classifier's findings
# are check-ins (the answer is kept); a clear disclosure is the phrase lists' part.
THRESHOLDS = Thresholds(clear=1.0, check=0.94)
CLEAR_CONFIDENCE = THRESHOLDS.clear
CHECK_CONFIDENCE = THRESHOLDS.check
# Fewer words than this and the classifier's part of the screen stays silent (see above).
MIN_INTENT_WORDS = 3


def intent_may_screen(text: str) -> bool:
    """Whether `text` is long enough for the classifier's part of the screen."""
    return len(normalise(text).split()) >= MIN_INTENT_WORDS


def screen(
    text: str,
    parsed: ParseResult | None,
    thresholds: Thresholds = THRESHOLDS,
    matcher: PhraseMatcher | None = None,
) -> Screening | None:
    """The screen's finding for `text` (and the classifier's `parsed` answer for it, if any);
    None when there is no sign of risk."""
    if not text.strip():
        return None
    phrases = matcher or default_matcher()
    found = phrases.match(text)
    if found is not None and found != HELP_REQUEST:
        return Screening(_kind(found), "clear", "keyword")
    by_intent = intent_screening(parsed, thresholds) if intent_may_screen(text) else None
    if by_intent is not None:
        return by_intent
    patterned = phrases.match_pattern(text)
    if patterned is not None and patterned != HELP_REQUEST:
        return Screening(_kind(patterned), "check", "keyword")
    if found == HELP_REQUEST or patterned == HELP_REQUEST:
        return Screening("unspecified", "check", "keyword")
    return None


def intent_screening(parsed: ParseResult | None, thresholds: Thresholds) -> Screening | None:
    """The classifier's part of the screen alone."""
    if parsed is None:
        return None
    # The top of the ranking, whatever the backend's own acceptance threshold.
    intent = parsed.ranking[0] if parsed.ranking else parsed.intent
    if intent is None or intent.name not in SAFEGUARDING_INTENTS:
        return None
    if intent.confidence >= thresholds.clear:
        return Screening(_kind(intent.name), "clear", "intent")
    if intent.confidence >= thresholds.check:
        return Screening(_kind(intent.name), "check", "intent")
    return None


def _kind(name: str) -> SafeguardingKind:
    if name == "immediate_danger":
        return "immediate_danger"
    return "risk_to_self" if name == "risk_to_self" else "harm_from_others"
