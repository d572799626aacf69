"""BACK ("back", "go back", "undo" in every language): the previous question is asked again
and the new answer replaces the old one, never adds a second."""

from __future__ import annotations

import json

import pytest

from bot.catalogue import Catalogue
from bot.engine.events import AnswerSaved, ConsentRecorded, FlowEnded
from bot.engine.session import SESSION_SPEC_VERSION, Frame, Session, SessionFormatError
from bot.flowspec import FlowSet
from tests.engine.chat import Chat, make_engine, messages, of_type, said
from tests.engine.test_engine_consent_trust import at_consent, at_menu

# (language, the person's "back")
BACKS = [
    ("en", "back"),
    ("en", "Go back"),
    ("en", "undo"),
    ("pl", "wróć"),
    ("pl", "cofnij"),
    ("cy", "yn ol"),
    ("ur", "واپس"),
    ("ur", "wapas"),
    ("ro", "înapoi"),
    ("so", "dib u noqo"),
    ("pa", "ਪਿੱਛੇ"),
    ("bn", "পিছনে"),
    ("ar", "رجوع"),
]


def answered(chat: Chat) -> list[tuple[str, str, bool]]:
    return [(a.step, a.value, a.replaces) for t in chat.turns for a in of_type(t, AnswerSaved)]


@pytest.mark.parametrize(("language", "back"), BACKS)
def test_back_asks_the_last_question_again_and_the_new_answer_replaces_the_old(
    flows: FlowSet, catalogue: Catalogue, language: str, back: str
) -> None:
    chat = at_menu(flows, catalogue, language)
    chat.send("1")  # have your say
    chat.send("More buses")  # q_better (open)
    chat.send("2")  # q_matters: activities; q_rating waits
    turn = chat.send(back)
    assert said(turn) == ["back.again", "hys.q_matters"]
    assert chat.session is not None and chat.session.position == Frame("have_your_say", "q_matters")
    turn = chat.send("1")  # getting there, instead of activities
    assert said(turn) == ["hys.q_rating"]
    assert answered(chat) == [
        ("q_better", "More buses", False),
        ("q_matters", "activities", False),
        ("q_matters", "getting_there", True),  # the host replaces the stored "activities"
    ]


def test_back_twice_goes_back_two_questions_and_both_answers_are_replaced(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_menu(flows, catalogue, "en")
    for reply in ("1", "More buses", "2"):
        chat.send(reply)
    chat.send("back")
    turn = chat.send("back")
    assert said(turn) == ["back.again", "hys.q_better"]
    chat.send("Fewer changes of staff")
    chat.send("1")
    assert answered(chat)[-2:] == [
        ("q_better", "Fewer changes of staff", True),
        ("q_matters", "getting_there", True),
    ]
    chat.send("4")  # q_rating: first answer, nothing to replace
    assert answered(chat)[-1] == ("q_rating", "4", False)


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize(("language", "back"), BACKS)
def test_at_the_first_question_of_a_consultation_from_the_menu_back_returns_to_the_menu(
    flows: FlowSet, catalogue: Catalogue, language: str, back: str, channel: str
) -> None:
    chat = at_menu(flows, catalogue, language)
    chat.channel = channel
    chat.send("1")  # have your say: its first question waits
    turn = chat.send(back)
    assert said(turn) == ["back.menu", "menu.choose"]
    assert {m.language for m in messages(turn)} == {language}
    assert of_type(turn, AnswerSaved) == []
    assert [(e.flow, e.completed) for e in of_type(turn, FlowEnded)] == [("have_your_say", False)]
    assert chat.session is not None and chat.session.stack == ()
    assert said(chat.send("1")) == ["hys.q_better"]  # and in again


@pytest.mark.parametrize(("language", "back"), [("en", "back"), ("pl", "wstecz")])
def test_at_a_consent_question_the_menu_started_there_is_nothing_to_go_back_to(
    flows: FlowSet, catalogue: Catalogue, language: str, back: str
) -> None:
    chat = at_menu(flows, catalogue, language)
    assert said(chat.send("2")) == ["consent.ask_contact_group"]  # the working group's gate
    assert said(chat.send(back)) == ["back.none", "consent.ask_contact_group"]


def test_back_never_leaves_the_flow_it_is_in(flows: FlowSet, catalogue: Catalogue) -> None:
    """After the opening's consent the first question belongs to the consultation: BACK there
    says there is nothing to go back to, and the consent stands (DELETE withdraws it)."""
    chat = at_consent(flows, catalogue, "cy")
    chat.send("ie")  # keep my answers: yes; the consultation's first question waits
    turn = chat.send("yn ôl")
    assert said(turn) == ["back.none", "hys.q_better"]
    assert not of_type(turn, ConsentRecorded)
    assert chat.session is not None and chat.session.consents["share_views"] is True


def test_back_at_the_delete_confirmation_cancels_the_deletion(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_menu(flows, catalogue, "en")
    chat.send("delete")
    turn = chat.send("back")
    assert said(turn) == ["common.delete_cancelled", "menu.choose"]
    assert chat.session is not None and chat.session.pending is None


def test_a_flow_started_again_does_not_step_back_into_its_earlier_run(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_menu(flows, catalogue, "en")
    for reply in ("1", "More buses", "2", "4", "yes", "skip"):  # have your say, to the end
        turn = chat.send(reply)
    assert said(turn)[-1] == "menu.choose"
    chat.send("1")  # have your say again
    assert said(chat.send("back")) == ["back.menu", "menu.choose"]


VERSION_1 = {
    "spec_version": 1,
    "session_id": "s-1",
    "participant_id": "p-1",
    "channel": "sms",
    "started_at": "2026-03-02T09:00:00+00:00",
    "last_active": "2026-03-02T09:05:00+00:00",
    "language": "pl",
    "register": "easy",
    "position": {"flow": "have_your_say", "step": "q_matters"},
    "stack": [],
    "fields": {"better": "Autobusy"},
    "consents": {"share_views": True},
    "status": "active",
    "retries": 1,
    "pending": None,
}


def test_a_version_1_session_still_loads_and_keeps_its_place(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    session = Session.from_json(json.dumps(VERSION_1))
    assert session.spec_version == SESSION_SPEC_VERSION == 2
    assert (session.language, session.register, session.retries) == ("pl", "easy", 1)
    assert session.position == Frame("have_your_say", "q_matters")
    assert session.history == () and session.undone == ()
    chat = Chat(make_engine(flows, catalogue), session=session, now=session.last_active)
    assert said(chat.send("2")) == ["hys.q_rating"]
    assert said(chat.send("back")) == ["back.again", "hys.q_matters"]


@pytest.mark.parametrize("version", [0, 3, "1", None])
def test_a_session_of_an_unknown_version_is_refused(version: object) -> None:
    with pytest.raises(SessionFormatError):
        Session.from_json(json.dumps({**VERSION_1, "spec_version": version}))
