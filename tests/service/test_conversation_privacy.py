"""What a conversation leaves in the store, on every store: only what the consent text says is
kept. Driven through `Conversation.handle` as the channels drive it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.service.conversation import Conversation, hint_language
from bot.service.postcode import district_of
from storage.sql import SqlStore
from tests.storage.store_helpers import dump
from tests.web.harness import Brains

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PHONE = "+447700900555"
# Greeting, English, standard, then the answer to "May we keep your answers?" (1 yes, 2 no).
# A greeting of one language (English): the opening's consent question follows at once.
UP_TO_SHARE_VIEWS = ("hello there",)
FREE_TEXT = "My secret worries about the number 6 bus"


def talk(conversation: Conversation, store: SqlStore, *lines: str) -> None:
    for minute, line in enumerate(lines):
        with store.unit_of_work() as uow:
            conversation.handle(
                uow, channel="sms", address=PHONE, text=line, at=T0 + timedelta(minutes=minute)
            )
            uow.commit()


def logged(store: SqlStore) -> list[tuple[str, str | None, str | None]]:
    with store.unit_of_work() as uow:
        [person] = list(uow.people.all())
        messages = uow.erasure.export(person.participant_id)["messages"]
    return [(m["direction"], m["text"], m["text_id"]) for m in messages]


def test_the_words_of_a_person_who_said_no_are_not_kept(store: SqlStore, brains: Brains) -> None:
    conversation = brains.runtime.conversation
    talk(conversation, store, *UP_TO_SHARE_VIEWS, "2", FREE_TEXT)
    stored = dump(store)
    assert FREE_TEXT not in stored
    assert UP_TO_SHARE_VIEWS[0] not in stored
    log = logged(store)
    # Every message in and out is still counted (direction, text id), without its words.
    assert [d for d, _, _ in log].count("in") == 3
    assert all(text is None for _, text, _ in log)
    assert ("out", None, "consent.declined") in log


def test_the_words_of_a_person_who_said_yes_are_kept(store: SqlStore, brains: Brains) -> None:
    conversation = brains.runtime.conversation
    talk(conversation, store, *UP_TO_SHARE_VIEWS, "1", FREE_TEXT)  # the first question is open
    log = logged(store)
    assert ("in", FREE_TEXT, None) in log
    # The turn that granted the consent keeps its words too.
    assert ("in", "1", None) in [entry for entry in log if entry[1] == "1"]


# ... yes to views; MENU; 3 (about you); yes to "about you"; under 25; 18 to 24.
TO_POSTCODE = (*UP_TO_SHARE_VIEWS, "1", "MENU", "3", "1", "1", "2")


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("12 High Street, CF10 1AA", "CF10"),
        ("cf10", "CF10"),
        ("Acacia Road, near the park", "not_given"),
        ("x" * 300, "not_given"),
    ],
)
def test_the_postcode_question_keeps_a_district_only(
    store: SqlStore, brains: Brains, answer: str, stored: str
) -> None:
    talk(brains.runtime.conversation, store, *TO_POSTCODE, answer)
    with store.unit_of_work() as uow:
        [person] = list(uow.people.all())
        data = uow.erasure.export(person.participant_id)
    assert [(a["field"], a["value"]) for a in data["profile_answers"]] == [
        ("age_band", "under_25"),
        ("age_band_young", "age_18_24"),
        ("area", stored),
    ]
    assert data["session"]["fields"]["area"] == stored
    assert answer not in dump(store)


def test_a_long_area_answer_does_not_stop_erasure(store: SqlStore, brains: Brains) -> None:
    talk(brains.runtime.conversation, store, *TO_POSTCODE, "Flat 3, " + "Acacia Road " * 25)
    talk(brains.runtime.conversation, store, "DELETE", "1")
    with store.unit_of_work() as uow:
        assert list(uow.people.all()) == []
        subjects = [t.subject for t in uow.erasure.anonymous_totals()]
    assert "area=not_given" in subjects
    assert not any("Acacia" in subject for subject in subjects)


@pytest.mark.parametrize(
    ("typed", "district"),
    [
        ("CF10 1AA", "CF10"),
        ("cf10 1aa", "CF10"),
        ("CF101AA", "CF10"),
        ("12 High Street, CF10 1AA", "CF10"),
        ("SW1A 1AA", "SW1A"),
        ("ec1a1bb", "EC1A"),
        ("M1 1AE", "M1"),
        ("B33 8TH", "B33"),
        ("CF10", "CF10"),
        ("  ls6 ", "LS6"),
        ("I live in NP20, Newport", "NP20"),
        ("میرا پوسٹ کوڈ CF24 ہے", "CF24"),
        ("Splott", None),
        ("Acacia Road", None),
        ("the A1 road", None),  # A is no postcode area
        ("QQ1 1AA", None),  # nor is QQ
        ("12 High Street", None),
        ("", None),
    ],
)
def test_postcode_district_extraction(typed: str, district: str | None) -> None:
    assert district_of(typed) == district


@pytest.mark.parametrize(
    ("hint", "first_question"),
    [
        # Telegram's /start arrives as START: with the app in English, the guess is confident.
        ("en", "consent.ask_share_views"),
        ("en-GB", "consent.ask_share_views"),
        # A language Heard has no catalogue for is no hint at all: the language menu.
        ("de", "welcome.choose_language"),
        (None, "welcome.choose_language"),
    ],
)
def test_the_app_language_is_a_prior_for_a_new_persons_greeting(
    store: SqlStore, brains: Brains, hint: str | None, first_question: str
) -> None:
    with store.unit_of_work() as uow:
        outcome = brains.runtime.conversation.handle(
            uow, channel="telegram", address="7700900999", text="START", at=T0,
            language_hint=hint,
        )
    assert outcome.messages[-1].text_id == first_question


@pytest.mark.parametrize(("hint", "language"), [("ur", "ur"), ("pl", "pl"), (None, None)])
def test_the_app_language_is_the_guess_for_words_of_no_one_language(
    brains: Brains, hint: str | None, language: str | None
) -> None:
    runtime = brains.runtime
    understander = runtime.understander
    stored = hint_language(hint, runtime.catalogue.codes)
    assert understander.understand("Assalamu alaikum", stored).language == language


def test_a_media_message_runs_no_turn(store: SqlStore, brains: Brains) -> None:
    talk(brains.runtime.conversation, store, "Hi")
    with store.unit_of_work() as uow:
        [person] = list(uow.people.all())
        before = uow.sessions.load(person.participant_id)
        outcome = brains.runtime.conversation.handle(
            uow, channel="sms", address=PHONE, text="", at=T0 + timedelta(minutes=5),
            media=True,
        )
        uow.commit()
    assert [m.text_id for m in outcome.messages] == ["common.type_please"]
    with store.unit_of_work() as uow:
        assert uow.sessions.load(person.participant_id) == before
