""""Thanks" or "bye" at a choice or number question, in every language, on the shipped flows;
and "hello" there, from someone coming back.

The person is thanked and told their place is kept; the question is not asked again, the reply
is not counted as a failed try (no help text after a few), nothing is saved, and the next
reply answers the same question. At a yes/no question (consent, DELETE) a farewell is still
not an answer: the person is told exactly what to send (tests/engine/test_engine_consent_trust.py).
A greeting at a choice or number question gets the question again, with no apology.
"""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.engine.events import AnswerSaved
from bot.flowspec import FlowSet
from tests.engine.chat import Chat, messages, of_type, said
from tests.engine.test_engine_consent_trust import at_consent

LANGUAGES = load_catalogue().codes

# (language, a whole reply that takes leave)
FAREWELLS = [
    ("en", "thanks"),
    ("en", "Thank you!"),
    ("en", "ok bye"),
    ("en", "thanks, bye"),
    ("en", "see you later"),
    ("cy", "diolch, hwyl"),
    ("cy", "hwyl fawr"),
    ("pl", "dzięki, na razie"),
    ("pl", "do widzenia"),
    ("ro", "mersi, pa"),
    ("ro", "la revedere"),
    ("ar", "شكرا مع السلامة"),
    ("ar", "ma3a salama"),
    ("ur", "شکریہ، خدا حافظ"),
    ("ur", "khuda hafiz"),
    ("pa", "ਧੰਨਵਾਦ"),
    ("pa", "rabb rakha"),
    ("bn", "ধন্যবাদ"),
    ("bn", "biday"),
    ("so", "mahadsanid"),
    ("so", "nabad gelyo"),
]


def at_matters(flows: FlowSet, catalogue: Catalogue, language: str, channel: str = "sms") -> Chat:
    """Past consent and the open question, at "What matters most" (a choice question)."""
    chat = at_consent(flows, catalogue, language, channel)
    assert said(chat.send("1"))[-1] == "hys.q_better"
    assert said(chat.send("1"))[-1] == "hys.q_matters"  # 1: prefer not to say
    return chat


@pytest.mark.parametrize(("language", "reply"), FAREWELLS)
def test_a_farewell_at_a_choice_question_keeps_the_place(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str
) -> None:
    chat = at_matters(flows, catalogue, language)
    before = chat.session
    turn = chat.send(reply)
    assert said(turn) == ["common.paused"]
    assert messages(turn)[0].language == language
    assert of_type(turn, AnswerSaved) == []
    assert chat.session is not None and before is not None
    assert chat.session.position == before.position and chat.session.retries == 0
    turn = chat.send("2")
    assert [e.value for e in of_type(turn, AnswerSaved)] == ["activities"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_says_the_place_is_kept_in_its_own_words(
    flows: FlowSet, catalogue: Catalogue, language: str
) -> None:
    english = catalogue.text("en", "standard", "common.paused").text
    thanks = catalogue.words(language, "farewell")[0]
    turn = at_matters(flows, catalogue, language).send(thanks)
    assert said(turn) == ["common.paused"]
    assert (messages(turn)[0].text == english) == (language == "en")


def test_farewells_are_not_counted_as_tries(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = at_matters(flows, catalogue, "en")
    for _ in range(4):
        assert said(chat.send("thanks")) == ["common.paused"]
    # The first reply not understood after them is the first try, without the help text.
    assert said(chat.send("banana")) == ["retry.choice_skip", "hys.q_matters"]


def test_a_farewell_with_other_words_is_not_a_farewell(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_matters(flows, catalogue, "en")
    assert said(chat.send("bye the buses are late")) == ["retry.choice_skip", "hys.q_matters"]


def test_a_farewell_at_a_rating_is_thanked_on_telegram(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_matters(flows, catalogue, "en", channel="telegram")
    assert said(chat.send("2"))[-1] == "hys.q_rating"
    assert said(chat.send("thx")) == ["common.paused"]
    assert [e.value for e in of_type(chat.send("4"), AnswerSaved)] == ["4"]


def test_a_farewell_at_the_consent_question_is_still_asked_again(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_consent(flows, catalogue, "en")
    assert said(chat.send("thanks")) == ["retry.yes_no", "consent.ask_share_views"]


def test_a_farewell_at_an_open_question_is_the_answer(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    """Free text answers an open question, whatever it says: no word list decides what a view
    is worth."""
    chat = at_consent(flows, catalogue, "en")
    assert said(chat.send("1"))[-1] == "hys.q_better"
    turn = chat.send("thanks")
    assert [e.value for e in of_type(turn, AnswerSaved)] == ["thanks"]


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "hello"), ("cy", "Shwmae"), ("ur", "aadab")]
)
def test_a_greeting_at_a_choice_question_asks_it_again_without_an_apology(
    flows: FlowSet, catalogue: Catalogue, language: str, greeting: str
) -> None:
    chat = at_matters(flows, catalogue, language)
    assert said(chat.send("thanks")) == ["common.paused"]
    for _ in range(3):
        assert said(chat.send(greeting)) == ["hys.q_matters"]
    assert chat.session is not None and chat.session.retries == 0
    assert [e.value for e in of_type(chat.send("2"), AnswerSaved)] == ["activities"]


def test_a_greeting_at_the_consent_question_is_told_what_to_send(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_consent(flows, catalogue, "en")
    assert said(chat.send("hello")) == ["retry.yes_no", "consent.ask_share_views"]
