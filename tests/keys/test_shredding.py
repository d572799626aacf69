"""Crypto-shredding: a person's words are sealed under a data key of their own, and DELETE
destroys that key first, so no copy of their words (SQLite's file and WAL, PostgreSQL's rows,
a backup) can be read afterwards. Another person's words stay readable throughout."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select, update

from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.personal import SEALED_PREFIX, wrap_purpose
from storage.records import GroupInterest, ProfileAnswer
from storage.repositories import rows
from storage.sql import SqlStore
from tests.storage.store_helpers import OTHER_PHONE, PHONE, apply, at, everything_about

WORDS = "my landlord shouts at me every night"
KEPT = "the day centre bus is always late"
PURPOSES = (
    rows.VIEW_ANSWER,
    rows.VIEW_ORIGINAL,
    rows.PROFILE_VALUE,
    rows.MESSAGE_TEXT,
    rows.GROUP_TOPICS,
    rows.GROUP_AVAILABILITY,
    rows.GROUP_ACCESS,
    rows.SESSION,
)
TOKEN = re.compile(re.escape(SEALED_PREFIX.encode()) + rb"[A-Za-z0-9+/=]+")


def tell(store: SqlStore, phone: str, words: str) -> str:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", phone, at(0)).participant_id
        apply(uow, everything_about(pid, words))
        uow.answers.save_profile(ProfileAnswer(pid, "ethnic_group", words, at(9)))
        interest = GroupInterest(
            pid, ("housing",), ("evenings",), (words,), None, "sms", "en", "sms", at(9)
        )
        uow.answers.save_group_interest(interest)
        uow.sessions.save(pid, json.dumps({"fields": {"q_matters": words}}), at(9))
        uow.commit()
    return pid


def data_keys(store: SqlStore) -> dict[str, bytes]:
    """Every data key the store still holds, unwrapped with the keyring."""
    with store.engine.connect() as connection:
        found = connection.execute(select(m.PersonKeyRow.participant_id, m.PersonKeyRow.wrapped))
        return {
            pid: store.cipher.decrypt_bytes(wrapped, wrap_purpose(pid)) for pid, wrapped in found
        }


def readable(tokens: set[bytes], keys: dict[str, bytes]) -> set[str]:
    """Every plain text any of `keys` opens among the sealed `tokens`, under any purpose."""
    opened: set[str] = set()
    for token in tokens:
        blob = base64.b64decode(token[len(SEALED_PREFIX) :] + b"==="[: -len(token) % 4 or None])
        for raw in keys.values():
            for purpose in PURPOSES:
                try:
                    plain = AESGCM(raw).decrypt(blob[:12], blob[12:], purpose.encode())
                except (InvalidTag, ValueError):
                    continue
                opened.add(plain.decode())
    return opened


def raw_files(store: SqlStore) -> bytes:
    """The bytes of the SQLite database file and its WAL."""
    database = Path(str(store.engine.url.database))
    wal = database.with_name(database.name + "-wal")
    return b"".join(path.read_bytes() for path in (database, wal) if path.exists())


def sealed_columns(store: SqlStore) -> set[bytes]:
    with store.engine.connect() as connection:
        values = [
            *connection.scalars(select(m.ViewRow.answer_value)),
            *connection.scalars(select(m.ViewRow.original_text)),
            *connection.scalars(select(m.ProfileAnswerRow.value)),
            *connection.scalars(select(m.GroupInterestRow.access_needs_json)),
            *connection.scalars(select(m.MessageLogRow.text)),
            *connection.scalars(select(m.SessionRow.session_json)),
        ]
    return {value.encode() for value in values if value is not None}


def test_words_are_sealed_at_rest_and_come_back_plain(sql_store: SqlStore) -> None:
    pid = tell(sql_store, PHONE, WORDS)
    stored = sealed_columns(sql_store)
    assert stored and all(value.startswith(SEALED_PREFIX.encode()) for value in stored)
    assert not any(WORDS.encode() in value for value in stored)
    with sql_store.unit_of_work() as uow:
        (found,) = uow.views.all()
        document = uow.erasure.export(pid)
        session = uow.sessions.load(pid)
    assert (found.answer_value, found.original_text) == (WORDS, WORDS)
    assert session is not None and WORDS in session
    assert [g["access_needs"] for g in document["group_interests"]] == [["step_free"], [WORDS]]
    assert [a["value"] for a in document["profile_answers"]] == ["25-34", WORDS]
    assert WORDS in [message["text"] for message in document["messages"]]


def test_after_delete_the_words_are_nowhere_readable(sql_store: SqlStore) -> None:
    pid = tell(sql_store, PHONE, WORDS)
    tell(sql_store, OTHER_PHONE, KEPT)
    before = sealed_columns(sql_store)
    assert readable(before, data_keys(sql_store)) >= {WORDS, KEPT}
    with sql_store.engine.connect() as connection:
        wrapped = connection.scalar(
            select(m.PersonKeyRow.wrapped).where(m.PersonKeyRow.participant_id == pid)
        )
    assert wrapped is not None
    sqlite = sql_store.engine.dialect.name == "sqlite"
    if sqlite:
        assert wrapped in raw_files(sql_store)  # the test can see it while it exists
    with sql_store.unit_of_work() as uow:
        uow.erasure.erase(pid, at(20))
        uow.commit()
    keys = data_keys(sql_store)
    assert pid not in keys  # the data key is gone...
    opened = readable(before, keys)  # ...so no copy of their words opens under what is left
    assert WORDS not in opened and KEPT in opened
    if sqlite:
        raw = raw_files(sql_store)
        assert wrapped not in raw  # zeroed in place (secure_delete); no WAL frame keeps it
        assert WORDS.encode() not in raw and WORDS.encode("utf-16-le") not in raw
        left = set(TOKEN.findall(raw))
        assert left and WORDS not in readable(left, keys) and KEPT in readable(left, keys)


def test_sqlite_deletes_securely(sql_store: SqlStore) -> None:
    if sql_store.engine.dialect.name != "sqlite":
        return
    with sql_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_delete_works_when_the_words_cannot_be_read(sql_store: SqlStore) -> None:
    pid = tell(sql_store, PHONE, WORDS)  # data key wrapped under the test key, `k1`
    retired = SqlStore(sql_store.engine, AddressCipher([("k2", generate_secret())]))
    with retired.unit_of_work() as uow:
        uow.erasure.erase(pid, at(20))
        uow.commit()
    with sql_store.engine.connect() as connection:
        assert connection.scalars(select(m.ViewRow.view_id)).all() == []
        assert connection.scalars(select(m.PersonKeyRow.participant_id)).all() == []


def test_words_stored_before_data_keys_read_as_they_are(sql_store: SqlStore) -> None:
    pid = tell(sql_store, PHONE, WORDS)
    with sql_store.engine.begin() as connection:
        connection.execute(update(m.ViewRow).values(answer_value="plain, from before"))
    with sql_store.unit_of_work() as uow:
        assert [v.answer_value for v in uow.views.all()] == ["plain, from before"]
        assert uow.erasure.export(pid)["views"][0]["original_text"] == WORDS
