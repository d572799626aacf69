"""What the store gives away: a dump of the database, erasure, and the subject access export."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from storage import models
from storage.records import ProfileAnswer
from storage.repository import Repository, Store
from storage.sql import SqlStore
from tests.storage.store_helpers import (
    CHAT_ID,
    LEASE,
    OTHER_PHONE,
    PHONE,
    PHONE_FORMS,
    apply,
    at,
    dump,
    everything_about,
    outgoing,
    sms,
    telegram,
)

SECRET_WORDS = "my landlord Zbigniew at 12 Heol y Felin"
OTHER_WORDS = "the bus to the day centre is always late"


def fill(repo: Repository, channel: str, address: str, words: str, key: str) -> str:
    """A person with one of everything, an answered and an unanswered inbound message, and a
    sent and a queued reply; returns their participant id."""
    pid = repo.participant_for(channel, address, at()).participant_id
    apply(repo, everything_about(pid, words))
    repo.save_session(pid, f'{{"fields": {{"matters": "{words}"}}}}', at(9))
    for n, provider_key in enumerate((key, key + "1")):
        if channel == "sms":
            payload = sms(provider_key, sender=address, body=words)
        else:
            payload = telegram(int(provider_key), chat_id=int(address), words=words)
        repo.inbox_add(channel, provider_key, payload, at(1 + n))
    (item, *_) = [i for i in repo.inbox_claim(10, at(3), LEASE) if i.channel == channel]
    repo.inbox_done(item.item_id, at(4), participant_id=pid)
    repo.outbox_add(outgoing(f"{key}-out1", pid, 5, channel=channel, text=f"You said: {words}"))
    repo.outbox_add(outgoing(f"{key}-out2", pid, 6, channel=channel))
    repo.outbox_claim(channel, 1, at(7), LEASE)
    repo.outbox_sent(f"{key}-out1", f"PROVIDER-{key}", at(8))
    return pid


def test_a_dump_of_the_database_shows_no_phone_number_or_chat_id(store: Store) -> None:
    with store.repository() as repo:
        fill(repo, "sms", PHONE, SECRET_WORDS, "SM100")
        fill(repo, "telegram", CHAT_ID, OTHER_WORDS, "9000")
        repo.commit()
    text = dump(store)
    assert SECRET_WORDS in text  # the dump does show what is stored in the clear
    for form in (*PHONE_FORMS, CHAT_ID):
        assert form not in text


def test_erasure_leaves_nothing_naming_the_person_and_keeps_the_totals(store: Store) -> None:
    with store.repository() as repo:
        gone = fill(repo, "sms", PHONE, SECRET_WORDS, "SM100")
        kept = fill(repo, "telegram", CHAT_ID, OTHER_WORDS, "9000")
        repo.commit()
    with store.repository() as repo:
        kept_before = repo.export_participant(kept)
        assert repo.provider_message_ids(gone) == [("sms", "PROVIDER-SM100")]
        repo.erase_participant(gone, at(60))
        repo.commit()

    text = dump(store)
    assert gone not in text
    assert SECRET_WORDS not in text
    for form in PHONE_FORMS:
        assert form not in text
    with store.repository() as repo:
        assert repo.get_participant(gone) is None
        assert repo.find_participant("sms", PHONE) is None
        assert repo.load_session(gone) is None
        assert repo.consents(gone) == {}
        assert all(v.participant_id != gone for v in repo.views())
        assert repo.export_participant(kept) == kept_before  # others untouched
        totals = {
            (t.metric, t.subject, t.language, t.channel): t.count for t in repo.anonymous_totals()
        }
    assert totals[("participants_erased", "", "", "sms")] == 1
    assert totals[("views", "day-services-2026", "en", "sms")] == 1
    assert totals[("view_participants", "day-services-2026", "", "")] == 1
    assert totals[("consents", "share_views:granted", "en", "sms")] == 1
    assert totals[("messages", "in", "en", "sms")] == 1
    assert totals[("safeguarding_alerts", "risk_to_self", "en", "sms")] == 1


def test_erasing_two_people_adds_up_and_erasing_again_changes_nothing(store: Store) -> None:
    with store.repository() as repo:
        first = fill(repo, "sms", PHONE, SECRET_WORDS, "SM100")
        second = fill(repo, "sms", OTHER_PHONE, OTHER_WORDS, "SM200")
        repo.commit()
    for pid in (first, second, first):
        with store.repository() as repo:
            repo.erase_participant(pid, at(60))
            repo.commit()
    with store.repository() as repo:
        totals = {(t.metric, t.subject): t.count for t in repo.anonymous_totals() if t.channel}
        assert totals[("participants_erased", "")] == 2
        assert totals[("views", "day-services-2026")] == 2
        assert list(repo.participants()) == []


def test_a_late_repeat_of_an_erased_persons_message_is_still_refused(store: Store) -> None:
    with store.repository() as repo:
        pid = fill(repo, "sms", PHONE, SECRET_WORDS, "SM100")
        repo.erase_participant(pid, at(60))
        repo.commit()
    with store.repository() as repo:
        assert repo.inbox_add("sms", "SM100", sms("SM100"), at(61)) is False
        assert repo.inbox_add("sms", "SM1001", sms("SM1001"), at(61)) is False
        assert repo.inbox_claim(10, at(62), LEASE) == []  # the unanswered one is not replayed


def test_erasure_finds_inbound_payloads_of_an_unknown_shape_by_the_address(store: Store) -> None:
    with store.repository() as repo:
        pid = repo.participant_for("sms", PHONE, at()).participant_id
        repo.inbox_add(
            "sms", "odd", {"sender": {"msisdn": "+44 7700 900123"}, "t": SECRET_WORDS}, at(1)
        )
        repo.inbox_add("sms", "other", {"sender": {"msisdn": OTHER_PHONE}, "t": OTHER_WORDS}, at(1))
        repo.commit()
    with store.repository() as repo:
        assert len(repo.export_participant(pid)["inbox"]) == 1
        repo.erase_participant(pid, at(2))
        repo.commit()
    with store.repository() as repo:
        payloads = [item.payload for item in repo.inbox_claim(10, at(3), LEASE)]
    assert payloads == [{"sender": {"msisdn": OTHER_PHONE}, "t": OTHER_WORDS}]


def test_the_goodbye_after_erasure_can_still_be_sent(store: Store) -> None:
    with store.repository() as repo:
        pid = repo.participant_for("sms", PHONE, at()).participant_id
        repo.outbox_add(outgoing("queued-before", pid))
        repo.erase_participant(pid, at(1))
        repo.outbox_add(outgoing("deleted-reply", None, 1), address=PHONE)
        repo.commit()
    with store.repository() as repo:
        assert repo.outbox_get("queued-before") is None
        assert repo.outbox_address("deleted-reply") == PHONE
        repo.outbox_claim("sms", 5, at(2), LEASE)
        repo.outbox_sent("deleted-reply", "SMbye", at(3))
        repo.commit()
    for form in PHONE_FORMS:
        assert form not in dump(store)


def test_the_export_holds_everything_on_the_person_and_nobody_else(store: Store) -> None:
    with store.repository() as repo:
        pid = fill(repo, "sms", PHONE, SECRET_WORDS, "SM100")
        fill(repo, "sms", OTHER_PHONE, OTHER_WORDS, "SM200")
        repo.commit()
    with store.repository() as repo:
        exported = repo.export_participant(pid)
    assert exported["addresses"][0]["address"] == PHONE
    assert exported["session"] == {"fields": {"matters": SECRET_WORDS}}
    assert [m["message_id"] for m in exported["outbox"]] == ["SM100-out1", "SM100-out2"]
    assert [i["payload"]["Body"] for i in exported["inbox"]] == [SECRET_WORDS, SECRET_WORDS]
    assert {
        len(exported[k])
        for k in (
            "consents",
            "views",
            "profile_answers",
            "group_interests",
            "handover_requests",
            "safeguarding_alerts",
        )
    } == {1}
    assert len(exported["messages"]) == 2
    assert OTHER_WORDS not in repr(exported)
    assert OTHER_PHONE not in repr(exported)


def test_a_forgotten_table_would_stop_the_erasure(sql_store: SqlStore) -> None:
    """The foreign keys have no cascade: deleting a person who still has rows fails, so a table
    left out of erasure cannot silently keep their data."""
    with sql_store.repository() as repo:
        pid = fill(repo, "sms", PHONE, SECRET_WORDS, "SM100")
        repo.commit()
    with sql_store.engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(delete(models.ParticipantRow).where(models.ParticipantRow.id == pid))


@pytest.mark.parametrize(
    ("field", "value", "counted_as"),
    [
        pytest.param("area", "Flat 3, " + "Acacia Road " * 25, "area=other", id="300-char-area"),
        pytest.param("area", "CF10", "area=CF10", id="district"),
        pytest.param("area", "cardiff", "area=other", id="one-word-area"),
        pytest.param("area", "prefer_not_to_say", "area=prefer_not_to_say", id="skipped"),
        pytest.param("age_band", "age_25_44", "age_band=age_25_44", id="option-id"),
        pytest.param("carer", "I look after my mum", "carer=other", id="free-text-elsewhere"),
    ],
)
def test_anonymous_totals_hold_only_closed_values(
    store: Store, field: str, value: str, counted_as: str
) -> None:
    """Rows written before the host kept districts only, or by a future open question, must
    not stop an erasure (a 200-character counter on PostgreSQL) or outlive it as a counter."""
    with store.repository() as repo:
        pid = repo.participant_for("sms", PHONE, at()).participant_id
        apply(repo, [ProfileAnswer(pid, field, value, at(1))])
        repo.commit()
    with store.repository() as repo:
        repo.erase_participant(pid, at(2))
        repo.commit()
    with store.repository() as repo:
        subjects = [t.subject for t in repo.anonymous_totals() if t.metric == "profile_answers"]
        assert repo.get_participant(pid) is None
    assert subjects == [counted_as]
    assert all(len(subject) <= 64 for subject in subjects)
