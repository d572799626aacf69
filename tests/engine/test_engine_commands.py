"""Whole-message commands, in any catalogue language, at any point of a conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine.events import (
    ErasureRequested,
    HandoverRequested,
    LanguageChanged,
    OptedIn,
    OptedOut,
    RegisterChanged,
)
from bot.engine.session import Frame
from tests.engine.chat import Chat, kinds, messages, of_type, said, welcomed


def in_survey(chat: Chat) -> Chat:
    welcomed(chat)
    chat.send("1")  # waiting: survey.q_topic
    return chat


@pytest.mark.parametrize(
    ("text", "expected_messages", "expected_events"),
    [
        ("STOP", ["common.stopped"], ["OptedOut"]),
        ("koniec", ["common.stopped"], ["OptedOut"]),
        ("توقف", ["common.stopped"], ["OptedOut"]),
        ("help", ["common.help_person", "survey.q_topic"], []),
        ("Pomoc!", ["common.help_person", "survey.q_topic"], []),
        ("language", ["common.language_menu"], []),
        ("easy", ["common.easy_on", "survey.q_topic"], ["RegisterChanged"]),
        ("standard", ["common.standard_on", "survey.q_topic"], []),
        ("delete", ["common.delete_confirm"], []),
        ("menu", ["menu.choose"], ["FlowEnded", "FlowEnded", "FlowStarted"]),
        ("person", ["common.handover_done", "survey.q_topic"], ["HandoverRequested"]),
        ("człowiek", ["common.handover_done", "survey.q_topic"], ["HandoverRequested"]),
    ],
)
def test_commands_interrupt_a_question(
    chat: Chat, text: str, expected_messages: list[str], expected_events: list[str]
) -> None:
    turn = in_survey(chat).send(text)
    assert said(turn) == expected_messages
    assert kinds(turn) == expected_events


@pytest.mark.parametrize(
    ("intent", "confidence", "expected"),
    [
        ("talk_to_person", 0.9, ["common.handover_done", "survey.q_topic"]),
        ("help", 0.7, ["common.help_person", "survey.q_topic"]),
        ("talk_to_person", 0.5, ["retry.choice_skip", "survey.q_topic"]),
    ],
)
def test_a_confident_intent_is_a_command_on_a_closed_question(
    chat: Chat, intent: str, confidence: float, expected: list[str]
) -> None:
    turn = in_survey(chat).send("can someone call me", intent=intent, confidence=confidence)
    assert said(turn) == expected


@pytest.mark.parametrize("reply", ["Getting there", "2", "two"])
def test_an_intent_never_overrides_a_reply_that_answers_the_question(
    chat: Chat, reply: str
) -> None:
    # A tapped "English" button read as change_language must choose English, not reopen the menu.
    turn = in_survey(chat).send(reply, intent="change_language", confidence=0.95)
    assert said(turn) != ["common.language_menu"]
    assert "common.language_menu" not in said(turn)
    assert chat.session is not None and chat.session.fields.get("topic") == "transport"


def test_on_an_open_question_an_intent_is_an_answer_but_a_keyword_is_a_command(
    chat: Chat,
) -> None:
    in_survey(chat).send("3")  # waiting: survey.q_topic_other (open)
    turn = chat.send("I need help with the bus", intent="help", confidence=0.95)
    assert said(turn) == ["survey.q_many"]
    for text in ("1", "1", "40", "no"):
        chat.send(text)  # now waiting: survey.q_words (open)
    assert said(chat.send("HELP")) == ["common.help_person", "survey.q_words"]


def test_after_stop_nothing_is_said_until_start(chat: Chat) -> None:
    in_survey(chat).send("stop")
    assert chat.session is not None and chat.session.status == "opted_out"
    for text in ("hello?", "help", "menu", "1"):
        turn = chat.send(text)
        assert turn.events == ()
    assert chat.send("talk to me", intent="start", confidence=0.99).events == ()
    turn = chat.send("Start")
    # Back where they were when they stopped, and told so.
    assert said(turn) == ["common.started_resume", "survey.q_topic"]
    assert kinds(turn)[0] == "OptedIn"
    assert chat.session is not None and chat.session.status == "active"
    assert chat.send("2").session.fields.get("topic") == "transport"


def test_start_long_after_stop_goes_to_the_menu(chat: Chat) -> None:
    """The question is gone once the session would have expired: START shows the menu."""
    in_survey(chat).send("stop")
    turn = chat.send("start", after=timedelta(days=3))
    assert said(turn) == ["common.started", "menu.choose"]
    assert kinds(turn)[0] == "OptedIn"


def test_stop_at_the_delete_confirmation_then_start_asks_the_question_not_the_deletion(
    chat: Chat,
) -> None:
    in_survey(chat).send("delete")
    chat.send("stop")
    turn = chat.send("start")
    assert said(turn) == ["common.started_resume", "survey.q_topic"]
    assert of_type(turn, ErasureRequested) == []


def test_stop_and_start_record_opt_out_and_opt_in(chat: Chat) -> None:
    welcomed(chat)
    assert len(of_type(chat.send("stop"), OptedOut)) == 1
    assert len(of_type(chat.send("start"), OptedIn)) == 1


def test_a_provider_opt_out_is_stop_without_a_reply(chat: Chat) -> None:
    in_survey(chat)
    turn = chat.provider_opt_out()
    assert said(turn) == []
    assert kinds(turn) == ["OptedOut"]
    assert of_type(turn, OptedOut)[0].by_provider
    assert chat.session is not None and chat.session.status == "opted_out"
    assert chat.provider_opt_out().events == ()  # already opted out: nothing more
    assert said(chat.send("hello")) == []
    # Like STOP: START brings the person back to the question they were at.
    assert said(chat.send("start")) == ["common.started_resume", "survey.q_topic"]


def test_start_as_a_first_message_is_a_welcome(chat: Chat) -> None:
    turn = chat.send("start", language="en", language_confidence=0.9)
    assert said(turn) == ["welcome.hello", "welcome.register"]


def test_stop_as_a_first_message_opts_out_at_once(chat: Chat) -> None:
    turn = chat.send("STOP")
    assert said(turn) == ["common.stopped"]
    assert chat.session is not None and chat.session.status == "opted_out"
    turn = chat.send("start", language="en", language_confidence=0.9)
    assert said(turn) == ["common.started", "welcome.hello", "welcome.register"]


def test_language_command_changes_the_language_and_asks_again(chat: Chat) -> None:
    in_survey(chat).send("language")
    turn = chat.send("polski")
    assert of_type(turn, LanguageChanged)[0] == LanguageChanged(chat.now, "pl", "en")
    assert said(turn) == ["common.language_changed", "survey.q_topic"]
    assert [m.language for m in messages(turn)] == ["pl", "pl"]
    assert messages(turn)[1].choices[0].label == "Mieszkanie"


def test_a_language_menu_reply_that_is_not_a_language_is_asked_again(chat: Chat) -> None:
    in_survey(chat).send("language")
    assert said(chat.send("klingon")) == ["retry.choice", "common.language_menu"]


def test_easy_changes_the_register_of_what_follows(chat: Chat) -> None:
    turn = in_survey(chat).send("easy")
    assert of_type(turn, RegisterChanged)[0].register == "easy"
    assert {m.register for m in messages(turn)} == {"easy"}


@pytest.mark.parametrize("answer", ["yes", "1", "Y!"])
def test_delete_confirmed_erases_and_starts_afresh(chat: Chat, answer: str) -> None:
    in_survey(chat).send("delete")
    old = chat.session
    turn = chat.send(answer)
    assert len(of_type(turn, ErasureRequested)) == 1
    assert said(turn) == ["common.deleted"]
    new = chat.session
    assert old is not None and new is not None
    assert new.session_id != old.session_id
    assert (new.language, new.fields, new.consents, new.position) == (None, {}, {}, None)
    turn = chat.send("hello", language="en", language_confidence=0.9)
    assert said(turn) == ["welcome.hello", "welcome.register"]


def test_delete_declined_keeps_everything_and_asks_again(chat: Chat) -> None:
    in_survey(chat).send("delete")
    turn = chat.send("no")
    assert said(turn) == ["common.delete_cancelled", "survey.q_topic"]
    assert not of_type(turn, ErasureRequested)
    assert chat.session is not None and chat.session.consents["share_views"] is True


def test_a_muddled_delete_confirmation_is_asked_again(chat: Chat) -> None:
    in_survey(chat).send("delete")
    turn = chat.send("what?")
    assert said(turn) == ["retry.yes_no", "common.delete_confirm"]
    assert not of_type(turn, ErasureRequested)


def test_help_while_a_confirmation_waits_asks_the_confirmation_again(chat: Chat) -> None:
    in_survey(chat).send("delete")
    assert said(chat.send("help")) == ["common.help_person", "common.delete_confirm"]


def test_person_records_where_the_person_was(chat: Chat) -> None:
    turn = in_survey(chat).send("person")
    handover = of_type(turn, HandoverRequested)[0]
    assert (handover.reason, handover.flow, handover.step) == ("asked", "survey", "q_topic")


def test_menu_leaves_the_flow_unfinished(chat: Chat) -> None:
    in_survey(chat).send("menu")
    assert chat.session is not None
    assert chat.session.position == Frame("menu", "choose")
    assert chat.session.stack == ()


def test_register_words_answer_a_register_question_instead_of_switching(chat: Chat) -> None:
    turn = chat.send("hi", language="en", language_confidence=0.9)
    assert said(turn)[-1] == "welcome.register"
    turn = chat.send("easy")
    assert said(turn) == ["consent.views"]
    assert "common.easy_on" not in said(turn)
