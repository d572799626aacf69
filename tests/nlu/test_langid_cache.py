"""The language guesser's folded vocabulary kept in the parse cache (bot.parse_cache) is what
folding the words now gives: a start that reads it guesses as one that folds every word, and
changed words are folded again, never answered from an earlier start's entry."""

from __future__ import annotations

from pathlib import Path

from bot.catalogue import load_catalogue
from bot.nlu.langid import HeardLanguageGuesser, catalogue_vocabulary
from bot.parse_cache import ParseCache

TEXTS = ["Dzień dobry", "Bore da, diolch", "tak", "Bună ziua", "haan ji", "ok", "mahadsanid"]


def _guesses(guesser: HeardLanguageGuesser) -> list[str | None]:
    return [guesser.guess(text).language for text in TEXTS]


def test_a_start_from_the_cache_guesses_as_one_that_folds_every_word(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    folded = HeardLanguageGuesser(
        catalogue.codes, catalogue_vocabulary(catalogue), catalogue.word_lists
    )
    cache = ParseCache(tmp_path / "parse-cache")
    for _ in range(2):  # the first start writes the entries, the second reads them
        cached = HeardLanguageGuesser(
            catalogue.codes,
            catalogue_vocabulary(catalogue, cache),
            catalogue.word_lists,
            cache=cache,
        )
        assert cached.vocabulary == folded.vocabulary
        assert _guesses(cached) == _guesses(folded)
    assert len(list((tmp_path / "parse-cache").glob("*.json"))) == 2


def test_changed_words_are_folded_again(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "parse-cache")
    # Made-up words, so that no shipped word list holds them.
    before = HeardLanguageGuesser(["en", "pl"], {"pl": {"Zębąlik"}}, cache=cache)
    after = HeardLanguageGuesser(["en", "pl"], {"pl": {"Łąkowiec"}}, cache=cache)
    assert "zebalik" in before.vocabulary["pl"]
    assert "lakowiec" in after.vocabulary["pl"]
    assert "zebalik" not in after.vocabulary["pl"]
