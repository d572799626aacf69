"""The repository contract, run on every store (memory, SQLite file, PostgreSQL)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta, timezone

import pytest

from storage.records import ConsentEntry, GroupInterest, ProfileAnswer, ViewRecord
from storage.sql import SqlStore
from tests.storage.store_helpers import (
    CHAT_ID,
    PHONE,
    apply,
    at,
    consent,
    everything_about,
    view,
)


@pytest.mark.parametrize(
    "channel, first, again",
    [
        ("sms", PHONE, PHONE),
        ("sms", PHONE, "+44 7700 900123"),
        ("sms", PHONE, "0044-7700-900123"),
        ("sms", "+44 (7700) 900.123", PHONE),
        ("telegram", CHAT_ID, f" {CHAT_ID} "),
    ],
)
def test_an_address_in_any_written_form_finds_the_same_person(
    store: SqlStore, channel: str, first: str, again: str
) -> None:
    with store.unit_of_work() as uow:
        created = uow.people.for_address(channel, first, at())
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.people.for_address(channel, again, at(5)) == created
        assert uow.people.find(channel, again) == created
        assert uow.people.address_of(created.participant_id, channel) == first
        assert [p.participant_id for p in uow.people.all()] == [created.participant_id]


def test_the_same_number_on_another_channel_is_another_person(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        by_sms = uow.people.for_address("sms", "+447700900999", at())
        by_telegram = uow.people.for_address("telegram", "+447700900999", at())
        assert by_sms.participant_id != by_telegram.participant_id
        assert uow.people.find("sms", "+447700900998") is None
        assert uow.people.address_of(by_sms.participant_id, "telegram") is None


def test_a_new_person_starts_with_defaults_and_changes_stick(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        person = uow.people.for_address("sms", PHONE, at())
        assert (person.language, person.register, person.opted_out) == (None, "standard", False)
        assert person.created_at == at()
        uow.people.update(person.participant_id, language="cy")
        uow.people.update(person.participant_id, register="easy", opted_out=True)
        uow.commit()
    with store.unit_of_work() as uow:
        stored = uow.people.get(person.participant_id)
        assert stored is not None
        assert (stored.language, stored.register, stored.opted_out) == ("cy", "easy", True)


@pytest.mark.parametrize("ending", ["commit", "no commit", "rollback", "exception"])
def test_only_a_commit_makes_a_unit_of_work_visible(store: SqlStore, ending: str) -> None:
    class Boom(Exception):
        pass

    with store.unit_of_work() as setup:
        person = setup.people.for_address("sms", PHONE, at())
        setup.commit()
    try:
        with store.unit_of_work() as uow:
            uow.sessions.save(person.participant_id, '{"step": "q1"}', at(1))
            uow.people.update(person.participant_id, language="pl")
            if ending == "commit":
                uow.commit()
            elif ending == "rollback":
                uow.rollback()
            elif ending == "exception":
                raise Boom
    except Boom:
        pass
    with store.unit_of_work() as later:
        kept = ending == "commit"
        assert later.sessions.load(person.participant_id) == ('{"step": "q1"}' if kept else None)
        stored = later.people.get(person.participant_id)
        assert stored is not None and stored.language == ("pl" if kept else None)


def test_a_session_is_replaced_by_the_next_save(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        person = uow.people.for_address("telegram", CHAT_ID, at())
        assert uow.sessions.load(person.participant_id) is None
        uow.sessions.save(person.participant_id, '{"n": 1}', at(1))
        uow.sessions.save(person.participant_id, '{"n": 2}', at(2))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.sessions.load(person.participant_id) == '{"n": 2}'


@pytest.mark.parametrize(
    "entries, expected",
    [
        ([("share_views", True, 1)], {"share_views": True}),
        ([("share_views", True, 1), ("share_views", False, 2)], {"share_views": False}),
        ([("share_views", False, 1), ("share_views", True, 2)], {"share_views": True}),
        # recorded out of time order: the latest time wins, not the latest insert
        ([("share_views", False, 5), ("share_views", True, 2)], {"share_views": False}),
        # same time: the one recorded last wins
        ([("about_you", True, 3), ("about_you", False, 3)], {"about_you": False}),
        (
            [("share_views", True, 1), ("contact_group", True, 2), ("share_views", False, 3)],
            {"share_views": False, "contact_group": True},
        ),
    ],
)
def test_consent_is_append_only_and_the_latest_per_purpose_counts(
    store: SqlStore, entries: list[tuple[str, bool, int]], expected: dict[str, bool]
) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        for purpose, granted, minutes in entries:
            uow.consent.record(consent(pid, purpose, granted, minutes))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.consent.latest(pid) == expected
        history = uow.consent.history(pid)
        assert [(e.purpose, e.granted, e.at) for e in history] == [
            (p, g, at(m)) for p, g, m in entries
        ]


def test_views_come_back_whole_in_time_order_and_by_consultation(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        later = view(pid, "v2", "transport", 10, consultation="day-services-2026")
        earlier = view(pid, "v1", "housing", 5, consultation="day-services-2026")
        elsewhere = view(pid, "v3", "yes", 7, consultation="carers-2026", language="cy")
        unattached = ViewRecord(**{**asdict(earlier), "view_id": "v4", "consultation": None})
        for record in (later, earlier, elsewhere, unattached):
            uow.views.save(record)
        uow.commit()
    with store.unit_of_work() as uow:
        assert list(uow.views.all("day-services-2026")) == [earlier, later]
        assert list(uow.views.all("carers-2026")) == [elsewhere]
        assert list(uow.views.all()) == [earlier, unattached, elsewhere, later]
        assert list(uow.views.all("no-such-consultation")) == []


def test_every_record_kind_round_trips_through_the_export(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        records = everything_about(pid, "my words")
        apply(uow, records)
        uow.commit()
    with store.unit_of_work() as uow:
        exported = uow.erasure.export(pid)
    by_kind = {
        "ConsentEntry": "consents",
        "ViewRecord": "views",
        "ProfileAnswer": "profile_answers",
        "GroupInterest": "group_interests",
        "HandoverRequest": "handover_requests",
        "SafeguardingAlertRecord": "safeguarding_alerts",
        "LoggedMessage": "messages",
    }
    for record in records:
        expected = {k: v for k, v in asdict(record).items() if k != "participant_id"}  # type: ignore[call-overload]
        expected = {
            k: (
                v.isoformat() if isinstance(v, datetime) else list(v) if isinstance(v, tuple) else v
            )
            for k, v in expected.items()
        }
        assert expected in exported[by_kind[type(record).__name__]]
    assert exported["participant"]["participant_id"] == pid
    assert exported["addresses"] == [
        {"channel": "sms", "address": PHONE, "created_at": at().isoformat()}
    ]


def test_times_in_any_zone_come_back_as_the_same_instant_in_utc(store: SqlStore) -> None:
    cardiff_summer = timezone(timedelta(hours=1))
    local = datetime(2026, 7, 1, 10, 0, tzinfo=cardiff_summer)
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, local).participant_id
        uow.consent.record(
            ConsentEntry(pid, "share_views", True, "consent.share_views", "en", "sms", local)
        )
        uow.commit()
    with store.unit_of_work() as uow:
        (entry,) = uow.consent.history(pid)
        assert entry.at == local
        assert entry.at.utcoffset() == timedelta(0)


def test_a_time_without_a_zone_is_refused(store: SqlStore) -> None:
    with store.unit_of_work() as uow, pytest.raises(ValueError, match="timezone-aware"):
        uow.people.for_address("sms", PHONE, datetime(2026, 3, 2, 9, 30))


AWKWARD_TEXTS = [
    pytest.param("x" * 5000, id="5000 characters"),
    pytest.param("ok 👍🏽 ❤️ 🏳️‍🌈", id="emoji with modifiers and joiners"),
    pytest.param("a\tb\r\nc\x07\x1b[31m\x7f\u200b", id="control characters"),
    pytest.param("مرحبا، أريد أن أتحدث ‏(٢٠٢٦)‏", id="Arabic right to left"),
    pytest.param("میں بات کرنا چاہتا ہوں", id="Urdu"),
    pytest.param("ਮੈਂ ਗੱਲ ਕਰਨੀ ਚਾਹੁੰਦਾ ਹਾਂ", id="Punjabi Gurmukhi"),
    pytest.param("আমি কথা বলতে চাই", id="Bengali"),
    pytest.param("Dw i eisiau siarad â rhywun ŵ ŷ", id="Welsh circumflexes"),
    pytest.param("Zażółć gęślą jaźń", id="Polish"),
    pytest.param("e\u0301 vs é", id="combining accent"),
    pytest.param("'; DROP TABLE views; --", id="SQL in text"),
]


@pytest.mark.parametrize("words", AWKWARD_TEXTS)
def test_whatever_people_write_is_kept_exactly(store: SqlStore, words: str) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        stored = view(pid, "v1", words, 1, original=words)
        uow.views.save(stored)
        uow.sessions.save(pid, words, at(1))
        uow.answers.save_group_interest(
            GroupInterest(pid, (words, "x"), (), (), None, None, "en", "sms", at(2))
        )
        uow.commit()
    with store.unit_of_work() as uow:
        assert list(uow.views.all()) == [stored]
        assert uow.sessions.load(pid) == words
        assert uow.erasure.export(pid)["group_interests"][0]["topics"] == [words, "x"]


def test_a_nul_character_is_replaced_rather_than_failing_the_turn(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        uow.views.save(view(pid, "v1", "a\x00b", 1, original="a\x00b"))
        uow.commit()
    with store.unit_of_work() as uow:
        (stored,) = uow.views.all()
        assert (stored.answer_value, stored.original_text) == ("a\ufffdb", "a\ufffdb")


def test_an_unknown_person_has_nothing_to_export(store: SqlStore) -> None:
    with store.unit_of_work() as uow, pytest.raises(KeyError):
        uow.erasure.export("no-such-person")


def test_withdrawing_an_answer_removes_only_that_question_of_that_person(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        other = uow.people.for_address("sms", "+447700900777", at()).participant_id
        first = view(pid, "v1", "activities", 1)
        kept = view(pid, "v2", "More buses", 2, question_id="q_better")
        theirs = view(other, "v3", "activities", 3)
        for record in (first, kept, theirs):
            uow.views.save(record)
        uow.answers.save_profile(ProfileAnswer(pid, "age_band", "25_44", at(4)))
        uow.commit()
    with store.unit_of_work() as uow:
        uow.views.withdraw(pid, "have_your_say", "q_matters")
        uow.answers.withdraw_profile(pid, "age_band")
        uow.views.save(view(pid, "v4", "staff", 5))
        uow.commit()
    with store.unit_of_work() as uow:
        assert [(v.view_id, v.answer_value) for v in uow.views.all()] == [
            ("v2", "More buses"),
            ("v3", "activities"),
            ("v4", "staff"),
        ]
        assert uow.erasure.export(pid)["profile_answers"] == []
