"""Risk comes first. A clear sign: thanks, the help lines for its kind, an alert and a handover,
then "carry on?". An uncertain sign: the answer it came with is kept, then a kind check-in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.engine.engine import Engine
from bot.engine.events import AnswerSaved, HandoverRequested, SafeguardingAlert
from bot.engine.ids import counting_ids
from bot.engine.inputs import SafeguardingKind, Screening, ScreeningLevel
from bot.engine.settings import Deployment, EngineSettings
from bot.flowspec import FlowSet, load_flows
from tests.engine.chat import DEPLOYMENT, Chat, kinds, messages, of_type, said

HELP = {
    "risk_to_self": "safeguarding.help_self",
    "harm_from_others": "safeguarding.help_abuse",
    "immediate_danger": "safeguarding.help_danger",
    "unspecified": "safeguarding.help_general",
}
KINDS: list[SafeguardingKind] = [
    "risk_to_self",
    "harm_from_others",
    "immediate_danger",
    "unspecified",
]
LEVELS: list[ScreeningLevel] = ["clear", "check"]
CHECK_IN = ["safeguarding.check"]


def chat_for(flows: FlowSet, catalogue: Catalogue, deployment: Deployment) -> Chat:
    settings = EngineSettings(session_timeout=timedelta(hours=24), deployment=deployment)
    return Chat(Engine(flows, catalogue, settings, counting_ids()))


def helped(kind: str, follow_up: bool = False) -> list[str]:
    """What a person is told when they get help for `kind`."""
    carry_on = "safeguarding.continue_follow_up" if follow_up else "safeguarding.continue"
    return ["safeguarding.thanks", HELP[kind], carry_on]


def clear(kind: SafeguardingKind = "risk_to_self", source: str = "intent") -> Screening:
    return Screening(kind, "clear", "keyword" if source == "keyword" else "intent")


def check(kind: SafeguardingKind = "risk_to_self", source: str = "intent") -> Screening:
    return Screening(kind, "check", "keyword" if source == "keyword" else "intent")


def welcomed(chat: Chat) -> Chat:
    chat.send("hello", language="en", language_confidence=0.95)
    chat.send("1")  # standard register
    chat.send("yes")  # share views
    chat.send("yes")  # contact about a group
    return chat


def at_choice(chat: Chat) -> Chat:
    """The survey's first question waits: a choice (housing, transport, other, prefer not)."""
    welcomed(chat).send("1")
    return chat


def at_open(chat: Chat) -> Chat:
    """An open question waits ("other": say more)."""
    at_choice(chat).send("3")
    return chat


# --- each kind at each level ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_clear_sign_gets_thanks_and_the_help_lines_for_its_kind(
    chat: Chat, kind: SafeguardingKind
) -> None:
    turn = at_open(chat).send("something hard", screening=Screening(kind, "clear", "intent"))
    assert said(turn) == helped(kind)
    assert kinds(turn) == ["SafeguardingAlert", "HandoverRequested"]
    alert = of_type(turn, SafeguardingAlert)[0]
    assert (alert.kind, alert.matched, alert.level, alert.language) == (
        kind,
        "intent",
        "clear",
        "en",
    )
    handover = of_type(turn, HandoverRequested)[0]
    assert (handover.reason, handover.flow, handover.step) == (
        "safeguarding",
        "survey",
        "q_topic_other",
    )
    assert [c.value for c in messages(turn)[-1].choices] == ["yes", "no"]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "unspecified"])
def test_an_uncertain_sign_keeps_the_answer_and_checks_in_without_alarm(
    chat: Chat, kind: SafeguardingKind
) -> None:
    turn = at_open(chat).send("the buses never come", screening=Screening(kind, "check", "intent"))
    assert said(turn) == CHECK_IN
    assert kinds(turn) == ["SafeguardingAlert", "AnswerSaved"]
    alert = of_type(turn, SafeguardingAlert)[0]
    assert (alert.kind, alert.level) == (kind, "check")
    saved = of_type(turn, AnswerSaved)[0]
    assert (saved.field, saved.value, saved.store) == (
        "topic_other",
        "the buses never come",
        "view",
    )
    check_in = messages(turn)[0]
    assert "danger" not in check_in.text and "999" not in check_in.text
    assert [(c.number, c.value, c.label) for c in check_in.choices] == [
        (1, "yes", "Yes, help now"),
        (2, "no", "No, carry on"),
    ]


# --- the answer an uncertain sign came with is kept -------------------------------------------


