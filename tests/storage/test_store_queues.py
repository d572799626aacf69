"""Inbox and outbox behaviour, run on every store."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from storage.sql import SqlStore
from storage.unit_of_work import UnitOfWork
from tests.storage.store_helpers import (
    CHAT_ID,
    LEASE,
    OTHER_PHONE,
    PHONE,
    at,
    outgoing,
    sms,
    telegram,
)

# --- inbox


def test_a_repeated_delivery_is_refused_and_stored_once(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        assert uow.inbox.add("sms", "SM1", sms("SM1"), at()) is True
        assert uow.inbox.add("sms", "SM1", sms("SM1"), at(1)) is False
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.inbox.add("sms", "SM1", sms("SM1"), at(2)) is False
        # the unit of work is still usable after the refused insert
        assert uow.inbox.add("sms", "SM2", sms("SM2"), at(2)) is True
        uow.commit()
    with store.unit_of_work() as uow:
        keys = [item.provider_key for item in uow.inbox.claim(10, at(3), LEASE)]
        assert keys == ["SM1"]  # SM2 waits: same sender, SM1 unfinished


def test_the_same_key_on_another_channel_is_another_delivery(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        assert uow.inbox.add("sms", "42", sms("42"), at())
        assert uow.inbox.add("telegram", "42", telegram(42), at())


@pytest.mark.parametrize(
    "channel, payload",
    [
        ("sms", sms("SM9", body="Dw i eisiau siarad ŵ 👍🏽 مرحبا")),
        ("telegram", telegram(9, words="x" * 4000)),
    ],
)
def test_the_payload_comes_back_exactly(
    store: SqlStore, channel: str, payload: dict[str, Any]
) -> None:
    with store.unit_of_work() as uow:
        uow.inbox.add(channel, "k1", payload, at())
        uow.commit()
    with store.unit_of_work() as uow:
        (item,) = uow.inbox.claim(5, at(1), LEASE)
        assert item.payload == payload
        assert (item.channel, item.received_at, item.status) == (channel, at(), "processing")
        assert "payload" not in repr(item)  # logging an item cannot leak the sender's words


def test_a_claim_is_exclusive_until_its_lease_runs_out(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.inbox.add("sms", "SM1", sms("SM1"), at())
        uow.commit()
    with store.unit_of_work() as uow:
        (first,) = uow.inbox.claim(10, at(1), LEASE)
        uow.commit()
    assert (first.status, first.attempts, first.claimed_at) == ("processing", 1, at(1))
    with store.unit_of_work() as uow:
        assert uow.inbox.claim(10, at(1.5), LEASE) == []  # still leased
        (again,) = uow.inbox.claim(10, at(2), LEASE)  # the worker is presumed dead
        uow.commit()
    assert (again.item_id, again.attempts, again.claimed_at) == (first.item_id, 2, at(2))


@pytest.mark.parametrize("finish", ["done", "failed"])
def test_finished_items_are_never_claimed_again(store: SqlStore, finish: str) -> None:
    with store.unit_of_work() as uow:
        uow.inbox.add("sms", "SM1", sms("SM1"), at())
        (item,) = uow.inbox.claim(1, at(1), LEASE)
        if finish == "done":
            uow.inbox.done(item.item_id, item.attempts, at(2))
        else:
            uow.inbox.failed(item.item_id, "engine\nfailed:   " + "x" * 900, at(2))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.inbox.claim(10, at(100), LEASE) == []
        stored = uow.inbox.get(item.item_id)
    assert stored is not None
    assert (stored.status, stored.processed_at) == (finish, at(2))
    if finish == "failed":
        assert stored.error is not None and stored.error.startswith("engine failed: xxx")
        assert len(stored.error) == 500


def test_one_senders_messages_are_claimed_one_at_a_time_in_order(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.inbox.add("sms", "A1", sms("A1"), at(0))
        uow.inbox.add("sms", "B1", sms("B1", sender=OTHER_PHONE), at(1))
        uow.inbox.add("sms", "A2", sms("A2"), at(2))
        uow.inbox.add("telegram", "T1", telegram(1), at(3))
        uow.inbox.add("telegram", "T2", telegram(2), at(4))
        uow.commit()
    with store.unit_of_work() as uow:
        first = uow.inbox.claim(10, at(5), LEASE)
        assert [i.provider_key for i in first] == ["A1", "B1", "T1"]
        assert uow.inbox.claim(10, at(5), LEASE) == []
        done = {i.provider_key: i for i in first}
        uow.inbox.done(done["A1"].item_id, 1, at(5.2))
        uow.inbox.done(done["T1"].item_id, 1, at(5.2))
        # B1 is still leased (60 s): only the next item of each finished sender comes
        assert [i.provider_key for i in uow.inbox.claim(10, at(5.5), LEASE)] == ["A2", "T2"]


def test_a_claim_takes_no_more_than_its_limit(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        for n in range(5):
            uow.inbox.add("sms", f"SM{n}", sms(f"SM{n}", sender=f"+4477009001{n:02d}"), at(n))
        assert [i.provider_key for i in uow.inbox.claim(2, at(9), LEASE)] == ["SM0", "SM1"]
        assert [i.provider_key for i in uow.inbox.claim(2, at(9), LEASE)] == ["SM2", "SM3"]


def test_done_links_the_item_to_its_sender_and_purge_forgets_old_items(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        uow.inbox.add("sms", "old", sms("old"), at(0))
        uow.inbox.add("sms", "new", sms("new", sender=OTHER_PHONE), at(60))
        (old, new) = uow.inbox.claim(10, at(61), LEASE)
        uow.inbox.done(old.item_id, old.attempts, at(62), participant_id=pid)
        uow.commit()
    with store.unit_of_work() as uow:
        linked = uow.inbox.get(old.item_id)
        assert linked is not None and linked.participant_id == pid
        assert uow.inbox.purge(before=at(30)) == 1
        assert uow.inbox.get(old.item_id) is None
        assert uow.inbox.get(new.item_id) is not None  # unfinished: never purged


def test_a_worker_whose_claim_was_taken_again_cannot_mark_the_item_done(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.inbox.add("sms", "SM1", sms("SM1"), at())
        (mine,) = uow.inbox.claim(1, at(1), LEASE)
        uow.commit()
    with store.unit_of_work() as uow:
        (theirs,) = uow.inbox.claim(1, at(3), LEASE)  # our lease (60 s) ran out
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.inbox.done(mine.item_id, mine.attempts, at(4)) is False
        assert uow.inbox.done(theirs.item_id, theirs.attempts, at(4)) is True
        uow.commit()
    with store.unit_of_work() as uow:
        stored = uow.inbox.get(mine.item_id)
    assert stored is not None
    assert (stored.status, stored.attempts, stored.processed_at) == ("done", 2, at(4))


# --- outbox


def person(uow: UnitOfWork, channel: str = "sms", address: str = PHONE) -> str:
    return uow.people.for_address(channel, address, at()).participant_id


def test_a_queued_message_is_pending_and_knows_its_recipient(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = person(uow)
        message = outgoing("m1", pid, text="Diolch 🙏 — ŵ")
        uow.outbox.add(message, address=PHONE)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.outbox.get("m1") == message
        assert uow.outbox.address("m1") == PHONE
        assert uow.outbox.get("nope") is None
        with pytest.raises(IntegrityError):  # a message id is used once
            uow.outbox.add(message, address=PHONE)


def test_the_send_state_machine(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add(outgoing("m1", person(uow)), address=PHONE)
        uow.commit()
    with store.unit_of_work() as uow:
        (claimed,) = uow.outbox.claim("sms", 10, at(1), LEASE)
        uow.commit()
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    with store.unit_of_work() as uow:
        assert uow.outbox.claim("sms", 10, at(1.5), LEASE) == []  # leased to the first sender
        uow.outbox.retry("m1", "HTTP 503", next_attempt_at=at(10))
        assert uow.outbox.claim("sms", 10, at(5), LEASE) == []  # not due yet
        (retried,) = uow.outbox.claim("sms", 10, at(10), LEASE)
        assert (retried.attempts, retried.last_error) == (2, "HTTP 503")
        uow.outbox.sent("m1", "SM0123", at(11))
        uow.commit()
    with store.unit_of_work() as uow:
        sent = uow.outbox.get("m1")
        assert sent is not None
        assert (sent.status, sent.provider_message_id, sent.sent_at) == ("sent", "SM0123", at(11))
        assert uow.outbox.address("m1") is None  # the recipient is wiped once sent
        assert uow.outbox.claim("sms", 10, at(100), LEASE) == []


def test_a_send_that_died_is_claimed_again_after_its_lease(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add(outgoing("m1", person(uow)), address=PHONE)
        uow.outbox.claim("sms", 10, at(1), LEASE)
        uow.commit()
    with store.unit_of_work() as uow:
        (again,) = uow.outbox.claim("sms", 10, at(2), LEASE)
        assert again.attempts == 2


def test_a_failed_message_stays_failed_and_forgets_the_recipient(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add(outgoing("m1", person(uow)), address=PHONE)
        uow.outbox.claim("sms", 10, at(1), LEASE)
        uow.outbox.failed("m1", "21610: unsubscribed recipient", at(2))
        uow.commit()
    with store.unit_of_work() as uow:
        failed = uow.outbox.get("m1")
        assert failed is not None
        assert (failed.status, failed.last_error, failed.failed_at) == (
            "failed",
            "21610: unsubscribed recipient",
            at(2),
        )
        assert uow.outbox.address("m1") is None
        assert uow.outbox.claim("sms", 10, at(100), LEASE) == []


def test_a_persons_messages_go_out_in_order_one_at_a_time(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        alice, bob = person(uow), person(uow, address=OTHER_PHONE)
        tg = person(uow, "telegram", CHAT_ID)
        queue = [("a1", alice, PHONE), ("a2", alice, PHONE), ("b1", bob, OTHER_PHONE)]
        for n, (mid, pid, address) in enumerate([*queue, ("a3", alice, PHONE)]):
            uow.outbox.add(outgoing(mid, pid, n), address=address)
        uow.outbox.add(outgoing("t1", tg, 9, channel="telegram"), address=CHAT_ID)
        uow.commit()
    with store.unit_of_work() as uow:
        assert [m.message_id for m in uow.outbox.claim("sms", 10, at(10), LEASE)] == ["a1", "b1"]
        assert [m.message_id for m in uow.outbox.claim("telegram", 10, at(10), LEASE)] == ["t1"]
        uow.outbox.sent("b1", "SMb1", at(10.1))
        uow.outbox.retry("a1", "timeout", next_attempt_at=at(20))
        # a1 waits for a retry: a2 must not overtake it
        assert uow.outbox.claim("sms", 10, at(15), LEASE) == []
        assert [m.message_id for m in uow.outbox.claim("sms", 10, at(20), LEASE)] == ["a1"]
        uow.outbox.sent("a1", "SMa1", at(21))
        assert [m.message_id for m in uow.outbox.claim("sms", 10, at(21), LEASE)] == ["a2"]


def test_replies_go_out_before_a_broadcast_queued_earlier_but_never_overtake_one_persons_own(
    store: SqlStore,
) -> None:
    """A "you said, we did" update to many people waits behind the answers to people texting
    in meanwhile; a person's own messages still go in order (their update, then their reply)."""
    broadcast = [f"+4477009{n:05d}" for n in range(5)]
    with store.unit_of_work() as uow:
        pids = [person(uow, address=address) for address in broadcast]
        uow.outbox.add_many(
            [
                (replace(outgoing(f"u{n}", pid, n), bulk=True), address)
                for n, (pid, address) in enumerate(zip(pids, broadcast, strict=True))
            ]
        )
        uow.outbox.add(outgoing("r1", person(uow), 10), address=PHONE)
        uow.outbox.add(outgoing("r2", pids[3], 11), address=broadcast[3])  # u3 is theirs, first
        uow.commit()
    with store.unit_of_work() as uow:
        claimed = uow.outbox.claim("sms", 3, at(20), LEASE)
        assert [m.message_id for m in claimed] == ["r1", "u0", "u1"]
        assert [m.bulk for m in claimed] == [False, True, True]
        assert [m.message_id for m in uow.outbox.claim("sms", 10, at(20), LEASE)] == [
            "u2", "u3", "u4"
        ]
        uow.outbox.sent("u3", "SMu3", at(20.1))
        assert [m.message_id for m in uow.outbox.claim("sms", 10, at(20.2), LEASE)] == ["r2"]


