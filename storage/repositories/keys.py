"""Key rotation: re-encrypts what older keys of the keyring made (addresses, inbox payloads,
outbox recipients, wrapped data keys) under the newest key, and re-keys the lookup hashes
beside them, one batch of rows at a time (storage.crypto has the ciphertext format).

A batch is the rows of one table after a position, in primary key order; each batch is one
unit of work, so a rotation killed at any point keeps every batch it committed, and running
it again skips rows already under the newest key (the key id is read from the ciphertext's
header, nothing is decrypted for them). Rows stay readable throughout: a row is either still
under its old key (which is still in the keyring) or already under the newest. Each update is
guarded by the old ciphertext (compare and set), so a row a worker changed meanwhile (an
outbox recipient wiped after sending, an inbox row emptied by erasure) is left as the worker
left it. A row no key of the keyring can decrypt is counted as unreadable and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.personal import PersonalText, is_sealed, wrap_purpose
from storage.privacy import payload_senders
from storage.repositories.rows import (
    GROUP_ACCESS,
    GROUP_AVAILABILITY,
    GROUP_TOPICS,
    INBOX_PURPOSE,
    MESSAGE_TEXT,
    PROFILE_VALUE,
    SESSION,
    VIEW_ANSWER,
    VIEW_ORIGINAL,
)

RotatedTable = Literal[
    "participant_addresses",
    "inbox",
    "outbox",
    "person_keys",
    "views",
    "profile_answers",
    "group_interests",
    "message_log",
    "sessions",
]
ROTATED_TABLES: tuple[RotatedTable, ...] = (
    "participant_addresses",
    "inbox",
    "outbox",
    "person_keys",
    "views",
    "profile_answers",
    "group_interests",
    "message_log",
    "sessions",
)

# People's words stored before data keys existed: sealed by rotation (storage.personal).
_WORDS: dict[str, tuple[Any, Any, tuple[tuple[str, str], ...]]] = {
    "views": (
        m.ViewRow,
        m.ViewRow.view_id,
        (("answer_value", VIEW_ANSWER), ("original_text", VIEW_ORIGINAL)),
    ),
    "profile_answers": (m.ProfileAnswerRow, m.ProfileAnswerRow.id, (("value", PROFILE_VALUE),)),
    "group_interests": (
        m.GroupInterestRow,
        m.GroupInterestRow.id,
        (
            ("topics_json", GROUP_TOPICS),
            ("availability_json", GROUP_AVAILABILITY),
            ("access_needs_json", GROUP_ACCESS),
        ),
    ),
    "message_log": (m.MessageLogRow, m.MessageLogRow.id, (("text", MESSAGE_TEXT),)),
    "sessions": (m.SessionRow, m.SessionRow.participant_id, (("session_json", SESSION),)),
}


_Query = TypeVar("_Query")


def _page(query: _Query, key: Any, after: Any, limit: int) -> _Query:
    """One batch of a table walked in `key` order, after the last key of the batch before
    (None: from the start), so a rotation stopped midway resumes where it was. `query` is a
    SELECT; its row types pass through."""
    page = cast(Select[Any], query).order_by(key).limit(limit)
    return cast(_Query, page if after is None else page.where(key > after))


@dataclass(frozen=True)
class RotationBatch:
    table: RotatedTable
    last: Any  # the primary key of the batch's last row; None when there was none
    scanned: int
    rotated: int  # re-encrypted (and re-keyed) under the newest key
    unreadable: int  # no key of the keyring decrypts it
    conflicts: int = 0  # an address already registered under the newest key to another row


class Keys:
    def __init__(self, db: Session, cipher: AddressCipher, text: PersonalText) -> None:
        self._db = db
        self._cipher = cipher
        self._text = text

    def rotate_batch(self, table: RotatedTable, after: Any, limit: int) -> RotationBatch:
        """Rotates up to `limit` rows of `table` whose primary key is above `after` (None:
        from the start)."""
        match table:
            case "participant_addresses":
                return self._addresses(after, limit)
            case "inbox":
                return self._inbox(after, limit)
            case "outbox":
                return self._outbox(after, limit)
            case "person_keys":
                return self._person_keys(after, limit)
            case "views" | "profile_answers" | "group_interests" | "message_log" | "sessions":
                return self._words(table, after, limit)

    def _words(self, table: RotatedTable, after: Any, limit: int) -> RotationBatch:
        """Seals words stored before data keys (no prefix) under their person's data key."""
        model, key, columns = _WORDS[table]
        fields = [getattr(model, name) for name, _ in columns]
        query = _page(select(key, model.participant_id, *fields), key, after, limit)
        rows = list(self._db.execute(query))
        sealed = 0
        for row in rows:
            row_key, participant_id, *values = row
            plain = {
                name: value
                for (name, _), value in zip(columns, values, strict=True)
                if value is not None and not is_sealed(value)
            }
            if not plain:
                continue
            purposes = dict(columns)
            guard = [getattr(model, name) == value for name, value in plain.items()]
            self._db.execute(
                update(model)
                .where(key == row_key, *guard)
                .values(
                    {
                        name: self._text.seal(participant_id, value, purposes[name])
                        for name, value in plain.items()
                    }
                )
                .execution_options(synchronize_session=False)
            )
            sealed += 1
        last = rows[-1][0] if rows else None
        return RotationBatch(table, last, len(rows), sealed, 0)

    def _addresses(self, after: Any, limit: int) -> RotationBatch:
        query = _page(select(m.AddressRow), m.AddressRow.id, after, limit)
        rows = list(self._db.scalars(query))
        rotated = unreadable = conflicts = 0
        for row in rows:
            if self._cipher.is_current(row.address_ciphertext):
                continue
            try:
                address = self._cipher.decrypt_address(row.channel, row.address_ciphertext)
            except DecryptionError:
                unreadable += 1
                continue
            try:
                with self._db.begin_nested():
                    self._db.execute(
                        update(m.AddressRow)
                        .where(
                            m.AddressRow.id == row.id,
                            m.AddressRow.address_ciphertext == row.address_ciphertext,
                        )
                        .values(
                            address_hmac=self._cipher.lookup(row.channel, address),
                            address_ciphertext=self._cipher.encrypt_address(row.channel, address),
                        )
                        .execution_options(synchronize_session=False)
                    )
            except IntegrityError:
                conflicts += 1
                continue
            rotated += 1
        last = rows[-1].id if rows else None
        return RotationBatch(
            "participant_addresses", last, len(rows), rotated, unreadable, conflicts
        )

    def _inbox(self, after: Any, limit: int) -> RotationBatch:
        query = _page(
            select(m.InboxRow.id, m.InboxRow.channel, m.InboxRow.payload_ciphertext),
            m.InboxRow.id,
            after,
            limit,
        )
        rows = list(self._db.execute(query))
        rotated = unreadable = 0
        for item_id, channel, blob in rows:
            if blob is None or self._cipher.is_current(blob):
                continue
            try:
                payload = self._cipher.decrypt_json(blob, INBOX_PURPOSE)
            except DecryptionError:
                unreadable += 1
                continue
            values: dict[str, object] = {
                "payload_ciphertext": self._cipher.encrypt_json(payload, INBOX_PURPOSE)
            }
            sender = _sender(channel, payload)
            if sender is not None:
                values["sender_hmac"] = self._cipher.lookup(channel, sender)
            self._db.execute(
                update(m.InboxRow)
                .where(m.InboxRow.id == item_id, m.InboxRow.payload_ciphertext == blob)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            rotated += 1
        last = rows[-1][0] if rows else None
        return RotationBatch("inbox", last, len(rows), rotated, unreadable)

    def _outbox(self, after: Any, limit: int) -> RotationBatch:
        query = _page(
            select(m.OutboxRow.seq, m.OutboxRow.channel, m.OutboxRow.recipient_ciphertext),
            m.OutboxRow.seq,
            after,
            limit,
        )
        rows = list(self._db.execute(query))
        rotated = unreadable = 0
        for seq, channel, blob in rows:
            if blob is None or self._cipher.is_current(blob):
                continue
            try:
                address = self._cipher.decrypt_address(channel, blob)
            except DecryptionError:
                unreadable += 1
                continue
            self._db.execute(
                update(m.OutboxRow)
                .where(m.OutboxRow.seq == seq, m.OutboxRow.recipient_ciphertext == blob)
                .values(
                    recipient_ciphertext=self._cipher.encrypt_address(channel, address),
                    recipient_hmac=self._cipher.lookup(channel, address),
                )
                .execution_options(synchronize_session=False)
            )
            rotated += 1
        last = rows[-1][0] if rows else None
        return RotationBatch("outbox", last, len(rows), rotated, unreadable)

    def _person_keys(self, after: Any, limit: int) -> RotationBatch:
        """Re-wraps data keys; the words sealed under them are not touched."""
        query = _page(
            select(m.PersonKeyRow.participant_id, m.PersonKeyRow.wrapped),
            m.PersonKeyRow.participant_id,
            after,
            limit,
        )
        rows = list(self._db.execute(query))
        rotated = unreadable = 0
        for participant_id, wrapped in rows:
            if self._cipher.is_current(wrapped):
                continue
            purpose = wrap_purpose(participant_id)
            try:
                raw = self._cipher.decrypt_bytes(wrapped, purpose)
            except DecryptionError:
                unreadable += 1
                continue
            self._db.execute(
                update(m.PersonKeyRow)
                .where(
                    m.PersonKeyRow.participant_id == participant_id,
                    m.PersonKeyRow.wrapped == wrapped,
                )
                .values(wrapped=self._cipher.encrypt_bytes(raw, purpose))
                .execution_options(synchronize_session=False)
            )
            rotated += 1
        last = rows[-1][0] if rows else None
        return RotationBatch("person_keys", last, len(rows), rotated, unreadable)


def _sender(channel: str, payload: dict[str, Any]) -> str | None:
    """The sender's address in an inbox payload (bot.inbox.payload's `address`, or a
    provider's own sender fields)."""
    address = payload.get("address")
    if isinstance(address, str) and address:
        return address
    senders = payload_senders(channel, payload)
    return senders[0] if senders else None
