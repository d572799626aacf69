from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue import load_catalogue
from bot.nlu.base import LanguageGuess
from bot.nlu.langid import HeardLanguageGuesser, catalogue_texts, vocabulary_from_texts
from bot.nlu.training_data import load_directory

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "nlu_data"

LANGUAGES = load_catalogue().codes  # every catalogue language, never a fixed list


@pytest.fixture(scope="module")
def guesser() -> HeardLanguageGuesser:
    examples = load_directory(FIXTURE_DATA)
    return HeardLanguageGuesser(
        LANGUAGES, vocabulary_from_texts((e.language, e.text) for e in examples)
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ਹਾਂ ਜੀ", "pa"),
        ("ਮੈਨੂੰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ", "pa"),
        ("হ্যাঁ", "bn"),
        ("আমি ভালো আছি", "bn"),
        ("میں ٹھیک ہوں", "ur"),
        ("جی ہاں", "ur"),
        ("نعم، شكرا جزيلا", "ar"),
        ("أنا بخير", "ar"),
    ],
)
def test_script_decides(guesser: HeardLanguageGuesser, text: str, language: str) -> None:
    result = guesser.guess(text, stored="en")
    assert (result.language, result.source) == (language, "script")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello, I would like to tell you what I think about the day centre", "en"),
        ("Dzień dobry, chciałabym powiedzieć, co myślę o ośrodku", "pl"),
        ("Bore da, hoffwn i ddweud beth dw i'n feddwl am y ganolfan", "cy"),
        ("Bună ziua, aș vrea să vă spun ce cred despre centrul de zi", "ro"),
        ("Subax wanaagsan, waxaan jeclaan lahaa inaan idiin sheego fikradayda", "so"),
        ("mujhe madad chahiye, main theek nahi hoon", "ur"),  # romanised Urdu
        ("haan ji shukriya", "ur"),
    ],
)
def test_sentences_without_a_stored_language(
    guesser: HeardLanguageGuesser, text: str, language: str
) -> None:
    assert guesser.guess(text).language == language


@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        # One- and two-word replies keep the stored language...
        ("ok", "pl", "pl"),
        ("ok", "cy", "cy"),
        ("stop", "ro", "ro"),
        ("no", "pl", "pl"),
        ("help", "cy", "cy"),
        ("haan", "pa", "pa"),  # romanised Punjabi and Urdu share it
        ("haan", "ur", "ur"),
        ("jee", "ur", "ur"),
        # ...unless a word belongs to another language's vocabulary and not the stored one's
        ("tak", "en", "pl"),
        ("ie", "en", "cy"),
        ("haa", "en", "so"),
        ("da", "en", "ro"),
        ("da", "cy", "cy"),  # "da" is Welsh too ("bore da")
        ("nie dziękuję", "en", "pl"),
        # ...or the script says otherwise
        ("ہاں", "en", "ur"),
        ("ਹਾਂ", "ur", "pa"),
    ],
)
def test_short_replies_and_the_stored_language(
    guesser: HeardLanguageGuesser, text: str, stored: str, expected: str
) -> None:
    assert guesser.guess(text, stored=stored).language == expected


def test_a_reply_that_keeps_the_stored_language_says_so(guesser: HeardLanguageGuesser) -> None:
    assert guesser.guess("ok", stored="pl").source == "stored"
    assert guesser.guess("tak", stored="en").source == "catalogue"


@pytest.mark.parametrize("stored", [None, "en"])
def test_no_text_gives_no_new_evidence(guesser: HeardLanguageGuesser, stored: str | None) -> None:
    result = guesser.guess("  !! ", stored=stored)
    assert result.language == stored
    assert result.source == ("stored" if stored else "none")


@pytest.mark.parametrize("text", ["tak", "hello there", "ਹਾਂ", "qwxz", "ok", "dim diolch"])
def test_guesses_are_deterministic(guesser: HeardLanguageGuesser, text: str) -> None:
    fresh = HeardLanguageGuesser(LANGUAGES)
    first = [guesser.guess(text), fresh.guess(text, "en")]
    again = [guesser.guess(text), fresh.guess(text, "en")]
    assert first == again
    assert all(0.0 <= g.confidence <= 1.0 for g in first)


def test_only_the_configured_languages_are_guessed() -> None:
    english_and_polish = HeardLanguageGuesser(["en", "pl"])
    assert english_and_polish.guess("Bore da, sut mae pawb heddiw?").language in {"en", "pl"}
    assert english_and_polish.guess("ਹਾਂ ਜੀ") == LanguageGuess(None, 0.0, "none")


def test_catalogue_words_are_vocabulary(tmp_path: object) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path))
    (directory / "so.yaml").write_text(
        "language: so\nkeywords:\n  yes: [haa]\n  no: [maya]\n"
        "messages:\n  welcome.hello:\n    standard: 'Soo dhawoow {org}'\n    easy: 'Soo dhawoow'\n",
        encoding="utf-8",
    )
    pairs = catalogue_texts(directory)
    assert ("so", "haa") in pairs
    vocabulary = vocabulary_from_texts(pairs)
    assert {"haa", "maya", "soo", "dhawoow"} <= vocabulary["so"]
    assert "org" not in vocabulary["so"]
    guesser = HeardLanguageGuesser(LANGUAGES, vocabulary)
    assert guesser.guess("soo dhawoow", stored="en").language == "so"
