"""Dead letters: a row that cannot be handled goes to `dead` with its error type, is never
claimed again, and holds back nobody, not even its sender's later messages. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.inbox.payload import PAYLOAD_VERSION
from bot.inbox.worker import InboxWorker
from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.db import make_engine, migrate
from storage.sql import SqlStore
from tests.cli.test_heard_command import run_heard
from tests.storage.store_helpers import LEASE, OTHER_PHONE, PHONE, at, outgoing, sms
from tests.web.harness import Brains

SECRET_WORDS = "my neighbour is the problem"


def _under_another_key(store: SqlStore) -> SqlStore:
    return SqlStore(store.engine, AddressCipher(generate_secret()))


def _damage_inbox_payload(store: SqlStore, provider_key: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(m.InboxRow)
            .where(m.InboxRow.provider_key == provider_key)
            .values(payload_ciphertext=b"\x01" + b"\x00" * 40)
        )


def test_an_undecryptable_inbox_row_is_dead_and_its_sender_proceeds(sql_store: SqlStore) -> None:
    with sql_store.unit_of_work() as uow:
        uow.inbox.add("sms", "lost", sms("lost", body=SECRET_WORDS), at(0))
        uow.commit()
    _damage_inbox_payload(sql_store, "lost")
    with sql_store.unit_of_work() as uow:
        uow.inbox.add("sms", "later", sms("later"), at(1))
        uow.inbox.add("sms", "other", sms("other", sender=OTHER_PHONE), at(2))
        uow.commit()
    with sql_store.unit_of_work() as uow:
        first = [item.provider_key for item in uow.inbox.claim(10, at(3), LEASE)]
        uow.commit()
    with sql_store.unit_of_work() as uow:
        second = [item.provider_key for item in uow.inbox.claim(10, at(3), LEASE)]
        uow.commit()
    with _under_another_key(sql_store).unit_of_work() as uow:
        uow.inbox.add("sms", "old-key", sms("old-key", sender=OTHER_PHONE), at(3.2))
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.inbox.claim(10, at(3.5), LEASE) == []
        uow.commit()
    assert first == ["other"]  # the claim did not fail; the dead row's sender waited once
    assert second == ["later"]
    with sql_store.unit_of_work() as uow:
        dead = uow.inbox.dead_letters()
        again = {item.provider_key for item in uow.inbox.claim(10, at(300), LEASE)}
    assert again == {"later", "other"}  # leases ran out; the dead never return
    assert [(d.queue, d.channel, d.error) for d in dead] == [
        ("inbox", "sms", "DecryptionError")
    ] * 2
    assert SECRET_WORDS not in repr(dead) and PHONE not in repr(dead)


def test_a_row_failing_n_times_is_dead(sql_store: SqlStore) -> None:
    with sql_store.unit_of_work() as uow:
        uow.inbox.add("sms", "poison", sms("poison"), at(0))
        uow.inbox.add("sms", "after", sms("after"), at(1))
        uow.commit()
    states = []
    for n in range(1, 4):
        with sql_store.unit_of_work() as uow:
            (item,) = uow.inbox.claim(10, at(n), LEASE)
            assert item.provider_key == "poison"
            states.append(
                uow.inbox.failure(item.item_id, item.attempts, "KeyError", at(n), dead_after=3)
            )
            uow.commit()
    assert states == [False, False, True]
    with sql_store.unit_of_work() as uow:
        assert [i.provider_key for i in uow.inbox.claim(10, at(5), LEASE)] == ["after"]
        (dead,) = uow.inbox.dead_letters()
        assert (dead.attempts, dead.error) == (3, "KeyError")


def test_an_undecryptable_outbox_row_is_dead_and_later_messages_go(sql_store: SqlStore) -> None:
    with sql_store.unit_of_work() as uow:
        uow.outbox.add(outgoing("m-lost", None, 0), address=PHONE)
        uow.outbox.add(outgoing("m-next", None, 1), address=PHONE)
        uow.commit()
    with sql_store.engine.begin() as connection:
        connection.execute(
            update(m.OutboxRow)
            .where(m.OutboxRow.id == "m-lost")
            .values(recipient_ciphertext=b"\x01" + b"\x00" * 40)
        )
    claims = []
    for _ in range(2):
        with sql_store.unit_of_work() as uow:
            claims.append([msg.message_id for msg in uow.outbox.claim("sms", 10, at(2), LEASE)])
            uow.commit()
    assert claims == [[], ["m-next"]]
    with sql_store.unit_of_work() as uow:
        (dead,) = uow.outbox.dead_letters()
        assert uow.outbox.address("m-next") == PHONE
    assert (dead.queue, dead.row_id, dead.error) == ("outbox", "m-lost", "DecryptionError")


def test_a_turn_that_keeps_failing_is_dead_and_the_sender_is_answered_after(
    sql_store: SqlStore, brains: Brains
) -> None:
    now = datetime.now(UTC)
    good = {
        "v": PAYLOAD_VERSION, "kind": "message", "address": PHONE, "text": "Hello",
        "at": now.isoformat(),
    }
    with sql_store.unit_of_work() as uow:
        # A payload this version cannot read: its turn raises every time.
        uow.inbox.add("sms", "SMbad", {"v": 99, "text": SECRET_WORDS}, now, sender=PHONE)
        uow.inbox.add("sms", "SMgood", good, now + timedelta(seconds=1), sender=PHONE)
        uow.commit()
    runtime = brains.runtime
    worker = InboxWorker(
        sql_store, runtime.conversation, runtime.catalogue, max_attempts=3, lease_seconds=60
    )
    for _ in range(6):
        worker.run_once()
    with sql_store.unit_of_work() as uow:
        (dead,) = uow.inbox.dead_letters()
        assert (dead.attempts, dead.error) == (3, "PayloadError")
        statuses = {i: uow.inbox.get(i) for i in (int(dead.row_id), int(dead.row_id) + 1)}
        replies = uow.outbox.claim("sms", 10, now + timedelta(seconds=5), LEASE)
    assert [item.status for item in statuses.values() if item] == ["dead", "done"]
    assert replies and all(SECRET_WORDS not in msg.text for msg in replies)


def test_heard_lists_dead_rows_without_their_content(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'heard.sqlite'}")
    migrate(engine)
    store = SqlStore(engine, AddressCipher("t" * 43))
    with store.unit_of_work() as uow:
        uow.inbox.add("sms", "SMlost", sms("SMlost", body=SECRET_WORDS), at(0))
        uow.commit()
    _damage_inbox_payload(store, "SMlost")
    with store.unit_of_work() as uow:
        assert uow.inbox.claim(10, at(1), LEASE) == []
        uow.commit()
    engine.dispose()
    result = run_heard(["inbox", "dead"], tmp_path)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.split("\t")[1:] == ["sms", at(0).isoformat(), "1", "DecryptionError"]
    assert SECRET_WORDS not in result.stdout and PHONE not in result.stdout
    outbox = run_heard(["outbox", "dead"], tmp_path)
    assert (outbox.returncode, outbox.stdout) == (0, "")
