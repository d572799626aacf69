from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from bot.nlu.base import SAFEGUARDING_INTENTS
from bot.nlu.embedded import DEFAULT_C, EmbeddedNLU, features, skeleton
from bot.nlu.split import Split
from bot.nlu.training_data import Example, load_directory

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "nlu_data"

# Phrases a person might send, mostly not verbatim in the fixture: case, accents, repeated
# letters and near paraphrases must still land on the right intent.
PHRASES = [
    ("yeah go on", "affirm"),
    ("Yesss please", "affirm"),
    ("k", "affirm"),
    ("OK", "affirm"),
    ("nope", "deny"),
    ("no thanks", "deny"),
    ("nie dzięki", "deny"),
    ("nie dziekuje", "deny"),
    ("haan ji", "affirm"),
    ("ہاں جی", "affirm"),
    ("dim diolch", "deny"),
    ("Tak!", "affirm"),
    ("STOP", "stop"),
    ("Stop.", "stop"),
    ("please stop texting me", "stop"),
    ("I want to talk to a real person", "talk_to_person"),
    ("delete my details", "delete_my_data"),
    ("diolch yn fawr iawn", "thanks"),
    ("shukriya", "thanks"),
    ("I want to kill myself", "risk_to_self"),
    ("chcę się zabić", "risk_to_self"),
    ("he hits me every day", "harm_from_others"),
]


@pytest.mark.parametrize(("text", "intent"), PHRASES)
def test_phrases_reach_their_intent(fixture_nlu: EmbeddedNLU, text: str, intent: str) -> None:
    result = fixture_nlu.parse(text)
    assert result.intent is not None, result.ranking[:3]
    assert result.intent.name == intent, result.ranking[:3]


def test_ranking_is_a_distribution_ordered_best_first(fixture_nlu: EmbeddedNLU) -> None:
    result = fixture_nlu.parse("hello there")
    confidences = [s.confidence for s in result.ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert {s.name for s in result.ranking} == set(fixture_nlu.intents)
    assert result.as_rasa_json()["intent"]["name"] == "greet"


@pytest.mark.parametrize("text", ["", "   ", "?!"])
def test_empty_messages_have_no_intent(fixture_nlu: EmbeddedNLU, text: str) -> None:
    assert fixture_nlu.parse(text).intent is None


def test_threshold_turns_unsure_answers_into_no_intent() -> None:
    strict = EmbeddedNLU.from_directory(FIXTURE_DATA, threshold=0.999)
    result = strict.parse("qwerty zxcvb")
    assert result.intent is None
    assert result.ranking  # the ranking is still there for the caller to inspect


def test_scorer_agrees_with_scikit_learn() -> None:
    """The hand-rolled scorer must give the trained SVM's margins (calibration comes after)."""
    examples = load_directory(FIXTURE_DATA)
    texts = [e.text for e in examples]
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    svm = LinearSVC(C=DEFAULT_C).fit(vectorizer.fit_transform(texts), [e.intent for e in examples])
    nlu = EmbeddedNLU.train(examples)
    probes = ["yes please", "nie wiem", "mae ofn arna i", "حالات ٹھیک نہیں", "zzz"]
    margins = svm.decision_function(vectorizer.transform(probes))
    for probe, row in zip(probes, margins, strict=True):
        ours = nlu.margins(probe)
        assert [ours[str(name)] for name in svm.classes_] == pytest.approx(list(row), abs=1e-4)


def test_from_directory_reuses_the_trained_model() -> None:
    first = EmbeddedNLU.from_directory(FIXTURE_DATA)
    second = EmbeddedNLU.from_directory(FIXTURE_DATA, threshold=0.9)
    assert first.parse("tak").ranking == second.parse("tak").ranking


# The mean over languages measured 0.69 when nlu_data/ first landed, 0.709 with calibrated
# confidences and the consultation-style out_of_scope examples.
# 0.669 once the everyday out_of_scope examples came (fewer false alarms, more caution).
MACRO_F1_FLOOR = 0.65
HELD_OUT_RECALL_FLOOR = 0.65


def test_held_out_macro_f1_is_above_the_floor(held_out_nlu: EmbeddedNLU, real_split: Split) -> None:
    from bench.nlu import evaluate

    rows = evaluate(held_out_nlu, real_split.held_out)
    mean = sum(r.macro_f1 for r in rows) / len(rows)
    assert mean >= MACRO_F1_FLOOR, {r.language: round(r.macro_f1, 3) for r in rows}


def test_every_held_out_safeguarding_example_raises_an_alarm(
    held_out_nlu: EmbeddedNLU, real_split: Split
) -> None:
    """Classifier at the screen's calibrated thresholds, or a keyword: what the running system
    does. Measured 100/150 with the thresholds chosen for at most 0.5% false alarms: the
    indirect phrasings of this split are what the screen misses most (bench/results/nlu.md)."""
    from bench.nlu import raises_alarm

    missed = [
        (example.language, example.text)
        for example in real_split.held_out
        if example.intent in SAFEGUARDING_INTENTS
        and not raises_alarm(held_out_nlu, example.text, example.language)
    ]
    total = sum(1 for e in real_split.held_out if e.intent in SAFEGUARDING_INTENTS)
    assert 1 - len(missed) / total >= HELD_OUT_RECALL_FLOOR, missed


def test_romanised_spellings_share_a_consonant_skeleton() -> None:
    # Romanised Urdu has no fixed spelling: "mujhe" / "mujhay" / "mjhe", "maarta" / "marta".
    assert skeleton("mujhay") == skeleton("mujhe") == skeleton("mjhe") == "mj"
    assert skeleton("maarta") == skeleton("marta")
    assert skeleton("اور") is None  # other scripts keep their own features
    assert skeleton("ok") is None  # too short to say anything


def test_a_spelling_the_classifier_was_not_shown_reaches_its_intent() -> None:
    nlu = EmbeddedNLU.train(
        [Example("mera shohar mujhe maarta hai", "harm_from_others", "ur")] * 3
        + [Example("mera shohar kaam pe jata hai", "out_of_scope", "ur")] * 3
        + [Example("mujhe bus chahiye", "out_of_scope", "ur")] * 3,
        calibrate=False,
    )
    # Vowels dropped, as people text: only the skeletons "mj" and "mrt" are shared.
    found = nlu.parse("mjhy mrta")
    assert found.intent is not None and found.intent.name == "harm_from_others"
