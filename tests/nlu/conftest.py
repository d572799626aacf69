"""Shared fixtures: a classifier trained on the small fixture data, and the real data when
`nlu_data/` holds any (tests that need it skip with the reason otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.split import Split, split
from bot.nlu.training_data import Example, load_directory

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "nlu_data"
REAL_DATA = Path(__file__).resolve().parents[2] / "nlu_data"


@pytest.fixture(scope="session")
def fixture_nlu() -> EmbeddedNLU:
    return EmbeddedNLU.from_directory(FIXTURE_DATA)


@pytest.fixture(scope="session")
def real_examples() -> list[Example]:
    examples = load_directory(REAL_DATA) if REAL_DATA.is_dir() else []
    if not examples:
        pytest.skip(f"no training data in {REAL_DATA} yet")
    return examples


@pytest.fixture(scope="session")
def real_split(real_examples: list[Example]) -> Split:
    return split(real_examples)


@pytest.fixture(scope="session")
def held_out_nlu(real_split: Split) -> EmbeddedNLU:
    return EmbeddedNLU.train(real_split.training)
