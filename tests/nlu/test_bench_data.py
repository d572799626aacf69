"""The evaluation sets in bench/data/ stay apart from everything Heard learns from, and cover
every catalogue language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.nlu import DISCLOSURE_KINDS, load_disclosures, load_everyday_intents, load_ordinary
from bot.catalogue import load_catalogue
from bot.nlu.keywords import KINDS, normalise, phrases
from bot.nlu.training_data import Example

REPOSITORY = Path(__file__).resolve().parents[2]
LANGUAGES = sorted(load_catalogue(REPOSITORY / "flows" / "catalogue").languages)
DEV = REPOSITORY / "bench" / "data" / "dev"


def screen_texts() -> set[str]:
    texts = {t for items in load_ordinary().values() for t in items}
    texts |= {t for items in load_disclosures().values() for t, _ in items}
    return {normalise(t) for t in texts}


def test_no_screen_evaluation_text_is_a_training_example(real_examples: list[Example]) -> None:
    trained = {normalise(e.text) for e in real_examples}
    assert sorted(screen_texts() & trained) == []


def test_no_everyday_phrasing_longer_than_a_word_is_a_training_example(
    real_examples: list[Example],
) -> None:
    # The commonest one-word replies ("yes", "nie", "haan") are training examples as they
    # must be; the bench counts them apart. Nothing longer may be shared.
    trained = {normalise(e.text) for e in real_examples}
    shared = {normalise(t) for _, t, _ in load_everyday_intents()} & trained
    assert sorted(t for t in shared if len(t.split()) > 1) == []


def test_no_evaluation_text_is_a_development_text_and_no_ordinary_one_is_listed() -> None:
    listed = {
        normalise(p.strip("^$*"))
        for lang in LANGUAGES
        for kind in KINDS
        for p in phrases(kind, lang)
    }
    ordinary = {normalise(t) for items in load_ordinary().values() for t in items}
    dev = {normalise(t) for items in load_ordinary(DEV / "ordinary", None).values() for t in items}
    dev |= {
        normalise(t) for items in load_disclosures(DEV / "disclosures").values() for t, _ in items
    }
    assert sorted(screen_texts() & dev) == []
    assert sorted(ordinary & listed) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_its_evaluation_sets(language: str) -> None:
    ordinary = load_ordinary()[language]
    disclosures = load_disclosures()[language]
    assert len(ordinary) >= (500 if language == "en" else 150)
    assert len(disclosures) >= 40
    assert {kind for _, kind in disclosures} == set(DISCLOSURE_KINDS)
    assert language in {lang for lang, _, _ in load_everyday_intents()}


def test_the_fresh_batch_is_no_listed_phrase_no_training_example_and_no_evaluation_text(
    real_examples: list[Example],
) -> None:
    # bench/data/dev/fresh*/ measure how far the screen reaches beyond the wording it was
    # written for (python -m bench.fresh): copied into phrases or training data, they no
    # longer would.
    batches = sorted(DEV.glob("fresh*"))
    assert [b.name for b in batches][:5] == ["fresh", "fresh-2", "fresh-3", "fresh-4", "fresh-5"]
    fresh = {
        normalise(t)
        for batch in batches
        for items in load_disclosures(batch).values()
        for t, _ in items
    }
    listed = {
        normalise(p.strip("^$*"))
        for lang in LANGUAGES
        for kind in KINDS
        for p in phrases(kind, lang)
    }
    trained = {normalise(e.text) for e in real_examples}
    assert sorted(fresh & listed) == []
    assert sorted(fresh & trained) == []
    assert sorted(fresh & screen_texts()) == []
