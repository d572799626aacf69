"""Inbox and outbox behaviour, run on every store."""

from __future__ import annotations

from typing import Any

import pytest

from storage.repository import Repository, Store
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


def test_a_repeated_delivery_is_refused_and_stored_once(store: Store) -> None:
    with store.repository() as repo:
        assert repo.inbox_add("sms", "SM1", sms("SM1"), at()) is True
        assert repo.inbox_add("sms", "SM1", sms("SM1"), at(1)) is False
        repo.commit()
    with store.repository() as repo:
        assert repo.inbox_add("sms", "SM1", sms("SM1"), at(2)) is False
        # the unit of work is still usable after the refused insert
        assert repo.inbox_add("sms", "SM2", sms("SM2"), at(2)) is True
        repo.commit()
    with store.repository() as repo:
        keys = [item.provider_key for item in repo.inbox_claim(10, at(3), LEASE)]
        assert keys == ["SM1"]  # SM2 waits: same sender, SM1 unfinished


def test_the_same_key_on_another_channel_is_another_delivery(store: Store) -> None:
    with store.repository() as repo:
        assert repo.inbox_add("sms", "42", sms("42"), at())
        assert repo.inbox_add("telegram", "42", telegram(42), at())


@pytest.mark.parametrize(
    "channel, payload",
    [
        ("sms", sms("SM9", body="Dw i eisiau siarad ŵ 👍🏽 مرحبا")),
        ("telegram", telegram(9, words="x" * 4000)),
    ],
)
def test_the_payload_comes_back_exactly(
    store: Store, channel: str, payload: dict[str, Any]
) -> None:
    with store.repository() as repo:
        repo.inbox_add(channel, "k1", payload, at())
        repo.commit()
    with store.repository() as repo:
        (item,) = repo.inbox_claim(5, at(1), LEASE)
        assert item.payload == payload
        assert (item.channel, item.received_at, item.status) == (channel, at(), "processing")
        assert "payload" not in repr(item)  # logging an item cannot leak the sender's words


def test_a_claim_is_exclusive_until_its_lease_runs_out(store: Store) -> None:
    with store.repository() as repo:
        repo.inbox_add("sms", "SM1", sms("SM1"), at())
        repo.commit()
    with store.repository() as repo:
        (first,) = repo.inbox_claim(10, at(1), LEASE)
        repo.commit()
    assert (first.status, first.attempts, first.claimed_at) == ("processing", 1, at(1))
    with store.repository() as repo:
        assert repo.inbox_claim(10, at(1.5), LEASE) == []  # still leased
        (again,) = repo.inbox_claim(10, at(2), LEASE)  # the worker is presumed dead
        repo.commit()
    assert (again.item_id, again.attempts, again.claimed_at) == (first.item_id, 2, at(2))


@pytest.mark.parametrize("finish", ["done", "failed"])
def test_finished_items_are_never_claimed_again(store: Store, finish: str) -> None:
    with store.repository() as repo:
        repo.inbox_add("sms", "SM1", sms("SM1"), at())
        (item,) = repo.inbox_claim(1, at(1), LEASE)
        if finish == "done":
            repo.inbox_done(item.item_id, at(2))
        else:
            repo.inbox_failed(item.item_id, "engine\nfailed:   " + "x" * 900, at(2))
        repo.commit()
    with store.repository() as repo:
        assert repo.inbox_claim(10, at(100), LEASE) == []
        stored = repo.inbox_get(item.item_id)
    assert stored is not None
    assert (stored.status, stored.processed_at) == (finish, at(2))
    if finish == "failed":
        assert stored.error is not None and stored.error.startswith("engine failed: xxx")
        assert len(stored.error) == 500


