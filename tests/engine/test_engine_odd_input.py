"""Odd input never raises: it gets a polite reply and the question again."""

from __future__ import annotations

import pytest

from bot.engine.session import Frame
from tests.engine.chat import Chat, messages, said, welcomed

ODD = [
    "",
    "   ",
    "x" * 5000,
    "🙂🙂🙂",
    "\x00\x01\x1b[31m",
    "\u202edlrow\u202c",
    "hello مرحبا здравствуйте ਸਤ ਸ੍ਰੀ ਅਕਾਲ",
    "1\u200b",  # a zero-width space after the number still counts as "1"
]


@pytest.mark.parametrize("text", ODD)
def test_odd_replies_to_a_choice_question_are_answered_politely(chat: Chat, text: str) -> None:
    welcomed(chat)
    turn = chat.send(text)
    if text == "1\u200b":
        assert said(turn) == ["survey.intro", "survey.q_topic"]
    else:
        assert said(turn) == ["retry.choice", "menu.choose"]


@pytest.mark.parametrize("text", ODD)
def test_odd_first_messages_start_the_welcome(chat: Chat, text: str) -> None:
    turn = chat.send(text)
    assert said(turn) == ["welcome.language"]


def test_an_unknown_language_in_a_stored_session_falls_back_to_english(chat: Chat) -> None:
    welcomed(chat)
    assert chat.session is not None
    chat.session = chat.session.evolve(language="xx")
    turn = chat.send("banana")
    assert said(turn) == ["retry.choice", "menu.choose"]
    assert {m.language for m in messages(turn)} == {"en"}


@pytest.mark.parametrize(
    "position", [Frame("gone", "q"), Frame("survey", "gone"), Frame("survey", "intro")]
)
def test_a_stored_position_the_content_no_longer_has_goes_to_the_menu(
    chat: Chat, position: Frame
) -> None:
    welcomed(chat)
    assert chat.session is not None
    chat.session = chat.session.evolve(position=position)
    assert said(chat.send("1")) == ["menu.choose"]


def test_an_unknown_pending_confirmation_is_dropped(chat: Chat) -> None:
    welcomed(chat)
    assert chat.session is not None
    chat.session = chat.session.evolve(pending="something-new")
    assert said(chat.send("1")) == ["menu.choose"]


def test_a_long_message_is_never_a_command_whatever_the_classifier_guessed(chat: Chat) -> None:
    welcomed(chat)
    long = ("słowo " * 400)[:2000]
    turn = chat.send(long, intent="easy_read", confidence=0.92)
    assert said(turn) == ["retry.choice", "menu.choose"]
    assert chat.session is not None and chat.session.register == "standard"
    short = chat.send("easier words please", intent="easy_read", confidence=0.92)
    assert said(short)[0] == "common.easy_on"
