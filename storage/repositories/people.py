"""Participants and their addresses. An address is stored only as AES-GCM ciphertext and found
by its keyed hash (storage.crypto); `address_of` decrypts it, and its result is never logged."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher
from storage.personal import PersonalText
from storage.records import Participant
from storage.repositories.rows import SESSION, participant
from storage.timestamps import as_utc

# Built once (a turn's first read): the participant behind an address's keyed hashes, with
# their session and data key.
_FIND_WITH_SESSION = (
    select(
        m.ParticipantRow,
        m.SessionRow.session_json,
        m.AddressRow.id,
        m.AddressRow.address_hmac,
        m.AddressRow.address_ciphertext,
        m.PersonKeyRow.wrapped,
    )
    .join(m.AddressRow, m.AddressRow.participant_id == m.ParticipantRow.id)
    .outerjoin(m.PersonKeyRow, m.PersonKeyRow.participant_id == m.ParticipantRow.id)
    .outerjoin(m.SessionRow, m.SessionRow.participant_id == m.ParticipantRow.id)
    .where(
        m.AddressRow.channel == bindparam("channel"),
        m.AddressRow.address_hmac.in_(bindparam("hashes", expanding=True)),
    )
)


def new_participant_id() -> str:
    return secrets.token_hex(16)


class People:
    def __init__(self, db: Session, cipher: AddressCipher, text: PersonalText) -> None:
        self._db = db
        self._cipher = cipher
        self._text = text

    def for_address(self, channel: str, address: str, at: datetime) -> Participant:
        """The participant behind (channel, address), created on first contact."""
        found = self.find(channel, address)
        if found is not None:
            return found
        return self._create(channel, address, at)[0]

    def with_session(
        self, channel: str, address: str, at: datetime
    ) -> tuple[Participant, str | None]:
        """What a turn reads first, in ONE SELECT: the participant behind (channel, address),
        created on first contact, and their stored session JSON (None when they have none)."""
        found = self.find_with_session(channel, address)
        if found is not None:
            return found
        return self._create(channel, address, at)

    def _create(self, channel: str, address: str, at: datetime) -> tuple[Participant, str | None]:
        participant_id = new_participant_id()
        created = Participant(participant_id, as_utc(at), None, "standard", False)
        try:
            with self._db.begin_nested():
                self._db.add(
                    m.ParticipantRow(
                        id=participant_id,
                        created_at=created.created_at,
                        language=None,
                        register=created.register,
                        opted_out=False,
                    )
                )
                self._db.flush()
                self._db.add(
                    m.AddressRow(
                        participant_id=participant_id,
                        channel=channel,
                        address_hmac=self._cipher.lookup(channel, address),
                        address_ciphertext=self._cipher.encrypt_address(channel, address),
                        created_at=created.created_at,
                    )
                )
                self._db.add(self._text.new_key(participant_id, created.created_at))
                self._db.flush()
        except IntegrityError:
            self._text.forget(participant_id)
            # Another unit of work registered the same address first; use theirs.
            found = self.find_with_session(channel, address)
            if found is None:
                raise
            return found
        return created, None

    def find_with_session(
        self, channel: str, address: str, *, rekey: bool = True
    ) -> tuple[Participant, str | None] | None:
        """One SELECT: the participant joined to the address's keyed hash under any key of the
        keyring (the newest key's match first), to their data key and to their session JSON
        (None when they have none); None for an address never seen. With `rekey`, an address
        (or data key) found under an older key is re-keyed on the way under the newest key;
        a read that must take no write lock (`Store.reading`) passes `rekey=False`."""
        hashes = self._cipher.lookups(channel, address)
        found = self._db.execute(
            _FIND_WITH_SESSION, {"channel": channel, "hashes": list(hashes)}
        ).all()
        if not found:
            return None
        row, session_json, address_id, address_hmac, blob, wrapped = min(
            found, key=lambda r: hashes.index(r[3])
        )
        # The turn's words open without another SELECT; an older wrapping is renewed.
        self._text.prime(row.id, wrapped, rewrap=rekey)
        if rekey and address_hmac != hashes[0]:
            stored = self._cipher.decrypt_address(channel, blob)  # as first written
            self._db.execute(
                update(m.AddressRow)
                .where(m.AddressRow.id == address_id)
                .values(
                    address_hmac=hashes[0],
                    address_ciphertext=self._cipher.encrypt_address(channel, stored),
                )
                .execution_options(synchronize_session=False)
            )
        return participant(row), self._text.open_optional(row.id, session_json, SESSION)

    def find(self, channel: str, address: str) -> Participant | None:
        """`find_with_session` without the session."""
        found = self.find_with_session(channel, address)
        return None if found is None else found[0]

    def get(self, participant_id: str) -> Participant | None:
        row = self._db.get(m.ParticipantRow, participant_id)
        return None if row is None else participant(row)

    def address_of(self, participant_id: str, channel: str) -> str | None:
        """Decrypts the person's first address on the channel. Never log the result."""
        row = self._db.scalar(
            select(m.AddressRow)
            .where(m.AddressRow.participant_id == participant_id, m.AddressRow.channel == channel)
            .order_by(m.AddressRow.id)
            .limit(1)
        )
        if row is None:
            return None
        return self._cipher.decrypt_address(channel, row.address_ciphertext)

    def update(
        self,
        participant_id: str,
        *,
        language: str | None = None,
        register: str | None = None,
        opted_out: bool | None = None,
    ) -> None:
        """One UPDATE of the given fields; KeyError for an unknown participant."""
        values: dict[str, object] = {}
        if language is not None:
            values["language"] = language
        if register is not None:
            values["register"] = register
        if opted_out is not None:
            values["opted_out"] = opted_out
        if not values:
            if self._db.get(m.ParticipantRow, participant_id) is None:
                raise KeyError(participant_id)
            return
        result = self._db.execute(
            update(m.ParticipantRow)
            .where(m.ParticipantRow.id == participant_id)
            .values(**values)
            .execution_options(synchronize_session="evaluate")
        )
        if not getattr(result, "rowcount", 0):
            raise KeyError(participant_id)

    def all(self) -> Iterator[Participant]:
        """Everyone, oldest first (for coordinators)."""
        query = select(m.ParticipantRow).order_by(m.ParticipantRow.created_at, m.ParticipantRow.id)
        return iter([participant(row) for row in self._db.scalars(query)])
