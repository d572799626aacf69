"""People's own words at rest, under a data key of their own (crypto-shredding).

Each person gets a random 256-bit data key on first contact, stored only wrapped (AES-GCM under
the keyring, storage.crypto) in `person_keys`. Their free text (views' answers and original
words, profile answers, working-group interest, the message log's words, their session, and
any other column of their words) is stored as `SEALED_PREFIX` + base64(nonce + AES-GCM
ciphertext) under that data key, the column's purpose bound in as associated data. Erasure
deletes the data key first: from then on every copy of those words (WAL frames, free pages,
PostgreSQL's table files, backups) is ciphertext under a key that no longer exists. Rotating
the keyring re-wraps the data keys; the words themselves are never re-encrypted.

`PersonalText` is the one helper for this, opened per unit of work (`uow.text`): repositories
call `seal` when writing a row and `open` when turning a row into a record, so everything
above the store keeps getting plain records. Keys are unwrapped once per person per unit of
work; `preload` fetches many in one SELECT (exports). Values stored before this (no prefix) are
read as they are. Nothing here logs, and errors never include a plaintext.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.text import storable
from storage.timestamps import as_utc

UNREADABLE = "[]"  # what `lenient` reads for words it cannot open (valid JSON, no content)
SEALED_PREFIX = "\x1dh1:"  # a control character no channel delivers at the start of a text
_NONCE_BYTES = 12
_KEY_BYTES = 32


def wrap_purpose(participant_id: str) -> str:
    """The associated data of a wrapped data key: it unwraps for its own person only."""
    return f"person-key:{participant_id}"


def is_sealed(stored: str | None) -> bool:
    return stored is not None and stored.startswith(SEALED_PREFIX)


class PersonalText:
    def __init__(self, db: Session, cipher: AddressCipher) -> None:
        self._db = db
        self._cipher = cipher
        self._keys: dict[str, AESGCM | None] = {}  # None: the person has no key (yet)
        self._wrapped: dict[str, bytes] = {}  # primed, unwrapped when first used
        self._lenient = False

    # --- keys
    def new_key(self, participant_id: str, at: datetime) -> m.PersonKeyRow:
        """A new person's data key, as a row for the caller to add (people.for_address adds it
        with the person, in the same SAVEPOINT). Cached: forget it if the insert fails."""
        raw = AESGCM.generate_key(bit_length=_KEY_BYTES * 8)
        self._keys[participant_id] = AESGCM(raw)
        return m.PersonKeyRow(
            participant_id=participant_id,
            wrapped=self._cipher.encrypt_bytes(raw, wrap_purpose(participant_id)),
            created_at=as_utc(at),
        )

    def forget(self, participant_id: str) -> None:
        self._keys.pop(participant_id, None)
        self._wrapped.pop(participant_id, None)

    def create_key(self, participant_id: str, at: datetime) -> None:
        """Gives a person without one their data key (in a SAVEPOINT: a racing creation
        wins, and its key is used)."""
        try:
            with self._db.begin_nested():
                self._db.add(self.new_key(participant_id, at))
                self._db.flush()
        except IntegrityError:
            self.forget(participant_id)

    def prime(self, participant_id: str, wrapped: bytes | None, *, rewrap: bool = False) -> None:
        """Caches a wrapped key read alongside the person (people.find joins it in); it is
        unwrapped when first used. With `rewrap`, a key wrapped under an older key of the
        keyring is re-wrapped under the newest on the way (one UPDATE, once)."""
        self._keys.pop(participant_id, None)
        if wrapped is None:
            self._keys[participant_id] = None
            return
        self._wrapped[participant_id] = wrapped
        if rewrap and not self._cipher.is_current(wrapped):
            purpose = wrap_purpose(participant_id)
            try:
                raw = self._cipher.decrypt_bytes(wrapped, purpose)
            except DecryptionError:
                return  # unreadable: `open` says so if it is ever needed
            self._db.execute(
                update(m.PersonKeyRow)
                .where(
                    m.PersonKeyRow.participant_id == participant_id,
                    m.PersonKeyRow.wrapped == wrapped,
                )
                .values(wrapped=self._cipher.encrypt_bytes(raw, purpose))
                .execution_options(synchronize_session=False)
            )
            self._keys[participant_id] = AESGCM(raw)

    def preload(self, participant_ids: Iterable[str]) -> None:
        """Fetches the keys of many people in one SELECT per 500 (for exports)."""
        wanted = [
            pid
            for pid in set(participant_ids)
            if pid not in self._keys and pid not in self._wrapped
        ]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found: dict[str, bytes] = {
                pid: wrapped
                for pid, wrapped in self._db.execute(
                    select(m.PersonKeyRow.participant_id, m.PersonKeyRow.wrapped).where(
                        m.PersonKeyRow.participant_id.in_(chunk)
                    )
                )
            }
            for pid in chunk:
                self.prime(pid, found.get(pid))

    def destroy(self, participant_id: str) -> None:
        """Deletes the person's data key: everything sealed under it is unreadable for good."""
        self._db.execute(
            delete(m.PersonKeyRow).where(m.PersonKeyRow.participant_id == participant_id)
        )
        self._keys[participant_id] = None
        self._wrapped.pop(participant_id, None)

    def _key(self, participant_id: str) -> AESGCM | None:
        if participant_id in self._keys:
            return self._keys[participant_id]
        wrapped = self._wrapped.pop(participant_id, None)
        if wrapped is None:
            wrapped = self._db.scalar(
                select(m.PersonKeyRow.wrapped).where(
                    m.PersonKeyRow.participant_id == participant_id
                )
            )
        key = None
        if wrapped is not None:
            key = AESGCM(self._cipher.decrypt_bytes(wrapped, wrap_purpose(participant_id)))
        self._keys[participant_id] = key
        return key

    @contextmanager
    def lenient(self) -> Iterator[None]:
        """Inside, words that cannot be opened (a data key wrapped under a key no longer in
        the keyring, or damaged) read as UNREADABLE instead of raising: erasure must work
        whatever it cannot read."""
        self._lenient = True
        try:
            yield
        finally:
            self._lenient = False

    # --- text
    def seal(self, participant_id: str, text: str, purpose: str) -> str:
        """`text` as stored: under the person's data key (made now for a person who has
        none, e.g. one who first wrote before data keys existed)."""
        key = self._key(participant_id)
        if key is None:
            self.create_key(participant_id, _now())
            key = self._key(participant_id)
            assert key is not None
        nonce = os.urandom(_NONCE_BYTES)
        sealed = key.encrypt(nonce, storable(text).encode("utf-8"), purpose.encode("utf-8"))
        return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def seal_optional(self, participant_id: str, text: str | None, purpose: str) -> str | None:
        return None if text is None else self.seal(participant_id, text, purpose)

    def open(self, participant_id: str, stored: str, purpose: str) -> str:
        """The plain text of a stored value. DecryptionError when the person's data key is
        gone (erased) or the value was damaged; a value stored before data keys is returned
        as it is."""
        if not stored.startswith(SEALED_PREFIX):
            return stored
        try:
            return self._open(participant_id, stored, purpose)
        except DecryptionError:
            if self._lenient:
                return UNREADABLE
            raise

    def _open(self, participant_id: str, stored: str, purpose: str) -> str:
        key = self._key(participant_id)
        if key is None:
            raise DecryptionError("the person's data key is gone")
        try:
            blob = binascii.a2b_base64(stored[len(SEALED_PREFIX) :], strict_mode=True)
            plain = key.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], purpose.encode())
        except (binascii.Error, ValueError, InvalidTag) as exc:
            raise DecryptionError("sealed text does not match the person's key") from exc
        return plain.decode("utf-8")

    def open_optional(self, participant_id: str, stored: str | None, purpose: str) -> str | None:
        return None if stored is None else self.open(participant_id, stored, purpose)


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