@pytest.mark.parametrize(
    ("reach", "text", "field", "value", "next_question"),
    [
        (at_open, "I am scared to go out", "topic_other", "I am scared to go out", "survey.q_many"),
        (at_choice, "transport, I am scared on the bus", "topic", "transport", "survey.q_many"),
        (at_choice, "2", "topic", "transport", "survey.q_many"),
    ],
)
@pytest.mark.parametrize("reply", ["2", "no", "No, carry on", "carry on", "no thanks"])
def test_carrying_on_after_a_check_in_goes_on_to_the_next_question(
    chat: Chat,
    reach: Callable[[Chat], Chat],
    text: str,
    field: str,
    value: str,
    next_question: str,
    reply: str,
) -> None:
    turn = reach(chat).send(text, screening=check(source="keyword"))
    assert said(turn) == CHECK_IN
    assert [(a.field, a.value, a.raw_text) for a in of_type(turn, AnswerSaved)] == [
        (field, value, text)
    ]
    turn = chat.send(reply)
    assert said(turn) == [next_question]
    assert kinds(turn) == []  # the alert was recorded once, with the sign


def test_a_kept_answer_is_not_saved_again_after_help(chat: Chat) -> None:
    at_open(chat).send("I am scared to go out", screening=check())
    turn = chat.send("1")
    assert said(turn) == helped("risk_to_self")
    assert not of_type(turn, AnswerSaved)
    assert said(chat.send("yes")) == ["survey.q_many"]


def test_a_clear_sign_is_not_kept_as_a_view(chat: Chat) -> None:
    at_open(chat).send("someone is hurting me", screening=clear("harm_from_others"))
    assert not of_type(chat.turns[-1], AnswerSaved)
    assert said(chat.send("yes")) == ["survey.q_topic_other"]  # asked again: nothing is lost


# --- the person's answer to the check-in ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "reply", ["1", "yes", "Yes, help now", "help now", "yes I need help", "yes please"]
)
def test_wanting_help_after_a_check_in_gives_the_help_lines_for_its_kind(
    chat: Chat, kind: SafeguardingKind, reply: str
) -> None:
    at_choice(chat).send("I don't know any more", screening=check(kind))
    turn = chat.send(reply)
    assert said(turn) == helped(kind)
    assert kinds(turn) == ["HandoverRequested"]
    handover = of_type(turn, HandoverRequested)[0]
    assert (handover.reason, handover.flow, handover.step) == ("safeguarding", "survey", "q_topic")


def test_a_clear_sign_at_the_check_in_gets_the_help_lines_at_once(chat: Chat) -> None:
    at_choice(chat).send("please help", screening=check("unspecified", "keyword"))
    turn = chat.send("he hits me", screening=clear("harm_from_others", "keyword"))
    assert said(turn) == helped("harm_from_others")
    assert kinds(turn) == ["SafeguardingAlert", "HandoverRequested"]


@pytest.mark.parametrize("reply", ["maybe", "no but I am scared", "ok no"])
def test_a_check_in_not_understood_is_asked_again(chat: Chat, reply: str) -> None:
    """A yes there brings only help lines, so a reply that starts with one is a yes; carrying
    on needs a clear no."""
    at_choice(chat).send("I don't know any more", screening=check())
    assert said(chat.send(reply)) == ["retry.yes_no", "safeguarding.check"]
    assert said(chat.send("2")) == ["survey.q_topic"]


@pytest.mark.parametrize(
    ("answer", "expected", "status"),
    [
        ("yes", ["survey.q_topic"], "active"),
        ("no", ["safeguarding.end"], "ended"),
        ("hmm", ["retry.yes_no", "safeguarding.continue"], "active"),
    ],
)
def test_after_help_the_conversation_resumes_only_if_the_person_says_yes(
    chat: Chat, answer: str, expected: list[str], status: str
) -> None:
    at_choice(chat).send("I can't go on", screening=clear())
    assert said(chat.send(answer)) == expected
    assert chat.session is not None and chat.session.status == status


def test_after_saying_no_the_next_message_finds_the_menu(chat: Chat) -> None:
    at_choice(chat).send("I can't go on", screening=clear())
    chat.send("no")
    assert said(chat.send("hello")) == ["menu.choose"]


# --- calls for help ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["help me", "please help", "somebody help", "help"])
def test_a_call_for_help_on_a_choice_step_gets_the_check_in_not_a_view(
    chat: Chat, text: str
) -> None:
    turn = at_choice(chat).send(text, screening=check("unspecified", "keyword"))
    assert said(turn) == CHECK_IN
    assert kinds(turn) == ["SafeguardingAlert"]
    assert said(chat.send("1")) == helped("unspecified")