def test_a_reply_can_go_to_an_address_with_no_participant(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add(outgoing("bye", None), address=PHONE)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.outbox.address("bye") == PHONE
        (claimed,) = uow.outbox.claim("sms", 1, at(1), LEASE)
        assert (claimed.message_id, claimed.participant_id) == ("bye", None)


@pytest.mark.parametrize(
    "callbacks, expected",
    [
        ([("sent", None)], "sent"),
        ([("sent", None), ("delivered", None)], "delivered"),
        ([("delivered", None), ("sent", None)], "delivered"),  # late "sent" changes nothing
        ([("queued", None), ("undelivered", "30003")], "undelivered"),
        ([("delivered", None), ("read", None)], "read"),
    ],
)
def test_status_callbacks_only_move_delivery_forward(
    store: SqlStore, callbacks: list[tuple[str, str | None]], expected: str
) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add(outgoing("m1", person(uow)), address=PHONE)
        uow.outbox.claim("sms", 1, at(1), LEASE)
        uow.outbox.sent("m1", "SM1", at(2))
        for status, code in callbacks:
            assert uow.outbox.status_update("SM1", status, code)
        assert uow.outbox.status_update("SM-unknown", "delivered") is False
        uow.commit()
    with store.unit_of_work() as uow:
        message = uow.outbox.get("m1")
        assert message is not None and message.delivery_status == expected
        assert message.delivery_error_code == dict(callbacks).get(expected)


def test_a_callback_that_beats_the_sent_record_is_kept_by_our_message_id(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add(outgoing("m1", person(uow)), address=PHONE)
        uow.outbox.claim("sms", 1, at(1), LEASE)
        uow.commit()
    with store.unit_of_work() as callback:
        assert callback.outbox.status_update("SM1", "delivered", message_id="m1")
        callback.commit()
    with store.unit_of_work() as sender:
        sender.outbox.sent("m1", "SM1", at(2))
        sender.commit()
    with store.unit_of_work() as uow:
        message = uow.outbox.get("m1")
        assert message is not None
        assert (message.status, message.delivery_status, message.provider_message_id) == (
            "sent",
            "delivered",
            "SM1",
        )
