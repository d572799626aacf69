"""The engine on the shipped flows and catalogue (flows/*.yaml, flows/catalogue/)."""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.engine.events import AnswerSaved, ConsentRecorded
from bot.flowspec import FlowSet, default_flows_dir, load_flows, validate_flows
from tests.engine.chat import Chat, make_engine, messages, said


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return load_flows()


def test_the_shipped_flows_are_valid_against_the_english_catalogue(catalogue: Catalogue) -> None:
    english = Catalogue({"en": catalogue.languages["en"]})
    assert [str(p) for p in validate_flows(default_flows_dir(), english)] == []


def test_an_english_speaker_has_their_say(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = Chat(make_engine(flows, catalogue))
    turn = chat.send("Hello", language="en", language_confidence=0.97)
    assert said(turn) == ["welcome.hello", "welcome.confirm_language"]
    assert "English" in messages(turn)[-1].text
    assert said(chat.send("yes")) == ["welcome.register"]
    assert said(chat.send("1"))[-1] == "consent.ask_share_views"
    chat.send("yes")
    chat.send("no")
    turn = chat.send("no")
    assert said(turn)[-1] == "menu.choose"
    assert chat.session is not None
    assert chat.session.consents == {
        "share_views": True,
        "contact_group": False,
        "about_you": False,
    }
    assert said(chat.send("1")) == ["hys.intro", "hys.q_better"]
    replies = ["More buses on Sundays", "staff", "4", "yes", "skip"]
    saved: list[AnswerSaved] = []
    for text in replies:
        saved += [e for e in chat.send(text).events if isinstance(e, AnswerSaved)]
    assert [(a.field, a.value) for a in saved] == [
        ("better", "More buses on Sundays"),
        ("matters", "staff"),
        ("rating", "4"),
        ("listened", "yes"),
        ("more", "prefer_not_to_say"),
    ]
    assert {a.consultation for a in saved} == {"day-services-2026"}
    assert {a.store for a in saved} == {"view"}
    assert said(chat.turns[-1]) == ["hys.thanks", "menu.choose"]


def test_about_you_needs_its_own_consent(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = Chat(make_engine(flows, catalogue))
    chat.send("Hello", language="en", language_confidence=0.97)
    for text in ("yes", "1", "yes", "no", "no"):
        chat.send(text)
    turn = chat.send("3")  # about you: consent flow first, because about_you was refused
    assert said(turn)[0] == "consent.who"
    assert not [e for e in turn.events if isinstance(e, ConsentRecorded)]
