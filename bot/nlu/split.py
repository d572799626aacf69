"""The held-out split shared by the embedded classifier, the Rasa training script and the
benchmark: within each (language, intent), every 5th example by position
(index % 5 == 4) is held out; the rest is training. Positions count the examples of one
intent in one language file, in file order, across all items of that intent.

`scripts/rasa-service.sh` imports `is_held_out`; changing the rule changes its model hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.nlu.training_data import Example

EVERY = 5


def is_held_out(index: int) -> bool:
    return index % EVERY == EVERY - 1


@dataclass(frozen=True)
class Split:
    training: tuple[Example, ...]
    held_out: tuple[Example, ...]


def split(examples: Sequence[Example]) -> Split:
    positions: dict[tuple[str, str], int] = {}
    training: list[Example] = []
    held_out: list[Example] = []
    for example in examples:
        key = (example.language, example.intent)
        index = positions.get(key, 0)
        positions[key] = index + 1
        (held_out if is_held_out(index) else training).append(example)
    return Split(tuple(training), tuple(held_out))