def test_one_senders_messages_are_claimed_one_at_a_time_in_order(store: Store) -> None:
    with store.repository() as repo:
        repo.inbox_add("sms", "A1", sms("A1"), at(0))
        repo.inbox_add("sms", "B1", sms("B1", sender=OTHER_PHONE), at(1))
        repo.inbox_add("sms", "A2", sms("A2"), at(2))
        repo.inbox_add("telegram", "T1", telegram(1), at(3))
        repo.inbox_add("telegram", "T2", telegram(2), at(4))
        repo.commit()
    with store.repository() as repo:
        first = repo.inbox_claim(10, at(5), LEASE)
        assert [i.provider_key for i in first] == ["A1", "B1", "T1"]
        assert repo.inbox_claim(10, at(5), LEASE) == []
        done = {i.provider_key: i for i in first}
        repo.inbox_done(done["A1"].item_id, at(5.2))
        repo.inbox_done(done["T1"].item_id, at(5.2))
        # B1 is still leased (60 s): only the next item of each finished sender comes
        assert [i.provider_key for i in repo.inbox_claim(10, at(5.5), LEASE)] == ["A2", "T2"]


def test_a_claim_takes_no_more_than_its_limit(store: Store) -> None:
    with store.repository() as repo:
        for n in range(5):
            repo.inbox_add("sms", f"SM{n}", sms(f"SM{n}", sender=f"+4477009001{n:02d}"), at(n))
        assert [i.provider_key for i in repo.inbox_claim(2, at(9), LEASE)] == ["SM0", "SM1"]
        assert [i.provider_key for i in repo.inbox_claim(2, at(9), LEASE)] == ["SM2", "SM3"]


def test_done_links_the_item_to_its_sender_and_purge_forgets_old_items(store: Store) -> None:
    with store.repository() as repo:
        pid = repo.participant_for("sms", PHONE, at()).participant_id
        repo.inbox_add("sms", "old", sms("old"), at(0))
        repo.inbox_add("sms", "new", sms("new", sender=OTHER_PHONE), at(60))
        (old, new) = repo.inbox_claim(10, at(61), LEASE)
        repo.inbox_done(old.item_id, at(62), participant_id=pid)
        repo.commit()
    with store.repository() as repo:
        linked = repo.inbox_get(old.item_id)
        assert linked is not None and linked.participant_id == pid
        assert repo.inbox_purge(before=at(30)) == 1
        assert repo.inbox_get(old.item_id) is None
        assert repo.inbox_get(new.item_id) is not None  # unfinished: never purged


# --- outbox


def person(repo: Repository, channel: str = "sms", address: str = PHONE) -> str:
    return repo.participant_for(channel, address, at()).participant_id


def test_a_queued_message_is_pending_and_knows_its_recipient(store: Store) -> None:
    with store.repository() as repo:
        pid = person(repo)
        message = outgoing("m1", pid, text="Diolch 🙏 — ŵ")
        repo.outbox_add(message)
        repo.commit()
    with store.repository() as repo:
        assert repo.outbox_get("m1") == message
        assert repo.outbox_address("m1") == PHONE
        assert repo.outbox_get("nope") is None
        with pytest.raises(ValueError):
            repo.outbox_add(message)


def test_the_send_state_machine(store: Store) -> None:
    with store.repository() as repo:
        repo.outbox_add(outgoing("m1", person(repo)))
        repo.commit()
    with store.repository() as repo:
        (claimed,) = repo.outbox_claim("sms", 10, at(1), LEASE)
        repo.commit()
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    with store.repository() as repo:
        assert repo.outbox_claim("sms", 10, at(1.5), LEASE) == []  # leased to the first sender
        repo.outbox_retry("m1", "HTTP 503", next_attempt_at=at(10))
        assert repo.outbox_claim("sms", 10, at(5), LEASE) == []  # not due yet
        (retried,) = repo.outbox_claim("sms", 10, at(10), LEASE)
        assert (retried.attempts, retried.last_error) == (2, "HTTP 503")
        repo.outbox_sent("m1", "SM0123", at(11))
        repo.commit()
    with store.repository() as repo:
        sent = repo.outbox_get("m1")
        assert sent is not None
        assert (sent.status, sent.provider_message_id, sent.sent_at) == ("sent", "SM0123", at(11))
        assert repo.outbox_address("m1") is None  # the recipient is wiped once sent
        assert repo.outbox_claim("sms", 10, at(100), LEASE) == []


def test_a_send_that_died_is_claimed_again_after_its_lease(store: Store) -> None:
    with store.repository() as repo:
        repo.outbox_add(outgoing("m1", person(repo)))
        repo.outbox_claim("sms", 10, at(1), LEASE)
        repo.commit()
    with store.repository() as repo:
        (again,) = repo.outbox_claim("sms", 10, at(2), LEASE)
        assert again.attempts == 2


