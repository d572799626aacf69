"""How a list of choices splits into a numeric scale and the rest, for both renderers."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.events import Choice


def scale_prefix(choices: Sequence[Choice]) -> int:
    """How many leading choices form a scale: labels that are only their own number (1 2 3 4 5).

    A run of fewer than 3 is not a scale; a skip choice after the scale keeps its own line.
    """
    run = 0
    for choice in choices:
        if choice.label.strip() != str(choice.number):
            break
        run += 1
    return run if run >= 3 else 0
