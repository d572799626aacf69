"""Key changes on a real store (SQLite file and PostgreSQL): a returning person is found after a
new key is added, DELETE reaches what older keys made, and `heard keys rotate` leaves nothing
that only a removed key could read."""

from __future__ import annotations

import io

from sqlalchemy import select, update

from bot.keys import rotate_keys
from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.personal import is_sealed
from storage.sql import SqlStore
from tests.storage.store_helpers import LEASE, OTHER_PHONE, PHONE, at, outgoing, sms, view
from tests.support.keys import TEST_SECRET

K1 = ("k1", TEST_SECRET)
K2 = ("k2", generate_secret())


def keyring(store: SqlStore, *keys: tuple[str, str]) -> SqlStore:
    return SqlStore(store.engine, AddressCipher(list(keys)))


def key_ids(store: SqlStore) -> dict[str, set[str | None]]:
    """The key ids of every ciphertext still stored, per table."""
    with store.engine.connect() as connection:
        found = {
            "addresses": connection.scalars(select(m.AddressRow.address_ciphertext)),
            "inbox": connection.scalars(select(m.InboxRow.payload_ciphertext)),
            "outbox": connection.scalars(select(m.OutboxRow.recipient_ciphertext)),
            "data keys": connection.scalars(select(m.PersonKeyRow.wrapped)),
        }
        return {
            table: {AddressCipher.key_id_of(blob) for blob in blobs if blob is not None}
            for table, blobs in found.items()
        }


def written_under_k1(sql_store: SqlStore) -> str:
    with keyring(sql_store, K1).unit_of_work() as uow:
        person = uow.people.for_address("sms", PHONE, at(0))
        uow.views.save(view(person.participant_id, "v1", "buses at night"))
        uow.inbox.add("sms", "SM1", sms("SM1"), at(1))
        uow.outbox.add(outgoing("m1", person.participant_id, 1), address=PHONE)
        uow.outbox.add(outgoing("m2", None, 2), address=PHONE)  # e.g. after an erasure
        uow.commit()
    return person.participant_id


def test_a_person_who_wrote_under_k1_is_the_same_participant_after_k2_is_added(
    sql_store: SqlStore,
) -> None:
    participant_id = written_under_k1(sql_store)
    both = keyring(sql_store, K2, K1)
    with both.unit_of_work() as uow:
        assert uow.people.for_address("sms", "07700 900123".replace("0", "+44", 1), at(5)) == (
            uow.people.get(participant_id)
        )
        uow.commit()
    assert key_ids(sql_store)["addresses"] == {"k2"}  # re-keyed on the way
    with keyring(sql_store, K2).unit_of_work() as uow:  # found under the newest key alone
        person = uow.people.find("sms", PHONE)
        assert person is not None and person.participant_id == participant_id
        assert uow.people.address_of(participant_id, "sms") == PHONE


def test_delete_after_a_key_change_reaches_what_the_old_key_made(sql_store: SqlStore) -> None:
    participant_id = written_under_k1(sql_store)
    both = keyring(sql_store, K2, K1)
    with both.unit_of_work() as uow:
        person = uow.people.for_address("sms", PHONE, at(5))
        assert person.participant_id == participant_id
        uow.erasure.erase(participant_id, at(6))
        uow.commit()
    with sql_store.engine.connect() as connection:
        assert connection.scalars(select(m.ViewRow.view_id)).all() == []
        assert connection.scalars(select(m.OutboxRow.id)).all() == []
        payloads = connection.scalars(select(m.InboxRow.payload_ciphertext)).all()
        assert payloads == [None]  # the tombstone of SM1
    with both.unit_of_work() as uow:
        assert uow.inbox.add("sms", "SM1", sms("SM1"), at(7)) is False  # a late repeat


def test_rotation_leaves_nothing_only_a_removed_key_can_read(sql_store: SqlStore) -> None:
    participant_id = written_under_k1(sql_store)
    with keyring(sql_store, K1).unit_of_work() as uow:
        for n in range(7):
            uow.inbox.add("sms", f"SMx{n}", sms(f"SMx{n}", sender=OTHER_PHONE), at(3 + n))
        uow.commit()
    out = io.StringIO()
    totals = rotate_keys(keyring(sql_store, K2, K1), out, batch=3)
    assert (totals["rotated"], totals["unreadable"]) == (1 + 8 + 2 + 1, 0)
    assert "participant_addresses: 1 scanned, 1 re-encrypted" in out.getvalue()
    assert "inbox: 8 scanned, 8 re-encrypted" in out.getvalue()
    assert PHONE not in out.getvalue()
    assert key_ids(sql_store) == {
        "addresses": {"k2"},
        "inbox": {"k2"},
        "outbox": {"k2"},
        "data keys": {"k2"},
    }
    new_only = keyring(sql_store, K2)
    with new_only.unit_of_work() as uow:
        person = uow.people.find("sms", PHONE)
        assert person is not None and person.participant_id == participant_id
        claimed = uow.inbox.claim(20, at(20), LEASE)
        assert sorted(item.provider_key for item in claimed)[:2] == ["SM1", "SMx0"]
        assert len(claimed) == 2  # one per sender: the re-keyed sender hashes keep the order
        assert uow.outbox.address("m1") == uow.outbox.address("m2") == PHONE
        assert uow.inbox.dead_letters() == []
        (stored,) = uow.views.all()  # sealed under the person's data key, re-wrapped under k2
        assert stored.answer_value == "buses at night"
    again = rotate_keys(keyring(sql_store, K2, K1), io.StringIO(), batch=3)
    assert (again["scanned"], again["rotated"]) == (1 + 8 + 2 + 1 + 1, 0)  # and the view


def test_rotation_seals_words_stored_before_data_keys(sql_store: SqlStore) -> None:
    participant_id = written_under_k1(sql_store)
    with sql_store.engine.begin() as connection:  # as a store from before data keys held it
        connection.execute(update(m.ViewRow).values(original_text="buses at night, plain"))
    out = io.StringIO()
    rotate_keys(keyring(sql_store, K1), out, batch=3)
    assert "views: 1 scanned, 1 re-encrypted" in out.getvalue()
    with sql_store.engine.connect() as connection:
        stored = connection.scalar(select(m.ViewRow.original_text))
    assert stored is not None and is_sealed(stored) and "plain" not in stored
    with keyring(sql_store, K1).unit_of_work() as uow:
        (found,) = uow.views.all()
        assert found.original_text == "buses at night, plain"
        assert found.participant_id == participant_id
