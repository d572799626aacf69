"""A session idle for longer than the timeout starts again from the menu, keeping choices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.engine.events import AnswerSaved, SessionExpired
from tests.engine.chat import Chat, kinds, said, welcomed


def in_survey(chat: Chat) -> Chat:
    welcomed(chat)
    chat.send("language")
    chat.send("2")  # Polish
    chat.send("easy")
    chat.send("1")
    return chat


@pytest.mark.parametrize(
    ("idle", "expires"),
    [
        (timedelta(hours=23), False),
        (timedelta(hours=24), False),
        (timedelta(hours=24, seconds=1), True),
        (timedelta(days=30), True),
    ],
)
def test_a_session_expires_after_the_timeout(chat: Chat, idle: timedelta, expires: bool) -> None:
    turn = in_survey(chat).send("1", after=idle)
    assert bool(turn.events and isinstance(turn.events[0], SessionExpired)) == expires


def test_an_expired_session_says_welcome_back_and_shows_the_menu(chat: Chat) -> None:
    turn = in_survey(chat).send("1", after=timedelta(days=2))
    expired = turn.events[0]
    assert isinstance(expired, SessionExpired) and expired.idle_seconds == 2 * 24 * 3600
    assert said(turn) == ["common.welcome_back", "menu.choose"]
    assert "FlowEnded" in kinds(turn)
    assert not [e for e in turn.events if isinstance(e, AnswerSaved)]
    session = chat.session
    assert session is not None
    assert (session.language, session.register) == ("pl", "easy")
    assert session.consents == {"share_views": True, "contact_group": True}
    assert "topic" not in session.fields and session.stack == ()


def test_a_command_still_works_on_an_expired_session(chat: Chat) -> None:
    turn = in_survey(chat).send("STOP", after=timedelta(days=2))
    assert said(turn) == ["common.welcome_back", "common.stopped"]


def test_the_timeout_is_a_setting(new_chat: Callable[..., Chat]) -> None:
    chat = welcomed(new_chat(session_timeout=timedelta(minutes=30)))
    turn = chat.send("1", after=timedelta(minutes=31))
    assert isinstance(turn.events[0], SessionExpired)


def test_an_opted_out_session_does_not_expire(chat: Chat) -> None:
    welcomed(chat).send("stop")
    assert chat.send("hi", after=timedelta(days=90)).events == ()
