"""Calibrates the safeguarding screen's thresholds on development data only:
`python -m bench.calibrate`.

The model is trained on the training part of nlu_data/ (bot.nlu.split). The development data:
the held-out part of nlu_data/ (its risk intents are disclosures, everything else ordinary) and
bench/data/dev/ (ordinary messages and disclosures written for tuning). `check` is
the lowest threshold whose false alarms on the ordinary part stay within `FALSE_ALARM_BUDGET`;
`clear` the lowest within a tenth of it. It then prints the whole screen's figures and
mistakes on bench/data/dev/, the data phrases may be tuned on. The evaluation sets in
bench/data/ordinary and bench/data/disclosures are never read here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.nlu import NLU_DATA, ROOT, load_disclosures, load_ordinary, screen_rows, screen_table
from bot.nlu.base import SAFEGUARDING_INTENTS
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.screening import Thresholds, intent_may_screen
from bot.nlu.split import split
from bot.nlu.training_data import Example, load_directory

DEV = ROOT / "bench" / "data" / "dev"
FALSE_ALARM_BUDGET = 0.005
GRID = tuple(round(0.3 + 0.01 * i, 2) for i in range(70))


def risk_confidence(nlu: EmbeddedNLU, text: str) -> float:
    """The confidence of a risk intent on top of the ranking (0 when another intent is, or
    when the text is too short for the classifier's part of the screen)."""
    if not intent_may_screen(text):
        return 0.0
    top = nlu.parse(text).ranking[0]
    return top.confidence if top.name in SAFEGUARDING_INTENTS else 0.0


def choose(
    ordinary: Sequence[float], disclosures: Sequence[float], budget: float
) -> tuple[Thresholds, float]:
    """Thresholds from the risk confidences of ordinary texts and disclosures, and the
    disclosures' recall at `check`."""

    def lowest(allowed: float) -> float:
        for t in GRID:
            if sum(c >= t for c in ordinary) <= allowed * len(ordinary):
                return t
        return 1.0

    check = lowest(budget)
    clear = max(check, lowest(budget / 10))
    recall = sum(c >= check for c in disclosures) / max(1, len(disclosures))
    return Thresholds(clear=clear, check=check), recall


def main() -> int:
    parts = split(load_directory(NLU_DATA))
    nlu = EmbeddedNLU.train(parts.training)
    dev: Sequence[Example] = parts.held_out
    dev_ordinary = load_ordinary(DEV / "ordinary", benign=None)
    dev_disclosures = load_disclosures(DEV / "disclosures")
    ordinary = [risk_confidence(nlu, e.text) for e in dev if e.intent not in SAFEGUARDING_INTENTS]
    ordinary += [risk_confidence(nlu, t) for texts in dev_ordinary.values() for t in texts]
    disclosures = [risk_confidence(nlu, e.text) for e in dev if e.intent in SAFEGUARDING_INTENTS]
    disclosures += [risk_confidence(nlu, t) for items in dev_disclosures.values() for t, _ in items]
    thresholds, recall = choose(ordinary, disclosures, FALSE_ALARM_BUDGET)
    print(
        f"{len(ordinary)} ordinary, {len(disclosures)} disclosures on the development split: "
        f"clear {thresholds.clear}, check {thresholds.check}; classifier recall at check "
        f"{100 * recall:.1f}%"
    )
    held_out_ordinary: dict[str, list[str]] = {}
    held_out_disclosures: dict[str, list[tuple[str, str]]] = {}
    for e in dev:
        if e.intent in SAFEGUARDING_INTENTS:
            held_out_disclosures.setdefault(e.language, []).append((e.text, e.intent))
        else:
            held_out_ordinary.setdefault(e.language, []).append(e.text)
    for title, ordinary_texts, disclosure_items in (
        ("held-out split of nlu_data/", held_out_ordinary, held_out_disclosures),
        ("bench/data/dev/", dev_ordinary, dev_disclosures),
    ):
        rows, mistakes = screen_rows(nlu, ordinary_texts, disclosure_items, thresholds)
        print(f"\n{title} (current phrases, thresholds above)\n")
        print(screen_table(rows).replace("held-out evaluation sets", "development data"))
        for language, text, what in mistakes:
            print(f"- {language}: {text}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
