"""Saying goodbye to Heard is ordinary; saying goodbye for ever is a warning sign. The shipped
farewell words ("thanks", "bye": a choice question's place is kept, bot.engine.answers) must
never hide a disclosure: the screen runs first, and these farewells get the help reply."""

from __future__ import annotations

import pytest

from bot.catalogue import load_catalogue
from bot.nlu.keywords import default_matcher
from bot.nlu.screening import screen

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    "text",
    [
        "thanks for everything, goodbye forever",
        "bye forever",
        "this is goodbye",
        "sorry and goodbye",
        "diolch am bopeth, hwyl fawr am byth",
        "dziękuję za wszystko, żegnajcie na zawsze",
        "mulțumesc pentru tot, adio pentru totdeauna",
        "شكرا على كل شيء، وداعا للأبد",
        "sab ka shukriya, hamesha ke liye alvida",
        "ਸਭ ਦਾ ਧੰਨਵਾਦ, ਹਮੇਸ਼ਾ ਲਈ ਅਲਵਿਦਾ",
        "সবাইকে ধন্যবাদ, চিরদিনের জন্য বিদায়",
    ],
)
def test_a_farewell_for_ever_gets_the_help_reply(text: str) -> None:
    found = screen(text, None, matcher=default_matcher())
    assert found is not None and found.level == "clear"


@pytest.mark.parametrize("language", CATALOGUE.codes)
def test_the_farewell_words_themselves_raise_no_alarm(language: str) -> None:
    """Every language lists its own farewells, and none of them alarms."""
    matcher = default_matcher()
    words = CATALOGUE.languages[language].keywords.get("farewell", ())
    assert words, f"{language} lists no farewell words"
    assert [w for w in words if screen(w, None, matcher=matcher) is not None] == []
