"""Risk comes first: help lines, an alert and a handover before anything else in the turn."""

from __future__ import annotations

import pytest

from bot.engine.events import HandoverRequested, SafeguardingAlert
from bot.engine.inputs import Screening
from tests.engine.chat import Chat, kinds, messages, of_type, said, welcomed

RISK = {"screening": Screening("risk_to_self", "check", "intent")}
HARM = {"screening": Screening("harm_from_others", "clear", "intent")}


def in_survey(chat: Chat) -> Chat:
    welcomed(chat)
    chat.send("1")
    return chat


def test_a_risk_intent_at_low_confidence_gives_help_lines_first(chat: Chat) -> None:
    turn = in_survey(chat).send("I can't go on", **RISK)
    assert kinds(turn) == ["SafeguardingAlert", "HandoverRequested"]
    assert said(turn) == ["safeguarding.help", "safeguarding.continue"]
    help_lines = messages(turn)[0].text
    assert "999" in help_lines and "116 123" in help_lines
    assert [c.value for c in messages(turn)[1].choices] == ["yes", "no"]
    alert = of_type(turn, SafeguardingAlert)[0]
    assert (alert.kind, alert.matched, alert.language) == ("risk_to_self", "intent", "en")
    handover = of_type(turn, HandoverRequested)[0]
    assert (handover.reason, handover.flow, handover.step) == ("safeguarding", "survey", "q_topic")


def test_without_a_screening_finding_nothing_happens(chat: Chat) -> None:
    turn = in_survey(chat).send("I can't go on", intent="risk_to_self", confidence=0.9)
    assert not of_type(turn, SafeguardingAlert)


def test_the_text_of_a_risk_message_is_not_saved_as_an_answer(chat: Chat) -> None:
    in_survey(chat).send("3")  # an open question waits
    turn = chat.send("someone is hurting me", **HARM)
    assert kinds(turn) == ["SafeguardingAlert", "HandoverRequested"]


@pytest.mark.parametrize(
    ("answer", "expected", "status"),
    [
        ("yes", ["survey.q_topic"], "active"),
        ("no", ["safeguarding.end"], "ended"),
        ("hmm", ["retry.yes_no", "safeguarding.continue"], "active"),
    ],
)
def test_the_conversation_resumes_only_if_the_person_says_yes(
    chat: Chat, answer: str, expected: list[str], status: str
) -> None:
    in_survey(chat).send("I can't go on", **RISK)
    assert said(chat.send(answer)) == expected
    assert chat.session is not None and chat.session.status == status


def test_after_saying_no_the_next_message_finds_the_menu(chat: Chat) -> None:
    in_survey(chat).send("I can't go on", **RISK)
    chat.send("no")
    assert said(chat.send("hello")) == ["menu.choose"]


def test_safeguarding_wins_over_a_command(chat: Chat) -> None:
    turn = in_survey(chat).send("help", **RISK)
    assert said(turn) == ["safeguarding.help", "safeguarding.continue"]


def test_a_first_message_at_risk_gets_help_before_any_welcome(chat: Chat) -> None:
    turn = chat.send("pomocy", language="pl", language_confidence=0.9, **RISK)
    assert said(turn) == ["safeguarding.help", "safeguarding.continue"]
    assert [m.language for m in messages(turn)] == ["pl", "pl"]
    assert said(chat.send("tak")) == ["welcome.hello", "welcome.register"]


def test_a_keyword_finding_raises_an_alert(chat: Chat) -> None:
    turn = in_survey(chat).send(
        "My neighbour is hurting me", screening=Screening("harm_from_others", "clear", "keyword")
    )
    alert = of_type(turn, SafeguardingAlert)[0]
    assert (alert.kind, alert.matched) == ("harm_from_others", "keyword")
    assert said(turn) == ["safeguarding.help", "safeguarding.continue"]


def test_an_opted_out_person_at_risk_is_recorded_but_not_messaged(chat: Chat) -> None:
    welcomed(chat).send("stop")
    turn = chat.send("I can't go on", **RISK)
    assert kinds(turn) == ["SafeguardingAlert"]
    assert said(turn) == []
    assert chat.session is not None and chat.session.status == "opted_out"


def test_a_tapped_option_is_an_answer_even_if_the_classifier_reads_risk(chat: Chat) -> None:
    in_survey(chat)  # the choice question q_topic waits
    label = messages(chat.turns[-1])[-1].choices[0].label
    turn = chat.send(label, **RISK)
    assert not of_type(turn, SafeguardingAlert)
    assert "safeguarding.help" not in said(turn)


def test_an_open_answer_read_as_risk_still_raises_the_alarm(chat: Chat) -> None:
    in_survey(chat).send("3")  # "other": an open question waits
    turn = chat.send("transport", **RISK)
    assert kinds(turn) == ["SafeguardingAlert", "HandoverRequested"]
