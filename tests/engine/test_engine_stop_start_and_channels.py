"""START after STOP brings the person back to the question they were at, and nobody on
Telegram is told to "text" us: on the shipped flows and catalogue, in every language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.catalogue import Catalogue
from bot.engine.events import AnswerSaved, OptedIn
from bot.flowspec import FlowSet
from tests.engine.chat import Chat, make_engine, messages, of_type, said

LANGUAGES = ("en", "cy", "pl", "ur", "pa", "bn", "ar", "so", "ro")
CHANNELS = ("sms", "telegram")
SMS_WORDING = re.compile(r"\btext(s|ed)?\b(?! message)", re.IGNORECASE)


def at_rating(flows: FlowSet, catalogue: Catalogue, language: str, channel: str) -> Chat:
    """A person who chose `language`, agreed, and answered two questions: the rating waits."""
    chat = Chat(make_engine(flows, catalogue), channel=channel)
    chat.send("\U0001f642")
    chat.send(str(LANGUAGES.index(language) + 1))
    chat.send("1")  # yes, keep my answers
    chat.send("More buses on Sundays")  # q_better (open)
    chat.send("1")  # q_matters: getting there
    assert said(chat.turns[-1]) == ["hys.q_rating"]
    return chat


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_start_after_stop_brings_the_person_back_to_their_question(
    flows: FlowSet, catalogue: Catalogue, language: str, channel: str
) -> None:
    chat = at_rating(flows, catalogue, language, channel)
    assert said(chat.send("STOP")) == ["common.stopped"]
    turn = chat.send("START")
    assert said(turn) == ["common.started_resume", "hys.q_rating"]
    assert len(of_type(turn, OptedIn)) == 1
    assert {(m.language, m.fallback) for m in messages(turn)} == {(language, False)}
    saved = of_type(chat.send("4"), AnswerSaved)
    assert [(a.step, a.value) for a in saved] == [("q_rating", "4")]


def test_start_after_the_question_is_gone_shows_the_menu(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_rating(flows, catalogue, "pl", "sms")
    chat.send("STOP")
    turn = chat.send("START", after=timedelta(days=2))
    assert said(turn) == ["common.started", "menu.choose"]
    assert {m.language for m in messages(turn)} == {"pl"}


@pytest.mark.parametrize(
    ("channel", "stopped", "started"),
    [
        ("sms", "Text START at any time", "Text STOP at any time"),
        ("telegram", "Send START at any time", "Send STOP at any time"),
    ],
)
def test_stop_and_start_speak_of_the_persons_channel(
    flows: FlowSet, catalogue: Catalogue, channel: str, stopped: str, started: str
) -> None:
    chat = at_rating(flows, catalogue, "en", channel)
    turn = chat.send("STOP")
    assert said(turn) == ["common.stopped"] and stopped in messages(turn)[0].text
    turn = chat.send("START")
    assert said(turn)[0] == "common.started_resume" and started in messages(turn)[0].text


def test_every_english_text_that_says_text_has_a_telegram_wording(catalogue: Catalogue) -> None:
    """Each message that tells people to "text" has its own Telegram wording (a message id
    variant, never a joined sentence), in both registers and every language."""
    english = catalogue.languages["en"].messages
    for text_id, entry in english.items():
        if text_id.endswith("@telegram"):
            continue
        if SMS_WORDING.search(entry.standard) or SMS_WORDING.search(entry.easy):
            variant = english.get(f"{text_id}@telegram")
            assert variant is not None, text_id
            for register_text in (variant.standard, variant.easy):
                assert not SMS_WORDING.search(register_text), text_id
            for language in LANGUAGES:
                assert catalogue.has(language, f"{text_id}@telegram"), (language, text_id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_telegram_the_goodbye_after_help_does_not_say_text(
    flows: FlowSet, catalogue: Catalogue, language: str
) -> None:
    sms = catalogue.text(language, "standard", "safeguarding.end").text
    telegram = catalogue.text(language, "standard", "safeguarding.end@telegram").text
    if language == "en":
        assert "text us" in sms and "message us" in telegram
    assert not SMS_WORDING.search(telegram)
