"""The short opening on the shipped flows and catalogue: a first view within 4 messages from the
person, in every catalogue language, on SMS and Telegram; the menu, language and easy read still
reachable by keyword; nothing optional asked up front."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.catalogue import load_catalogue
from bot.config import default_deployment
from bot.engine.engine import Engine
from bot.engine.events import AnswerSaved, ConsentRecorded, MessageCreated
from bot.engine.ids import counting_ids
from bot.engine.inputs import TurnInput, Understanding
from bot.engine.session import Session, Turn
from bot.engine.settings import EngineSettings
from bot.flowspec import FlowSet

CATALOGUE = load_catalogue()
LANGUAGES = CATALOGUE.codes
CHANNELS = ("sms", "telegram")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEPLOYMENT = replace(default_deployment(), org="Anytown Council", contact="heard@example.org")
FIRST_VIEW_WITHIN = 4  # messages from the person, first contact and the first answer included


@dataclass
class Person:
    """One person texting Heard on one channel: a tap on Telegram sends the label, on SMS the
    person types the number."""

    engine: Engine
    channel: str
    session: Session | None = None
    sent: int = 0
    turns: list[Turn] = field(default_factory=list)

    def send(self, text: str, language: str | None = None) -> Turn:
        self.sent += 1
        understanding = Understanding(
            language=language, language_confidence=1.0 if language else 0.0
        )
        at = START + timedelta(minutes=self.sent)
        turn = self.engine.handle(
            self.session, TurnInput("p-1", self.channel, text, at, understanding)
        )
        self.session = turn.session
        self.turns.append(turn)
        return turn

    def choose(self, value: str) -> Turn:
        last = [e for e in self.turns[-1].events if isinstance(e, MessageCreated)][-1]
        choice = next(c for c in last.choices if c.value == value)
        return self.send(choice.label if self.channel == "telegram" else str(choice.number))

    def said(self, turn: Turn | None = None) -> list[str]:
        turn = turn or self.turns[-1]
        return [e.text_id for e in turn.events if isinstance(e, MessageCreated)]

    def views(self) -> list[AnswerSaved]:
        return [
            e for t in self.turns for e in t.events if isinstance(e, AnswerSaved)
            and e.store == "view"
        ]


def person(flows: FlowSet, channel: str = "sms", **deployment: Any) -> Person:
    settings = EngineSettings(
        session_timeout=timedelta(hours=24), deployment=replace(DEPLOYMENT, **deployment)
    )
    return Person(Engine(flows, CATALOGUE, settings, counting_ids()), channel)


def until_first_view(p: Person, answer: str = "More buses on Sundays, please") -> int:
    """Answers whatever the opening asks with yes (or the person's language) and the first
    question with `answer`; returns how many messages the person sent when the view was kept."""
    for _ in range(10):
        if p.views():
            return p.sent
        session = p.session
        assert session is not None and session.position is not None, p.said()
        flow = p.engine.flows[session.position.flow]
        step = flow.steps[session.position.step]
        if flow.consultation is not None:
            p.send(answer)
        else:
            assert getattr(step, "answer", "") == "yes_no", step
            p.choose("yes")
    raise AssertionError(f"no view after {p.sent} messages: {p.said()}")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_recognised_language_stores_a_view_in_3_messages(
    flows: FlowSet, language: str, channel: str
) -> None:
    p = person(flows, channel)
    # A greeting in the language itself: an English "hello" names English whatever the guess.
    p.send(CATALOGUE.languages[language].greetings[0], language=language)
    assert p.said() == ["consent.about", "consent.ask_share_views"]
    assert p.session is not None and p.session.language == language
    assert until_first_view(p) == 3
    assert p.views()[0].language == language


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_via_the_language_menu_a_view_is_stored_in_4_messages(
    flows: FlowSet, language: str, channel: str
) -> None:
    p = person(flows, channel)
    p.send("\U0001f642")  # no language recognised: the language menu
    assert p.said() == ["welcome.choose_language"]
    p.choose(language)
    assert p.said() == ["consent.about", "consent.ask_share_views"]
    sent = until_first_view(p)
    assert sent == FIRST_VIEW_WITHIN
    assert p.views()[0].language == language


def test_only_keeping_views_is_asked_before_the_first_question(flows: FlowSet) -> None:
    p = person(flows)
    p.send("hello", language="en")
    until_first_view(p)
    consents = [e for t in p.turns for e in t.events if isinstance(e, ConsentRecorded)]
    assert [(c.purpose, c.granted) for c in consents] == [("share_views", True)]
    assert "welcome.register" not in [i for t in p.turns for i in p.said(t)]


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("EASY", ["common.easy_on", "consent.ask_share_views"]),
        ("MENU", ["menu.choose"]),
        ("LANGUAGE", ["common.language_menu"]),
        ("HELP", ["common.help", "consent.ask_share_views"]),
    ],
)
def test_keywords_work_during_the_opening(
    flows: FlowSet, keyword: str, expected: list[str]
) -> None:
    p = person(flows)
    p.send("hello", language="en")
    assert p.said(p.send(keyword)) == expected
    if keyword == "EASY":
        assert p.session is not None and p.session.register == "easy"


def test_a_reply_in_another_language_after_a_guess_offers_the_language_menu(
    flows: FlowSet,
) -> None:
    p = person(flows)
    p.send("Dzień dobry", language="pl")
    assert p.said(p.send("I don't understand this", language="en")) == [
        "welcome.choose_language"
    ]
    p.choose("en")
    assert p.said() == ["consent.about", "consent.ask_share_views"]
    # Once the language was chosen, a reply not understood asks the same question again.
    assert p.said(p.send("hmm")) == ["retry.yes_no", "consent.ask_share_views"]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reply", ["huh", "what", "??"])
def test_a_reply_not_understood_in_the_guessed_language_asks_the_consent_again(
    flows: FlowSet, channel: str, language: str, reply: str
) -> None:
    """A short reply the language guesser is unsure of ("huh") is no sign of a wrong guess:
    the person is told exactly what to send, in the guessed language, not shown the menu."""
    p = person(flows, channel)
    p.send("first message", language=language)  # not a greeting: the guess decides
    retry = "retry.yes_no_tap" if channel == "telegram" else "retry.yes_no"
    turn = p.send(reply)
    assert p.said(turn) == [retry, "consent.ask_share_views"]
    assert {e.language for e in turn.events if isinstance(e, MessageCreated)} == {language}
    other = "pl" if language != "pl" else "en"
    assert p.said(p.send("nie rozumiem", language=other)) == ["welcome.choose_language"]


@pytest.mark.parametrize(
    ("language", "reply"),
    [("en", "کیا مطلب"), ("pl", "ما هذا"), ("ur", "ਕੀ ਮਤਲਬ"), ("bn", "کیا"), ("so", "কি")],
)
def test_a_reply_in_a_script_the_guessed_language_never_uses_offers_the_language_menu(
    flows: FlowSet, language: str, reply: str
) -> None:
    p = person(flows)
    p.send("first message", language=language)
    assert p.said(p.send(reply)) == ["welcome.choose_language"]


def test_a_deployment_can_ask_for_the_register(flows: FlowSet) -> None:
    p = person(flows, ask_register=True)
    p.send("hello", language="en")
    assert p.said() == ["welcome.register"]
    p.choose("easy")
    assert p.said() == ["consent.about", "consent.ask_share_views"]
    assert p.session is not None and p.session.register == "easy"


def test_no_to_keeping_views_stores_nothing_and_shows_the_menu(flows: FlowSet) -> None:
    p = person(flows)
    p.send("hello", language="en")
    assert p.said(p.choose("no")) == ["consent.declined", "menu.choose"]
    p.choose("have_your_say")  # asked again at the gate, with the same facts
    assert p.said() == ["consent.about", "consent.ask_share_views"]


@pytest.mark.parametrize(
    ("messages", "plain"),
    [
        (["Dzien dobry wszystkim"], True),  # plain letters: replies in plain letters
        (["Dzień dobry wszystkim"], False),
        (["Dzien dobry wszystkim", "tak"], True),  # a short reply says nothing new
        (["Dzien dobry wszystkim", "Więcej autobusów proszę"], False),
        (["hi"], False),  # too short to tell: nothing changes
    ],
)
def test_how_the_person_writes_sets_plain_letters(
    flows: FlowSet, messages: list[str], plain: bool
) -> None:
    p = person(flows)
    for text in messages:
        p.send(text, language="pl")
    said = [e for e in p.turns[-1].events if isinstance(e, MessageCreated)]
    assert said and all(m.plain_letters is plain for m in said)


def test_the_first_question_follows_the_yes_directly(flows: FlowSet) -> None:
    p = person(flows)
    p.send("hello", language="en")
    assert p.said(p.choose("yes")) == ["hys.q_better"]



def test_a_deep_link_comes_straight_after_the_consent(flows: FlowSet) -> None:
    p = person(flows, "telegram")
    engine, at = p.engine, START + timedelta(minutes=1)
    turn = engine.handle(
        None, TurnInput("p-1", "telegram", "/start", at, Understanding(), "working_group")
    )
    p.session, p.sent = turn.session, 1
    p.turns.append(turn)
    assert p.said() == ["welcome.choose_language"]
    p.choose("en")
    # Keeping views, then the linked flow's own consent: not the demo consultation.
    assert p.said(p.choose("yes")) == ["consent.ask_contact_group"]


@pytest.mark.parametrize("register", ["standard", "easy"])
def test_the_about_you_consent_names_every_question(register: str) -> None:
    text = CATALOGUE.text("en", register, "consent.ask_about_you").text.lower()  # type: ignore[arg-type]
    for kind in ("age", "area", "ethnic group", "disability", "carer"):
        assert kind in text


@pytest.mark.parametrize(
    ("language", "reply"), [("ur", "جی ہاں"), ("bn", "হ্যাঁ"), ("pa", "ਹਾਂ"), ("pl", "tak")]
)
def test_a_reply_at_the_language_menu_written_in_an_offered_language_chooses_it(
    flows: FlowSet, language: str, reply: str
) -> None:
    p = person(flows)
    p.send("السلام علیکم")  # Urdu and Arabic alike: the menu
    assert p.said() == ["welcome.choose_language"]
    turn = p.send(reply, language=language)
    assert p.said(turn) == ["consent.about", "consent.ask_share_views"]
    assert {e.language for e in turn.events if isinstance(e, MessageCreated)} == {language}
    # Unsure of the language, the menu still says what to send.
    p2 = person(flows)
    p2.send("السلام علیکم")
    assert p2.said(p2.send("??")) == ["retry.choice", "welcome.choose_language"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_greeting_in_arabic_script_offers_urdu_and_arabic_first_in_their_own_words(
    flows: FlowSet, channel: str
) -> None:
    p = person(flows, channel)
    turn = p.send("السلام علیکم")  # Urdu and Arabic alike: no guess
    (menu,) = [e for e in turn.events if isinstance(e, MessageCreated)]
    assert [c.value for c in menu.choices][:2] == ["ur", "ar"]
    assert sorted(c.value for c in menu.choices) == sorted(LANGUAGES)
    for code in ("ur", "ar"):
        assert CATALOGUE.text(code, "standard", "welcome.choose_language").text in menu.text
    assert menu.direction == "rtl"
    # The numbers keep meaning what the menu showed: 2 is Arabic.
    chosen = p.choose("ar")
    assert {e.language for e in chosen.events if isinstance(e, MessageCreated)} == {"ar"}


def test_a_latin_greeting_not_recognised_gets_the_menu_in_menu_order(flows: FlowSet) -> None:
    p = person(flows)
    turn = p.send("zzz")
    (menu,) = [e for e in turn.events if isinstance(e, MessageCreated)]
    assert [c.value for c in menu.choices] == list(LANGUAGES)
    assert menu.language == "en"
