"""Calibrates the safeguarding screen's thresholds on development data only:
`python -m bench.calibrate`.

The model is trained on the training part of nlu_data/ (bot.nlu.split); the held-out part is
the development set: its risk intents are disclosures, everything else is ordinary. `check` is
the lowest threshold whose false alarms on the ordinary part stay within `FALSE_ALARM_BUDGET`;
`clear` the lowest within a tenth of it. The evaluation sets in bench/data/ordinary and
bench/data/disclosures are never read here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.nlu import NLU_DATA
from bot.nlu.base import SAFEGUARDING_INTENTS
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.screening import Thresholds
from bot.nlu.split import split
from bot.nlu.training_data import Example, load_directory

FALSE_ALARM_BUDGET = 0.005
GRID = tuple(round(0.3 + 0.01 * i, 2) for i in range(70))


def risk_confidence(nlu: EmbeddedNLU, text: str) -> float:
    """The confidence of a risk intent on top of the ranking (0 when another intent is)."""
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
    ordinary = [risk_confidence(nlu, e.text) for e in dev if e.intent not in SAFEGUARDING_INTENTS]
    disclosures = [risk_confidence(nlu, e.text) for e in dev if e.intent in SAFEGUARDING_INTENTS]
    thresholds, recall = choose(ordinary, disclosures, FALSE_ALARM_BUDGET)
    print(
        f"{len(ordinary)} ordinary, {len(disclosures)} disclosures on the development split: "
        f"clear {thresholds.clear}, check {thresholds.check}; classifier recall at check "
        f"{100 * recall:.1f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
