"""First messages people really send, and what Heard makes of their language: a greeting shared
across languages names none (the person picks from the menu); a greeting of one language is
confident enough for the welcome flow to ask "carry on in ...?"."""

from __future__ import annotations

import pytest

from bot.catalogue import load_catalogue
from bot.engine.settings import EngineSettings
from bot.nlu.langid import HeardLanguageGuesser, catalogue_vocabulary


@pytest.fixture(scope="module")
def guesser() -> HeardLanguageGuesser:
    catalogue = load_catalogue()
    return HeardLanguageGuesser(catalogue.codes, catalogue_vocabulary(catalogue))


@pytest.mark.parametrize(
    "greeting", ["Assalam o alaikum", "Assalamu alaikum", "salam", "السلام عليكم", "Salaam!"]
)
def test_a_greeting_shared_by_several_languages_names_none(
    guesser: HeardLanguageGuesser, greeting: str
) -> None:
    assert guesser.guess(greeting).language is None


@pytest.mark.parametrize(
    ("greeting", "language"),
    [
        ("Shwmae", "cy"),
        ("Bore da", "cy"),
        ("Dzień dobry", "pl"),
        ("Bună ziua", "ro"),
        ("ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "pa"),
        ("নমস্কার, কেমন আছেন", "bn"),
    ],
)
def test_a_greeting_of_one_language_is_confident_enough_to_offer_it(
    guesser: HeardLanguageGuesser, greeting: str, language: str
) -> None:
    guess = guesser.guess(greeting)
    assert guess.language == language
    assert guess.confidence >= EngineSettings.language_confidence
