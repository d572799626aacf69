"""The safeguarding screen (bot.nlu.screening) on the messages that used to go wrong: ordinary
words that showed crisis lines, and calls for help that were not noticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.nlu import load_disclosures, load_ordinary, screen_rows
from bot.engine.inputs import Screening
from bot.nlu.base import IntentScore, ParseResult
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.screening import THRESHOLDS, Thresholds, screen

REAL_DATA = Path(__file__).resolve().parents[2] / "nlu_data"
HARM = Screening("harm_from_others", "clear", "keyword")
CHECK = Screening("unspecified", "check", "keyword")
SELF = Screening("risk_to_self", "clear", "keyword")


@pytest.fixture(scope="module")
def deployed() -> EmbeddedNLU:
    return EmbeddedNLU.from_directory(REAL_DATA)


ORDINARY = [
    "Dim digon o fysiau i'r ganolfan",
    "السلام علیکم، میں اپنی رائے دینا چاہتی ہوں",
    "my mum",
    "more money",
    "better than nothing",
    "let me think",
    "I live in Splott",
    "i'm grateful",
    "good bye my friend",
    "do widzenia",
    "/menu",
    "show me the menu",
    "main menu",
    "help me fill in the form",
    "my husband shouts at the telly",
    "I'm done with everything you asked",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_are_not_a_disclosure(deployed: EmbeddedNLU, text: str) -> None:
    assert screen(text, deployed.parse(text)) is None, deployed.parse(text).ranking[:2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("somebody help me", Screening("unspecified", "check", "keyword")),
        ("please help", Screening("unspecified", "check", "keyword")),
        ("help me", Screening("unspecified", "check", "keyword")),
        ("I need help", Screening("unspecified", "check", "keyword")),
        ("pomocy", Screening("unspecified", "check", "keyword")),
        ("meri madad karo", Screening("unspecified", "check", "keyword")),
        ("I want to kill myself", Screening("risk_to_self", "clear", "keyword")),
        ("my husband hits me", Screening("harm_from_others", "clear", "keyword")),
        ("he is here now with a knife", Screening("immediate_danger", "clear", "keyword")),
        ("I'm going to do it tonight", Screening("immediate_danger", "clear", "keyword")),
        ("someone is breaking in", Screening("immediate_danger", "clear", "keyword")),
        ("ktoś się włamuje", Screening("immediate_danger", "clear", "keyword")),
        # A partner shouting at the person: the domestic abuse help lines
        ("my husband shouts at me and I am scared", HARM),
        ("My partner screams at me", HARM),
        ("fy ngŵr yn gweiddi arna i", HARM),
        ("mąż na mnie krzyczy", HARM),
        ("sotul meu tipa la mine", HARM),
        ("میرا شوہر مجھ پر چیختا ہے", HARM),
        ("shohar mujh pe chillata hai", HARM),
        ("ਮੇਰਾ ਪਤੀ ਮੇਰੇ ਤੇ ਚੀਕਦਾ ਹੈ", HARM),
        ("স্বামী আমার উপর চিৎকার করে", HARM),
        ("زوجي يصرخ علي كل يوم", HARM),
        ("ninkayga wuu igu qayliyaa", HARM),
        # "Done with everything": it may be despair or a bad day, so a kind check-in
        ("I'm done with everything", CHECK),
        ("im done with it all", CHECK),
        ("wedi cael digon ar bopeth", CHECK),
        ("mam dość wszystkiego", CHECK),
        ("m-am săturat de tot", CHECK),
        ("sab se tang aa gayi hun", Screening("risk_to_self", "check", "intent")),
        ("সবকিছু থেকে ক্লান্ত", CHECK),
        ("تعبت من كل شي", CHECK),
        ("waan ka daalay wax walba", CHECK),
        # Fed up with life: the help lines for a risk to oneself
        ("zindagi ton tang aa gaya", SELF),
        ("mam dość życia", SELF),
        ("I've had enough of life", SELF),
    ],
)
def test_disclosures_and_calls_for_help(
    deployed: EmbeddedNLU, text: str, expected: Screening
) -> None:
    assert screen(text, deployed.parse(text)) == expected


def parsed(intent: str, confidence: float) -> ParseResult:
    return ParseResult("x", None, (IntentScore(intent, confidence),))


@pytest.mark.parametrize(
    ("intent", "confidence", "expected"),
    [
        ("risk_to_self", 0.99, Screening("risk_to_self", "clear", "intent")),
        ("harm_from_others", 0.5, Screening("harm_from_others", "check", "intent")),
        ("harm_from_others", 0.2, None),
        ("greet", 0.99, None),
    ],
)
def test_the_classifier_answers_by_threshold(
    intent: str, confidence: float, expected: Screening | None
) -> None:
    assert screen("zzz qqq xxx", parsed(intent, confidence), Thresholds(0.9, 0.4)) == expected


def test_a_named_risk_from_the_classifier_outranks_a_bare_call_for_help() -> None:
    found = screen("please please help me", parsed("risk_to_self", 0.99), Thresholds(0.9, 0.4))
    assert found == Screening("risk_to_self", "clear", "intent")


@pytest.mark.parametrize("text", ["my mum", "ما بدي", "zzz"])
def test_the_classifier_alone_never_alarms_on_one_or_two_words(text: str) -> None:
    assert screen(text, parsed("risk_to_self", 0.999), Thresholds(0.9, 0.4)) is None


def test_a_listed_phrase_of_two_words_is_still_a_disclosure() -> None:
    found = screen("suicidal thoughts", parsed("out_of_scope", 0.9), Thresholds(0.9, 0.4))
    assert found == Screening("risk_to_self", "clear", "keyword")


def test_thresholds_are_ordered() -> None:
    assert 0 < THRESHOLDS.check <= THRESHOLDS.clear <= 1


def test_bench_screen_rows_on_small_data(tmp_path: Path, deployed: EmbeddedNLU) -> None:
    (tmp_path / "ordinary").mkdir()
    (tmp_path / "disclosures").mkdir()
    (tmp_path / "ordinary" / "en.yml").write_text(
        "messages: [my mum, please help]\n", encoding="utf-8"
    )
    (tmp_path / "disclosures" / "en.yml").write_text(
        "risk_to_self: [i want to kill myself]\nimmediate_danger: [zzz qqq]\n", encoding="utf-8"
    )
    ordinary = load_ordinary(tmp_path / "ordinary", benign=None)
    disclosures = load_disclosures(tmp_path / "disclosures")
    rows, mistakes = screen_rows(deployed, ordinary, disclosures)
    assert [(r.alarms, r.clear_alarms, r.recall, r.right_kind) for r in rows] == [
        ((1, 2), (0, 2), (1, 2), (1, 2))
    ]
    assert [m[1] for m in mistakes] == ["please help", "zzz qqq"]
