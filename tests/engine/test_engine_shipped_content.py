"""The engine on the shipped flows and catalogue (flows/*.yaml, flows/catalogue/)."""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue
from bot.engine.events import AnswerSaved, ConsentRecorded
from bot.engine.inputs import Screening
from bot.flowspec import FlowSet, default_flows_dir, validate_flows
from tests.engine.chat import Chat, make_engine, messages, said


def test_the_shipped_flows_are_valid_against_the_english_catalogue(catalogue: Catalogue) -> None:
    english = Catalogue({"en": catalogue.languages["en"]})
    assert [str(p) for p in validate_flows(default_flows_dir(), english)] == []


def test_an_english_speaker_has_their_say(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = Chat(make_engine(flows, catalogue))
    turn = chat.send("Hello", language="en", language_confidence=0.97)
    assert said(turn) == ["consent.about", "consent.ask_share_views"]
    assert "team@example.invalid" in messages(turn)[0].text
    turn = chat.send("yes")
    assert said(turn) == ["hys.q_better"]  # the first question straight after the yes
    assert chat.session is not None
    assert chat.session.consents == {"share_views": True}  # nothing optional asked up front
    replies = ["More buses on Sundays", "3", "1", "4", "yes", "skip"]
    saved: list[AnswerSaved] = []
    for text in replies:
        saved += [e for e in chat.send(text).events if isinstance(e, AnswerSaved)]
    assert [(a.field, a.value) for a in saved] == [
        ("better", "More buses on Sundays"),
        ("matters", "people"),
        ("matters_people", "staff"),
        ("rating", "4"),
        ("listened", "yes"),
        ("more", "prefer_not_to_say"),
    ]
    assert {a.consultation for a in saved} == {"day-services-2026"}
    assert {a.store for a in saved} == {"view"}
    assert said(chat.turns[-1]) == ["hys.thanks", "menu.choose"]


def test_about_you_needs_its_own_consent(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = at_menu(flows, catalogue)
    turn = chat.send("3")  # about you: its consent is asked now, when it becomes relevant
    assert said(turn) == ["consent.ask_about_you"]  # only what this flow needs
    assert not [e for e in turn.events if isinstance(e, ConsentRecorded)]


def at_menu(flows: FlowSet, catalogue: Catalogue) -> Chat:
    """An English speaker who agreed to keep their views and left the first consultation (by
    MENU), waiting at the main menu."""
    chat = Chat(make_engine(flows, catalogue))
    chat.send("Hello", language="en", language_confidence=0.97)
    chat.send("yes")
    turn = chat.send("MENU")
    assert said(turn)[-1] == "menu.choose"
    return chat


def test_menu_read_by_the_classifier_as_harm_is_still_the_menu(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_menu(flows, catalogue)
    chat.send("1")  # have your say: an open question waits
    turn = chat.send("MENU", screening=Screening("harm_from_others", "clear", "intent"))
    assert said(turn) == ["menu.choose"]
    assert not [e for e in turn.events if type(e).__name__ == "SafeguardingAlert"]


def test_an_option_that_is_also_a_keyword_is_an_answer(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_menu(flows, catalogue)
    chat.send("2")  # join a working group
    chat.send("yes")  # may we contact you
    chat.send("yes")  # interested
    chat.send("1")  # topics
    chat.send("1")  # availability
    turn = chat.send("Easy read", intent="easy_read", confidence=0.95)  # an access need
    assert chat.session is not None and chat.session.register == "standard"
    assert "easy_read" in chat.session.fields.get("access_needs", "")
    assert "common.easy_on" not in said(turn)


@pytest.mark.parametrize(
    ("reply", "intent", "stops"),
    [
        ("STOP please", "stop", True),
        ("please stop", "stop", True),
        ("stop texting me", "stop", True),
        ("I want to stop going to the centre on Mondays", "stop", False),
        ("leave me alone", None, True),  # a catalogue stop phrase, whatever the classifier says
        ("please leave me alone, the bus is late", "stop", False),  # not the whole message
        ("stop", None, True),
    ],
)
def test_only_a_stop_word_or_phrase_can_silence_someone(
    flows: FlowSet, catalogue: Catalogue, reply: str, intent: str | None, stops: bool
) -> None:
    chat = at_menu(flows, catalogue)
    chat.send("1")  # an open question waits
    turn = chat.send(reply, intent=intent, confidence=0.99)
    assert (said(turn) == ["common.stopped"]) is stops
    assert chat.session is not None and (chat.session.status == "opted_out") is stops


@pytest.mark.parametrize("reply", ["-1", "−1", "-4"])
def test_a_negative_number_picks_no_option(
    flows: FlowSet, catalogue: Catalogue, reply: str
) -> None:
    chat = at_menu(flows, catalogue)
    chat.send("1")
    chat.send("skip")  # q_better skipped; q_matters (a choice) waits
    turn = chat.send(reply)
    assert said(turn)[0] == "retry.choice_skip"


def test_a_consent_gate_asks_only_for_what_is_missing(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_menu(flows, catalogue)  # views kept; nothing else asked yet
    turn = chat.send("2")  # join a working group: needs contact_group
    assert said(turn) == ["consent.ask_contact_group"]  # no facts again, no share_views again
    turn = chat.send("yes")
    assert "consent.ask_about_you" not in said(turn)  # not what this flow needs
    assert said(turn)[-1] == "wg.q_interest"
    assert chat.session is not None and chat.session.consents["share_views"] is True
