"""A first "hi" is a greeting in English like any other, and every retry says what to send."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.engine.events import MessageCreated
from bot.engine.session import Turn
from bot.flowspec import FlowSet
from bot.terms import REGISTERS, Register
from tests.engine.chat import Chat, make_engine, messages, said, welcomed

LANGUAGES = load_catalogue().codes  # every catalogue language, never a fixed list

# (first message, the language it is a greeting of); the guesser had no confident guess
GREETINGS = [
    ("hi", "en"),
    ("Hi!", "en"),
    ("hello", "en"),
    ("Hey", "en"),
    ("hi there", "en"),
    ("hii", "en"),  # a letter held down, as people text
    ("heyy", "en"),
    ("Hallo", "en"),
    ("shwmae", "cy"),
    ("Cześć", "pl"),
    ("buna ziua", "ro"),
    ("nabad", "so"),
    ("adaab", "ur"),
    ("sat sri akal", "pa"),
]


@pytest.mark.parametrize(("text", "language"), GREETINGS)
def test_a_first_greeting_is_confirmed_in_its_language_not_answered_with_the_menu(
    flows: FlowSet, catalogue: Catalogue, text: str, language: str
) -> None:
    chat = Chat(make_engine(flows, catalogue))
    turn = chat.send(text, language=None, language_confidence=0.0)
    # The opening in the greeting's language; a reply not understood there offers the
    # language menu (tests/engine/test_engine_opening.py).
    assert said(turn) == ["consent.about", "consent.ask_share_views"]
    assert {m.language for m in messages(turn)} == {language}


@pytest.mark.parametrize("text", ["salam", "assalamu alaikum", "ok", "hmm"])
def test_a_greeting_many_languages_share_still_gets_the_language_menu(
    flows: FlowSet, catalogue: Catalogue, text: str
) -> None:
    chat = Chat(make_engine(flows, catalogue))
    turn = chat.send(text)
    assert said(turn) == ["welcome.choose_language"]


# (a greeting of one catalogue language, the guesser's confident wrong guess for it, as the
# shipped guesser reads these romanised words)
MISREAD_GREETINGS = [
    ("nomoskar", "bn", "pl"),
    ("kemon achen", "bn", "en"),
    ("ahlan wa sahlan", "ar", "so"),
    ("mar7aba", "ar", "so"),
    ("kaise ho", "ur", "so"),
    ("kiddan", "pa", "so"),
    ("servus", "ro", "en"),
]


@pytest.mark.parametrize(("text", "language", "guess"), MISREAD_GREETINGS)
def test_a_greeting_of_one_language_wins_over_a_confident_guess_of_another(
    flows: FlowSet, catalogue: Catalogue, text: str, language: str, guess: str
) -> None:
    chat = Chat(make_engine(flows, catalogue))
    turn = chat.send(text, language=guess, language_confidence=0.9)
    assert said(turn) == ["consent.about", "consent.ask_share_views"]
    assert {m.language for m in messages(turn)} == {language}


def test_a_confident_guess_still_names_the_language_of_words_that_are_no_greeting(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = Chat(make_engine(flows, catalogue))
    turn = chat.send("potrzebuje lepszego transportu", language="pl", language_confidence=0.9)
    assert {m.language for m in messages(turn)} == {"pl"}


def retry_of(turn: Turn) -> MessageCreated:
    found = [m for m in messages(turn) if m.text_id.startswith("retry.")]
    assert len(found) == 1
    return found[0]


# (replies to reach the question, channel, the not-understood reply, retry id, words it says)
RETRIES = [
    # a question that can be skipped names its "prefer not to say" number apart
    ([], "sms", "banana", "retry.choice_skip", "one number from 1 to 3, or 4 if you prefer"),
    ([], "telegram", "banana", "retry.choice_tap", "tap one of the answers"),
    (["1"], "sms", "banana", "retry.multi", "one or more numbers from 1 to 3"),
    # a rating from 1 to 5 is never told "1 to 6"
    (["1", "1"], "sms", "banana", "retry.choice_skip", "from 1 to 5, or 6 if you prefer not"),
    (["1", "1", "2"], "sms", "old", "retry.number_skip", "from 16 to 120, or 0 if you prefer"),
    (["delete"], "sms", "maybe", "retry.yes_no", "reply 1 for yes or 2 for no"),
    (["delete"], "telegram", "maybe", "retry.yes_no_tap", "tap Yes or No"),
]


@pytest.mark.parametrize(("path", "channel", "reply", "text_id", "words"), RETRIES)
def test_every_retry_says_what_to_send_for_that_kind_of_question(
    new_chat: Callable[..., Chat],
    path: list[str],
    channel: str,
    reply: str,
    text_id: str,
    words: str,
) -> None:
    chat = new_chat()
    chat.channel = channel
    welcomed(chat)
    chat.send("1")  # the survey
    for text in path:
        chat.send(text)
    retry = retry_of(chat.send(reply))
    assert retry.text_id == text_id
    assert words in retry.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("register", REGISTERS)
def test_every_language_says_the_numbers_to_send(
    catalogue: Catalogue, language: str, register: Register
) -> None:
    def text(text_id: str, **params: str) -> str:
        return catalogue.text(language, register, text_id, params).text

    assert "1" in text("retry.yes_no") and "2" in text("retry.yes_no")
    assert "7" in text("retry.choice", last="7")
    assert "7" in text("retry.multi", last="7")
    assert "16" in text("retry.number", low="16", high="120")
    assert "120" in text("retry.number", low="16", high="120")
    if language != "en":
        assert text("retry.open") != catalogue.text("en", "standard", "retry.open").text
    # A question that can be skipped: the options' range and the skip number apart.
    skip_texts = {
        "retry.yes_no_skip": text("retry.yes_no_skip", skip="3"),
        "retry.choice_skip": text("retry.choice_skip", last="5", skip="6"),
        "retry.multi_skip": text("retry.multi_skip", last="5", skip="6"),
        "retry.number_skip": text("retry.number_skip", low="16", high="120", skip="0"),
        "retry.open_skip": text("retry.open_skip", skip="1"),
    }
    for text_id, said_text in skip_texts.items():
        assert "{" not in said_text, text_id
    assert all(n in skip_texts["retry.yes_no_skip"] for n in "123")
    assert "5" in skip_texts["retry.choice_skip"] and "6" in skip_texts["retry.choice_skip"]
    assert "0" in skip_texts["retry.number_skip"] and "1" in skip_texts["retry.open_skip"]
    prefer = catalogue.text(language, register, "common.prefer_not_to_say").text
    assert prefer, language


# (channel, replies from the consent on to the question, what the retry must say in English)
SHIPPED_RETRIES = [
    ("sms", ["1", "fine"], "retry.choice_skip", "from 1 to 4, or 5 if you prefer not to say"),
    ("sms", ["1", "fine", "1"], "retry.choice_skip", "from 1 to 5, or 6 if you prefer not to say"),
    ("sms", ["1", "fine", "1", "3"], "retry.yes_no_skip", "1 for yes, 2 for no or 3 if you"),
    ("telegram", ["Yes", "fine", "Getting there", "3"], "retry.choice_tap", "tap one of"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("channel", "path", "text_id", "words"), SHIPPED_RETRIES)
def test_a_retry_in_the_consultation_names_exactly_what_can_be_sent(
    flows: FlowSet,
    catalogue: Catalogue,
    language: str,
    channel: str,
    path: list[str],
    text_id: str,
    words: str,
) -> None:
    """A rating from 1 to 5 that can be skipped is never told "1 to 6", and a yes/no question
    that can be skipped names its third answer, in every language."""
    chat = Chat(make_engine(flows, catalogue), channel=channel)
    chat.send("\U0001f642")
    chat.send(str(LANGUAGES.index(language) + 1))  # the language menu
    for text in path:
        if channel == "telegram" and language != "en" and not text.isdigit() and text != "fine":
            text = _label(chat, text)
        chat.send(text)
    retry = retry_of(chat.send("banana?"))
    assert retry.text_id == text_id
    assert retry.language == language and not retry.fallback
    if language == "en":
        assert words in retry.text


def _label(chat: Chat, english: str) -> str:
    """The label of the last question's choice whose English label is `english`."""
    last = messages(chat.turns[-1])[-1]
    english_labels = {"Yes": "yes", "Getting there": "getting_there"}
    return next(c.label for c in last.choices if c.value == english_labels[english])