# (call for help at an open question, replies to the check-in and after): the same question
# comes back whatever the person chooses, because the call was not kept as their answer
HELP_AT_OPEN = [
    ("help me", ["2"]),
    ("please help", ["2"]),
    ("I need help", ["1", "yes"]),
    ("help me", ["1", "yes"]),
]


@pytest.mark.parametrize(("text", "replies"), HELP_AT_OPEN)
def test_a_call_for_help_at_an_open_question_is_not_kept_as_a_view(
    chat: Chat, text: str, replies: list[str]
) -> None:
    turn = at_open(chat).send(text, screening=check("unspecified", "keyword"))
    assert said(turn) == CHECK_IN
    assert not of_type(turn, AnswerSaved)
    for reply in replies:
        last = chat.send(reply)
    assert said(last)[-1] == "survey.q_topic_other"
    assert not any(of_type(t, AnswerSaved) for t in chat.turns[-len(replies) - 1 :])


def test_a_call_for_help_then_carry_on_asks_the_same_question_again(chat: Chat) -> None:
    at_choice(chat).send("please help", screening=check("unspecified", "keyword"))
    assert said(chat.send("2")) == ["survey.q_topic"]


def test_a_first_message_at_risk_gets_help_before_any_welcome(chat: Chat) -> None:
    turn = chat.send("pomocy", language="pl", language_confidence=0.9, screening=clear())
    assert said(turn) == helped("risk_to_self")
    assert [m.language for m in messages(turn)] == ["pl", "pl", "pl"]
    assert said(chat.send("tak")) == ["welcome.hello", "welcome.register"]


def test_a_first_message_checked_in_on_goes_on_to_the_welcome(
    new_chat: Callable[..., Chat],
) -> None:
    chat = new_chat()
    turn = chat.send("help me", screening=check("unspecified", "keyword"))
    assert said(turn) == CHECK_IN
    after = said(chat.send("2"))
    assert after and all(text_id.startswith("welcome.") for text_id in after)


# --- which findings count ---------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_an_opted_out_person_at_risk_is_recorded_but_not_messaged(
    chat: Chat, level: ScreeningLevel
) -> None:
    welcomed(chat).send("stop")
    turn = chat.send("I can't go on", screening=Screening("risk_to_self", level, "intent"))
    assert kinds(turn) == ["SafeguardingAlert"]
    assert of_type(turn, SafeguardingAlert)[0].level == level
    assert said(turn) == []
    assert chat.session is not None and chat.session.status == "opted_out"


@pytest.mark.parametrize("level", LEVELS)
def test_a_tapped_option_with_an_intent_finding_is_just_an_answer(
    chat: Chat, level: ScreeningLevel
) -> None:
    at_choice(chat)
    label = messages(chat.turns[-1])[-1].choices[1].label
    turn = chat.send(label, screening=Screening("risk_to_self", level, "intent"))
    assert not of_type(turn, SafeguardingAlert)
    assert said(turn) == ["survey.q_many"]
    assert [(a.field, a.value) for a in of_type(turn, AnswerSaved)] == [("topic", "transport")]


@pytest.mark.parametrize(
    ("level", "expected", "saved"),
    [("clear", helped("harm_from_others"), []), ("check", CHECK_IN, [("topic", "transport")])],
)
def test_a_keyword_finding_on_a_tapped_option_still_counts(
    chat: Chat, level: ScreeningLevel, expected: list[str], saved: list[tuple[str, str]]
) -> None:
    at_choice(chat)
    label = messages(chat.turns[-1])[-1].choices[1].label
    turn = chat.send(label, screening=Screening("harm_from_others", level, "keyword"))
    assert said(turn) == expected
    assert of_type(turn, SafeguardingAlert)[0].matched == "keyword"
    assert [(a.field, a.value) for a in of_type(turn, AnswerSaved)] == saved


def test_without_a_screening_finding_nothing_happens(chat: Chat) -> None:
    turn = at_open(chat).send("I can't go on", intent="risk_to_self", confidence=0.9)
    assert not of_type(turn, SafeguardingAlert)


def test_safeguarding_wins_over_a_command(chat: Chat) -> None:
    turn = at_choice(chat).send("menu", screening=clear(source="keyword"))
    assert said(turn) == helped("risk_to_self")


# --- what the deployment says -----------------------------------------------------------------


