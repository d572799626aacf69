"""What the store gives away: a dump of the database, erasure, and the subject access export."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from storage import models
from storage.records import ProfileAnswer
from storage.repositories.inbox import Delivery
from storage.sql import SqlStore
from storage.unit_of_work import UnitOfWork
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


def fill(uow: UnitOfWork, channel: str, address: str, words: str, key: str) -> str:
    """A person with one of everything, an answered and an unanswered inbound message, and a
    sent and a queued reply; returns their participant id."""
    pid = uow.people.for_address(channel, address, at()).participant_id
    apply(uow, everything_about(pid, words))
    uow.sessions.save(pid, f'{{"fields": {{"matters": "{words}"}}}}', at(9))
    for n, provider_key in enumerate((key, key + "1")):
        if channel == "sms":
            payload = sms(provider_key, sender=address, body=words)
        else:
            payload = telegram(int(provider_key), chat_id=int(address), words=words)
        uow.inbox.add(channel, provider_key, payload, at(1 + n))
    (item, *_) = [i for i in uow.inbox.claim(10, at(3), LEASE) if i.channel == channel]
    uow.inbox.done(item.item_id, item.attempts, at(4), participant_id=pid)
    uow.outbox.add(
        outgoing(f"{key}-out1", pid, 5, channel=channel, text=f"You said: {words}"),
        address=address,
    )
    uow.outbox.add(outgoing(f"{key}-out2", pid, 6, channel=channel), address=address)
    uow.outbox.claim(channel, 1, at(7), LEASE)
    uow.outbox.sent(f"{key}-out1", f"PROVIDER-{key}", at(8))
    return pid


def test_a_dump_of_the_database_shows_no_phone_number_or_chat_id(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        fill(uow, "telegram", CHAT_ID, OTHER_WORDS, "9000")
        uow.commit()
    text = dump(store)
    assert SECRET_WORDS in text  # the dump does show what is stored in the clear
    for form in (*PHONE_FORMS, CHAT_ID):
        assert form not in text


def test_erasure_leaves_nothing_naming_the_person_and_keeps_the_totals(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        gone = fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        kept = fill(uow, "telegram", CHAT_ID, OTHER_WORDS, "9000")
        uow.commit()
    with store.unit_of_work() as uow:
        kept_before = uow.erasure.export(kept)
        assert uow.erasure.provider_message_ids(gone) == [("sms", "PROVIDER-SM100")]
        uow.erasure.erase(gone, at(60))
        uow.commit()

    text = dump(store)
    assert gone not in text
    assert SECRET_WORDS not in text
    for form in PHONE_FORMS:
        assert form not in text
    with store.unit_of_work() as uow:
        assert uow.people.get(gone) is None
        assert uow.people.find("sms", PHONE) is None
        assert uow.sessions.load(gone) is None
        assert uow.consent.latest(gone) == {}
        assert all(v.participant_id != gone for v in uow.views.all())
        assert uow.erasure.export(kept) == kept_before  # others untouched
        totals = {
            (t.metric, t.subject, t.language, t.channel): t.count
            for t in uow.erasure.anonymous_totals()
        }
    assert totals[("participants_erased", "", "", "sms")] == 1
    assert totals[("views", "day-services-2026", "en", "sms")] == 1
    assert totals[("view_participants", "day-services-2026", "", "")] == 1
    assert totals[("consents", "share_views:granted", "en", "sms")] == 1
    assert totals[("messages", "in", "en", "sms")] == 1
    # The alert outlives erasure, anonymised: what it was, not who or what they wrote.
    assert ("safeguarding_alerts", "risk_to_self", "en", "sms") not in totals
    with store.unit_of_work() as uow:
        alerts = [item for item in uow.safety.queue(waiting=None) if item.type == "alert"]
    gone_alert = next(a for a in alerts if a.anonymised)
    assert (gone_alert.reason, gone_alert.level, gone_alert.language, gone_alert.channel) == (
        "risk_to_self", "check", "en", "sms",
    )
    assert gone_alert.participant_id is None and gone_alert.words is None
    assert [a.participant_id for a in alerts if not a.anonymised] == [kept]


def test_erasing_two_people_adds_up_and_erasing_again_changes_nothing(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        first = fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        second = fill(uow, "sms", OTHER_PHONE, OTHER_WORDS, "SM200")
        uow.commit()
    for pid in (first, second, first):
        with store.unit_of_work() as uow:
            uow.erasure.erase(pid, at(60))
            uow.commit()
    with store.unit_of_work() as uow:
        totals = {
            (t.metric, t.subject): t.count for t in uow.erasure.anonymous_totals() if t.channel
        }
        assert totals[("participants_erased", "")] == 2
        assert totals[("views", "day-services-2026")] == 2
        assert list(uow.people.all()) == []


def test_a_late_repeat_of_an_erased_persons_message_is_still_refused(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        uow.erasure.erase(pid, at(60))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.inbox.add("sms", "SM100", sms("SM100"), at(61)) is False
        assert uow.inbox.add("sms", "SM1001", sms("SM1001"), at(61)) is False
        assert uow.inbox.claim(10, at(62), LEASE) == []  # the unanswered one is not replayed


def test_a_batch_of_deliveries_refuses_an_erased_persons_repeat_and_keeps_the_rest_in_order(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        pid = fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        uow.erasure.erase(pid, at(60))
        uow.commit()
    batch = [
        Delivery("sms", key, sms(key, sender=OTHER_PHONE), at(61), sender=OTHER_PHONE)
        for key in ("SM200", "SM100", "SM201", "SM200")
    ]
    with store.unit_of_work() as uow:
        assert uow.inbox.add_many(batch) == [True, False, True, False]
        uow.commit()
    with store.unit_of_work() as uow:
        first = uow.inbox.claim(10, at(62), LEASE)
        assert [item.provider_key for item in first] == ["SM200"]  # one sender, in order
        assert uow.inbox.done(first[0].item_id, first[0].attempts, at(63))
        assert [item.provider_key for item in uow.inbox.claim(10, at(64), LEASE)] == ["SM201"]


def test_erasure_finds_inbound_payloads_of_an_unknown_shape_by_the_address(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        uow.inbox.add(
            "sms", "odd", {"sender": {"msisdn": "+44 7700 900123"}, "t": SECRET_WORDS}, at(1)
        )
        uow.inbox.add("sms", "other", {"sender": {"msisdn": OTHER_PHONE}, "t": OTHER_WORDS}, at(1))
        uow.commit()
    with store.unit_of_work() as uow:
        assert len(uow.erasure.export(pid)["inbox"]) == 1
        uow.erasure.erase(pid, at(2))
        uow.commit()
    with store.unit_of_work() as uow:
        payloads = [item.payload for item in uow.inbox.claim(10, at(3), LEASE)]
    assert payloads == [{"sender": {"msisdn": OTHER_PHONE}, "t": OTHER_WORDS}]


def test_the_goodbye_after_erasure_can_still_be_sent(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        uow.outbox.add(outgoing("queued-before", pid), address=PHONE)
        uow.erasure.erase(pid, at(1))
        uow.outbox.add(outgoing("deleted-reply", None, 1), address=PHONE)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.outbox.get("queued-before") is None
        assert uow.outbox.address("deleted-reply") == PHONE
        uow.outbox.claim("sms", 5, at(2), LEASE)
        uow.outbox.sent("deleted-reply", "SMbye", at(3))
        uow.commit()
    for form in PHONE_FORMS:
        assert form not in dump(store)


def test_the_export_holds_everything_on_the_person_and_nobody_else(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        fill(uow, "sms", OTHER_PHONE, OTHER_WORDS, "SM200")
        uow.commit()
    with store.unit_of_work() as uow:
        exported = uow.erasure.export(pid)
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
    with sql_store.unit_of_work() as uow:
        pid = fill(uow, "sms", PHONE, SECRET_WORDS, "SM100")
        uow.commit()
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
    store: SqlStore, field: str, value: str, counted_as: str
) -> None:
    """Rows written before the host kept districts only, or by a future open question, must
    not stop an erasure (a 200-character counter on PostgreSQL) or outlive it as a counter."""
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        apply(uow, [ProfileAnswer(pid, field, value, at(1))])
        uow.commit()
    with store.unit_of_work() as uow:
        uow.erasure.erase(pid, at(2))
        uow.commit()
    with store.unit_of_work() as uow:
        totals = uow.erasure.anonymous_totals()
        subjects = [t.subject for t in totals if t.metric == "profile_answers"]
        assert uow.people.get(pid) is None
    assert subjects == [counted_as]
    assert all(len(subject) <= 64 for subject in subjects)