def test_a_failed_message_stays_failed_and_forgets_the_recipient(store: Store) -> None:
    with store.repository() as repo:
        repo.outbox_add(outgoing("m1", person(repo)))
        repo.outbox_claim("sms", 10, at(1), LEASE)
        repo.outbox_failed("m1", "21610: unsubscribed recipient", at(2))
        repo.commit()
    with store.repository() as repo:
        failed = repo.outbox_get("m1")
        assert failed is not None
        assert (failed.status, failed.last_error, failed.failed_at) == (
            "failed",
            "21610: unsubscribed recipient",
            at(2),
        )
        assert repo.outbox_address("m1") is None
        assert repo.outbox_claim("sms", 10, at(100), LEASE) == []


def test_a_persons_messages_go_out_in_order_one_at_a_time(store: Store) -> None:
    with store.repository() as repo:
        alice, bob = person(repo), person(repo, address=OTHER_PHONE)
        tg = person(repo, "telegram", CHAT_ID)
        for n, (mid, pid) in enumerate([("a1", alice), ("a2", alice), ("b1", bob), ("a3", alice)]):
            repo.outbox_add(outgoing(mid, pid, n))
        repo.outbox_add(outgoing("t1", tg, 9, channel="telegram"))
        repo.commit()
    with store.repository() as repo:
        assert [m.message_id for m in repo.outbox_claim("sms", 10, at(10), LEASE)] == ["a1", "b1"]
        assert [m.message_id for m in repo.outbox_claim("telegram", 10, at(10), LEASE)] == ["t1"]
        repo.outbox_sent("b1", "SMb1", at(10.1))
        repo.outbox_retry("a1", "timeout", next_attempt_at=at(20))
        # a1 waits for a retry: a2 must not overtake it
        assert repo.outbox_claim("sms", 10, at(15), LEASE) == []
        assert [m.message_id for m in repo.outbox_claim("sms", 10, at(20), LEASE)] == ["a1"]
        repo.outbox_sent("a1", "SMa1", at(21))
        assert [m.message_id for m in repo.outbox_claim("sms", 10, at(21), LEASE)] == ["a2"]


def test_a_reply_can_go_to_an_address_with_no_participant(store: Store) -> None:
    with store.repository() as repo:
        repo.outbox_add(outgoing("bye", None), address=PHONE)
        with pytest.raises(ValueError):
            repo.outbox_add(outgoing("lost", None))
        repo.commit()
    with store.repository() as repo:
        assert repo.outbox_address("bye") == PHONE
        (claimed,) = repo.outbox_claim("sms", 1, at(1), LEASE)
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
    store: Store, callbacks: list[tuple[str, str | None]], expected: str
) -> None:
    with store.repository() as repo:
        repo.outbox_add(outgoing("m1", person(repo)))
        repo.outbox_claim("sms", 1, at(1), LEASE)
        repo.outbox_sent("m1", "SM1", at(2))
        for status, code in callbacks:
            assert repo.outbox_status_update("SM1", status, code)
        assert repo.outbox_status_update("SM-unknown", "delivered") is False
        repo.commit()
    with store.repository() as repo:
        message = repo.outbox_get("m1")
        assert message is not None and message.delivery_status == expected
        assert message.delivery_error_code == dict(callbacks).get(expected)


def test_a_callback_that_beats_the_sent_record_is_kept_by_our_message_id(store: Store) -> None:
    with store.repository() as repo:
        repo.outbox_add(outgoing("m1", person(repo)))
        repo.outbox_claim("sms", 1, at(1), LEASE)
        repo.commit()
    with store.repository() as callback:
        assert callback.outbox_status_update("SM1", "delivered", message_id="m1")
        callback.commit()
    with store.repository() as sender:
        sender.outbox_sent("m1", "SM1", at(2))
        sender.commit()
    with store.repository() as repo:
        message = repo.outbox_get("m1")
        assert message is not None
        assert (message.status, message.delivery_status, message.provider_message_id) == (
            "sent",
            "delivered",
            "SM1",
        )
