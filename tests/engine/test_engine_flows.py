"""Turn-by-turn runs of the fixture flows: every step type, consent gating, the call stack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.engine.events import (
    AnswerSaved,
    ConsentRecorded,
    FlowEnded,
    FlowStarted,
    GroupInterestRecorded,
    HandoverRequested,
    LanguageChanged,
    RegisterChanged,
)
from bot.engine.session import Frame
from tests.engine.chat import Chat, messages, of_type, said, welcomed


def test_a_new_person_with_a_confident_guess_is_greeted_in_that_language(chat: Chat) -> None:
    turn = chat.send("Dzień dobry", language="pl", language_confidence=0.93)
    assert said(turn) == ["welcome.hello", "welcome.register"]
    assert [m.language for m in messages(turn)] == ["pl", "pl"]
    assert messages(turn)[0].text == "Cześć, tu Heard Test."
    assert of_type(turn, LanguageChanged)[0].language == "pl"
    assert chat.session is not None
    assert chat.session.fields["guessed_language"] == "pl"
    assert chat.session.fields["guessed_language_name"] == "Polski"


@pytest.mark.parametrize(("language", "confidence"), [(None, 0.0), ("pl", 0.5), ("de", 0.99)])
def test_without_a_confident_known_guess_welcome_asks_for_the_language(
    chat: Chat, language: str | None, confidence: float
) -> None:
    turn = chat.send("hmm", language=language, language_confidence=confidence)
    assert said(turn) == ["welcome.language"]
    assert [c.label for c in messages(turn)[0].choices] == ["English", "Polski", "العربية"]
    assert chat.session is not None and chat.session.fields["guessed_language"] == ""
    turn = chat.send("2")
    assert said(turn) == ["welcome.hello", "welcome.register"]
    assert messages(turn)[0].language == "pl"


def test_the_english_path_reaches_the_menu_after_consent(chat: Chat) -> None:
    chat.send("hello", language="en", language_confidence=0.95)
    turn = chat.send("2")  # easy read
    assert of_type(turn, RegisterChanged)[0].register == "easy"
    assert said(turn) == ["consent.views"]
    assert messages(turn)[0].register == "easy"
    chat.send("yes")
    turn = chat.send("no")
    assert said(turn) == ["consent.done", "menu.choose"]
    consents = of_type(turn, ConsentRecorded)
    assert [(c.purpose, c.granted, c.text_id) for c in consents] == [
        ("contact_group", False, "consent.group")
    ]
    assert [e.flow for e in of_type(turn, FlowEnded)] == ["consent", "welcome"]
    assert chat.session is not None
    assert chat.session.consents == {"share_views": True, "contact_group": False}
    assert chat.session.position == Frame("menu", "choose")


def test_the_survey_stores_every_kind_of_answer_as_a_view(chat: Chat) -> None:
    welcomed(chat)
    turn = chat.send("1")
    assert said(turn) == ["survey.intro", "survey.q_topic"]
    steps = [
        ("3", "topic", "other"),
        ("The bus never comes", "topic_other", "The bus never comes"),
        ("1 and 3", "many", "day_centre,carers"),
        ("four", "rate", "4"),
        ("I am 67", "age", "67"),
        ("yes", "ok", "yes"),
        ("skip", "words", "prefer_not_to_say"),
    ]
    saved: list[AnswerSaved] = []
    for text, _, _ in steps:
        saved += of_type(chat.send(text), AnswerSaved)
    assert [(a.field, a.value, a.raw_text) for a in saved] == [(f, v, t) for t, f, v in steps]
    assert {a.consultation for a in saved} == {"test-consultation-1"}
    assert [a.store for a in saved] == ["view"] * 4 + ["profile"] + ["view"] * 2
    assert saved[0].question_text == "What matters most?"
    assert said(chat.turns[-1]) == ["survey.thanks", "menu.choose"]


@pytest.mark.parametrize(
    ("step_texts", "question", "labels"),
    [
        ([], "survey.q_topic", ["Housing", "Getting there", "Something else", "Prefer not to say"]),
        (["1"], "survey.q_many", ["Day centre", "Home care", "Support for carers"]),
        (["1", "2"], "survey.q_rate", ["1", "2", "3", "4", "5", "Prefer not to say"]),
        (["1", "2", "3"], "survey.q_age", ["Prefer not to say"]),
        (["1", "2", "3", "40"], "survey.q_ok", ["Yes", "No"]),
    ],
)
def test_questions_carry_their_choices(
    chat: Chat, step_texts: list[str], question: str, labels: list[str]
) -> None:
    welcomed(chat)
    turn = chat.send("1")
    for text in step_texts:
        turn = chat.send(text)
    asked = messages(turn)[-1]
    assert asked.text_id == question
    assert [c.label for c in asked.choices] == labels


def test_the_skip_choice_on_a_number_question_is_zero(chat: Chat) -> None:
    welcomed(chat)
    for text in ("1", "1", "2", "3"):
        turn = chat.send(text)
    assert [(c.number, c.value) for c in messages(turn)[-1].choices] == [(0, "prefer_not_to_say")]
    assert of_type(chat.send("0"), AnswerSaved)[0].value == "prefer_not_to_say"


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        (1, ["retry.choice_skip", "survey.q_topic"]),
        (2, ["retry.choice_skip", "survey.q_topic"]),
        (3, ["retry.choice_skip", "common.help_person", "survey.q_topic"]),
        (4, ["retry.choice_skip", "common.help_person", "survey.q_topic"]),
    ],
)
def test_not_understood_asks_again_then_offers_help(
    chat: Chat, attempt: int, expected: list[str]
) -> None:
    welcomed(chat)
    chat.send("1")
    for _ in range(attempt):
        turn = chat.send("banana")
    assert said(turn) == expected
    assert chat.session is not None and chat.session.retries == attempt


def test_an_understood_answer_resets_the_retries(chat: Chat) -> None:
    welcomed(chat)
    chat.send("1")
    chat.send("banana")
    chat.send("banana")
    chat.send("1")
    assert chat.session is not None and chat.session.retries == 0
    assert said(chat.send("banana")) == ["retry.multi", "survey.q_many"]


def test_other_can_send_a_reply_that_is_not_understood_elsewhere(chat: Chat) -> None:
    welcomed(chat)
    for text in ("1", "1", "2", "3", "40"):
        chat.send(text)
    assert said(chat.send("maybe")) == ["survey.ok_hint", "survey.q_ok"]


def test_consent_is_asked_before_a_flow_that_needs_it(chat: Chat) -> None:
    welcomed(chat, views="no")
    assert chat.session is not None and chat.session.consents == {"share_views": False}
    turn = chat.send("1")  # the survey needs share_views
    assert said(turn) == ["consent.views"]
    turn = chat.send("yes")
    assert said(turn) == ["consent.group"]
    turn = chat.send("no")
    assert said(turn) == ["consent.done", "survey.intro", "survey.q_topic"]
    assert [e.flow for e in of_type(turn, FlowStarted)] == ["survey"]


def test_declining_consent_returns_to_the_menu(chat: Chat) -> None:
    welcomed(chat, views="no")
    chat.send("1")
    turn = chat.send("no")
    assert said(turn) == ["consent.declined", "common.consent_needed", "menu.choose"]
    assert not of_type(turn, FlowStarted)


def test_the_group_flow_records_interest_and_a_handover(chat: Chat) -> None:
    welcomed(chat)
    assert said(chat.send("2")) == ["group.q_join"]
    chat.send("yes")
    turn = chat.send("housing, mental health")
    assert of_type(turn, AnswerSaved)[0].store == "group"
    turn = chat.send("2")
    interest = of_type(turn, GroupInterestRecorded)[0]
    assert interest.topics == ("housing", "mental_health")
    assert interest.contact_method == "phone_call"
    assert interest.availability == () and interest.interpreter_language is None
    handover = of_type(turn, HandoverRequested)[0]
    assert (handover.reason, handover.flow, handover.step) == ("asked", "group", "to_person")
    assert said(turn) == ["common.handover_done", "group.thanks", "menu.choose"]
    assert "team@example.invalid" in messages(turn)[0].text
    assert chat.session is not None and chat.session.fields["wants_group"] == "yes"


@pytest.mark.parametrize(
    ("intent", "confidence", "expected"),
    [
        ("dont_know", 0.9, ["group.maybe", "menu.choose"]),
        # `other` leading back to the question through a branch is a retry like any other
        ("dont_know", 0.3, ["retry.yes_no", "group.q_join"]),
    ],
)
def test_a_branch_can_follow_the_intent_of_the_last_reply(
    chat: Chat, intent: str, confidence: float, expected: list[str]
) -> None:
    welcomed(chat)
    chat.send("2")
    assert said(chat.send("hmm", intent=intent, confidence=confidence)) == expected


def test_a_flow_that_loops_without_asking_is_stopped_by_the_step_budget(chat: Chat) -> None:
    welcomed(chat)
    turn = chat.send("3")
    assert said(turn) == ["common.not_understood", "menu.choose"]
    ended = of_type(turn, FlowEnded)
    assert any(e.flow == "loop" and not e.completed for e in ended)
    assert chat.session is not None and chat.session.stack == ()


def test_finishing_the_menu_rests_until_the_next_message(chat: Chat) -> None:
    welcomed(chat)
    turn = chat.send("finish")
    assert said(turn) == ["menu.bye"]
    assert chat.session is not None and chat.session.position is None
    assert said(chat.send("hi again")) == ["menu.choose"]


def test_a_deep_link_starts_its_flow_after_welcome_and_consent(chat: Chat) -> None:
    chat.send("/start survey", language="en", language_confidence=0.95, start_flow="survey")
    chat.send("1")
    chat.send("yes")
    turn = chat.send("yes")
    assert said(turn) == ["consent.done", "survey.intro", "survey.q_topic"]


def test_an_unknown_deep_link_is_ignored(chat: Chat) -> None:
    turn = chat.send("/start nope", language="en", language_confidence=0.95, start_flow="nope")
    assert said(turn) == ["welcome.hello", "welcome.register"]


def test_a_deep_link_for_a_known_person_starts_its_flow_now(chat: Chat) -> None:
    welcomed(chat)
    turn = chat.send("/start group", start_flow="group")
    assert said(turn) == ["group.q_join"]


def test_right_to_left_messages_say_so_and_missing_texts_fall_back(chat: Chat) -> None:
    turn = chat.send("مرحبا", language="ar", language_confidence=0.99)
    hello, register = messages(turn)
    assert (hello.language, hello.direction, hello.fallback) == ("ar", "rtl", False)
    assert hello.text == "مرحبا من Heard Test."
    assert (register.language, register.direction, register.fallback) == ("en", "ltr", True)


def test_the_session_survives_json_between_every_turn_of_every_flow(
    new_chat: Callable[..., Chat],
) -> None:
    chat = welcomed(new_chat())
    for text in ("1", "3", "words", "1 2", "5", "30", "no", "more words", "2", "yes", "1", "1"):
        chat.send(text)  # Chat checks the JSON round trip on every turn
    assert len(chat.turns) == 16
    assert chat.session is not None and chat.session.position == Frame("menu", "choose")
