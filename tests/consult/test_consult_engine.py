"""The engine with a consultation made in the workspace among its flows (built as the inbox
worker builds them, bot.service.consultations): its keyword starts it (any case, in a sentence
when unambiguous, never inside an open answer), a Telegram deep link names it by keyword, the
menu lists it while open, and a closed or not-yet-open one says so kindly, keeps nothing and
offers the menu. The shipped flows and catalogue, a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.catalogue import Catalogue, load_catalogue
from bot.engine.events import AnswerSaved
from bot.flowspec import FlowSet, load_flows
from bot.service.consultations import build_content
from bot.workspace.consult import ConsultationIn, document
from storage.records import ConsultationRecord
from tests.consult.drafts import buses
from tests.engine.chat import START, Chat, make_engine, said, welcomed

FLOWS: FlowSet = load_flows()
CATALOGUE: Catalogue = load_catalogue()


def _chat(
    *, opens: datetime | None = None, closes: datetime | None = None, parks: bool = False
) -> Chat:
    stored = []
    for n, keyword in enumerate(("buses", "parks") if parks else ("buses",)):
        draft = ConsultationIn.model_validate(buses(keyword))
        record = ConsultationRecord(
            keyword, keyword, opens, closes, 1, 1, "c", START + timedelta(minutes=n),
            START,
        )
        stored.append((record, 1, document(draft, keyword, 1).json()))
    flows, catalogue = build_content(FLOWS, CATALOGUE, stored, START)
    return Chat(make_engine(flows, catalogue))


def _saved(chat: Chat) -> list[AnswerSaved]:
    return [e for t in chat.turns for e in t.events if isinstance(e, AnswerSaved)]


def test_the_keyword_in_any_case_starts_it_for_someone_known() -> None:
    chat = welcomed(_chat())
    assert said(chat.send("Buses!")) == ["ws.buses.v1.q1"]
    chat.send("More buses in the morning")
    chat.send("2")
    (first, second) = [e for e in _saved(chat) if e.consultation == "buses"]
    assert (first.consultation_version, first.value) == (1, "More buses in the morning")
    assert (second.step, second.value) == ("q2", "taxi")


def test_a_sentence_naming_one_keyword_starts_it_but_an_open_answer_stays_an_answer() -> None:
    chat = welcomed(_chat())
    assert said(chat.send("I want to answer the buses one please")) == ["ws.buses.v1.q1"]
    # At the open question "buses" is part of the person's answer, not a command.
    assert said(chat.send("the buses are always late")) == ["ws.buses.v1.q2"]
    assert _saved(chat)[-1].value == "the buses are always late"


def test_a_sentence_naming_two_keywords_starts_neither() -> None:
    chat = welcomed(_chat(parks=True))
    turn = chat.send("buses or parks")
    assert not [t for t in said(turn) if t.startswith("ws.")]


def test_a_new_person_texting_the_keyword_is_welcomed_then_asked_its_first_question() -> None:
    chat = _chat()
    opening = chat.send("BUSES", language="en", language_confidence=0.95)
    assert said(opening)[-1] == "consent.ask_share_views"  # consent first, as for anyone
    assert said(chat.send("yes")) == ["ws.buses.v1.q1"]


def test_a_telegram_deep_link_names_the_consultation_by_its_keyword() -> None:
    chat = welcomed(_chat())
    chat.channel = "telegram"
    assert said(chat.send("/start", start_flow="buses")) == ["ws.buses.v1.q1"]


def test_the_menu_lists_an_open_consultation_beside_the_one_of_the_flows() -> None:
    chat = welcomed(_chat())
    assert said(chat.send("MENU"))[-1] == "menu.choose"
    turn = chat.send("1")  # the menu's "Have your say"
    assert said(turn) == ["menu.choose_consultation"]
    labels = [c.label for c in turn.events[-1].choices]  # type: ignore[attr-defined]
    assert labels[:3] == ["Day services and support at home", "Buses to day centres", "Back"]
    assert said(chat.send("2")) == ["ws.buses.v1.q1"]


def test_a_closed_consultation_says_so_keeps_nothing_and_offers_the_menu() -> None:
    chat = welcomed(_chat(closes=START))
    assert said(chat.send("buses")) == ["consult.closed", "menu.choose"]
    assert not [e for e in _saved(chat) if e.consultation == "buses"]
    # A closed consultation is not in the menu: "Have your say" goes straight on.
    assert said(chat.send("1")) != ["menu.choose_consultation"]


def test_a_consultation_not_open_yet_says_the_same() -> None:
    chat = welcomed(_chat(opens=START + timedelta(days=30)))
    assert said(chat.send("buses")) == ["consult.closed", "menu.choose"]


def test_a_late_reply_mid_way_is_told_kindly_and_nothing_is_kept() -> None:
    closes = START + timedelta(minutes=30)
    chat = welcomed(_chat(closes=closes))
    chat.send("buses")
    chat.send("Earlier buses")  # answered while open
    turn = chat.send("1", after=timedelta(hours=1))  # the choice question, after it closed
    assert said(turn) == ["consult.closed", "menu.choose"]
    kept = [e.step for e in _saved(chat) if e.consultation == "buses"]
    assert kept == ["q1"]


def test_the_keyword_wins_over_a_guessed_intent_but_stop_wins_over_everything() -> None:
    chat = welcomed(_chat())
    assert said(chat.send("buses", intent="menu", confidence=0.99)) == ["ws.buses.v1.q1"]
    assert said(chat.send("STOP")) == ["common.stopped"]
    # Opted out: the keyword starts nothing and says nothing (START brings a person back).
    assert said(chat.send("buses")) == []