def test_the_team_is_said_to_be_in_touch_only_where_coordinators_follow_up(
    fixture_flows: FlowSet, fixture_catalogue: Catalogue
) -> None:
    following = replace(DEPLOYMENT, coordinators_follow_up=True)
    quiet = chat_for(fixture_flows, fixture_catalogue, DEPLOYMENT)
    following_up = chat_for(fixture_flows, fixture_catalogue, following)
    for chat, follow_up in ((quiet, False), (following_up, True)):
        turn = at_choice(chat).send("I can't go on", screening=clear())
        assert said(turn) == helped("risk_to_self", follow_up)
        assert ("in touch" in messages(turn)[-1].text) is follow_up
        # a check-in answered "carry on" promises nothing
        chat.send("yes")
        turn = chat.send("I am not sure", screening=check())
        assert said(turn) == CHECK_IN and "in touch" not in messages(turn)[0].text
        assert said(chat.send("1")) == helped("risk_to_self", follow_up)


CHANGED = Deployment(
    org="Anytown",
    helpline="0800 111 222",
    helpline_self_name="Anytown Listening Line",
    helpline_abuse="0800 333 444",
    helpline_abuse_name="Anytown Safe Homes",
    emergency="112",
)
NUMBERS = {
    "risk_to_self": ["0800 111 222", "Anytown Listening Line", "112"],
    "harm_from_others": ["0800 333 444", "Anytown Safe Homes", "112"],
    "immediate_danger": ["112"],
    "unspecified": [
        "0800 111 222",
        "Anytown Listening Line",
        "0800 333 444",
        "Anytown Safe Homes",
        "112",
    ],
}


@pytest.fixture(scope="module")
def shipped() -> tuple[FlowSet, Catalogue]:
    return load_flows(), load_catalogue()


@pytest.mark.parametrize("kind", KINDS)
def test_the_deployments_numbers_are_in_every_language_and_register(
    shipped: tuple[FlowSet, Catalogue], kind: SafeguardingKind
) -> None:
    flows, catalogue = shipped
    assert len(catalogue.languages) >= 9
    for language in catalogue.languages:
        for register in ("standard", "easy"):
            chat = chat_for(flows, catalogue, CHANGED)
            turn = chat.send(
                "...", language=language, language_confidence=0.99, screening=clear(kind)
            )
            if register == "easy":  # the same turn for a person who chose easy read
                chat = chat_for(flows, catalogue, CHANGED)
                chat.send("...", language=language, language_confidence=0.99)
                assert chat.session is not None
                chat.session = replace(chat.session, register=register, language=language)
                turn = chat.send("...", screening=clear(kind))
            help_reply = messages(turn)[1]
            where = f"{language}/{register} {help_reply.text_id}"
            assert (help_reply.language, help_reply.register) == (language, register), where
            assert not help_reply.fallback, where
            for wanted in NUMBERS[kind]:
                assert wanted in help_reply.text, where
            for old in ("Samaritans", "116 123", "999", "0808 2000 247", "Domestic Abuse"):
                assert old not in help_reply.text, where


def test_the_check_in_is_in_every_language_and_register_and_names_no_number(
    shipped: tuple[FlowSet, Catalogue],
) -> None:
    flows, catalogue = shipped
    for language in catalogue.languages:
        for register in ("standard", "easy"):
            chat = chat_for(flows, catalogue, CHANGED)
            chat.send("...", language=language, language_confidence=0.99)
            assert chat.session is not None
            chat.session = replace(chat.session, register=register, language=language)
            turn = chat.send("...", screening=check("unspecified", "keyword"))
            where = f"{language}/{register}"
            assert said(turn) == CHECK_IN, where
            check_in = messages(turn)[0]
            assert (check_in.language, check_in.fallback) == (language, False), where
            assert [c.value for c in check_in.choices] == ["yes", "no"], where
            for number in ("112", "0800"):
                assert number not in check_in.text, where


def test_start_after_stop_asks_the_check_in_that_was_waiting(chat: Chat) -> None:
    """A person checked in on who says STOP and then START is asked again whether they are OK
    before the question: the check-in is not lost in the pause."""
    at_choice(chat).send("I don't know any more", screening=check())
    assert said(chat.send("STOP")) == ["common.stopped"]
    assert said(chat.send("START")) == ["common.started_resume", "safeguarding.check"]
    assert said(chat.send("2")) == ["survey.q_topic"]  # carry on: the question again


def test_a_delete_confirmation_waiting_at_stop_is_not_asked_after_start(chat: Chat) -> None:
    at_choice(chat).send("DELETE")
    chat.send("STOP")
    assert said(chat.send("START")) == ["common.started_resume", "survey.q_topic"]
