"""Erasure and subject access: everything held on one person, found by their id and their
addresses (inbox and outbox rows by the addresses' keyed hashes, and inbound payloads of
unknown shape by decrypting them and looking for the address).

Erasure deletes every row naming the person and all their free text; inbox rows stay as empty
tombstones so a late repeat of a delivery is still refused. Before anything is deleted, the
anonymous totals (storage.privacy.erasure_totals) are added to: erasure never decrements
anything, so coordinators keep their counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError, normalise_address
from storage.personal import PersonalText
from storage.privacy import (
    PersonData,
    StoredAddress,
    erased_provider_key,
    erasure_totals,
    export_document,
    payload_mentions,
)
from storage.records import (
    GroupMove,
    HandoverRequest,
    SafeguardingAlertRecord,
    TotalCount,
)
from storage.repositories import rows, tallies
from storage.repositories.rows import INBOX_PURPOSE, SESSION, is_postgres, of_person
from storage.timestamps import as_utc

# Every table naming a person, children first; a table missing here makes erasure fail on the
# participant's foreign key rather than leave rows behind.
# Safeguarding alerts are not among them: they outlive erasure, anonymised (`erase`).
_PERSONAL_TABLES: tuple[Any, ...] = (
    m.ReinvitationRecipientRow,
    m.MessageLogRow,
    m.GroupMoveRow,
    m.GroupRecruitRow,
    m.UpdateRecipientRow,  # "you said, we did" recipients (storage.repositories.updates)
    m.HandoverRow,
    m.GroupInterestRow,
    m.ProfileAnswerRow,
    m.ViewRow,
    m.ConsentRow,
    m.SessionRow,
    m.AddressRow,
)


class Erasure:
    def __init__(self, db: Session, cipher: AddressCipher, text: PersonalText) -> None:
        self._db = db
        self._cipher = cipher
        self._text = text
        self.erased = False  # set by `erase`: the unit of work truncates SQLite's WAL after commit
        self._postgres = is_postgres(db)

    def export(self, participant_id: str) -> dict[str, Any]:
        """Everything held on one person, JSON-serialisable, for a subject access request.
        Includes their decrypted addresses. Raises KeyError for an unknown participant."""
        data = self._person_data(participant_id)
        if data is None:
            raise KeyError(participant_id)
        return export_document(data)

    def provider_message_ids(self, participant_id: str) -> list[tuple[str, str]]:
        """(channel, provider message id) of messages sent to the person, so the host can ask
        the provider to delete its copies before `erase` forgets them."""
        data = self._person_data(participant_id)
        if data is None:
            return []
        return [
            (message.channel, message.provider_message_id)
            for message in data.outbox
            if message.provider_message_id is not None
        ]

    def anonymous_totals(self) -> list[TotalCount]:
        """Counters added to by erasure; coordinators add them to the live counts."""
        found = self._db.scalars(
            select(m.AnonymousTotalRow).order_by(
                m.AnonymousTotalRow.metric,
                m.AnonymousTotalRow.subject,
                m.AnonymousTotalRow.language,
                m.AnonymousTotalRow.channel,
            )
        )
        return [
            TotalCount(row.metric, row.subject, row.language, row.channel, row.count)
            for row in found
        ]

    def erase(self, participant_id: str, at: datetime) -> None:
        """Forgets the person; a no-op for an unknown participant. Words that cannot be read
        (a data key wrapped under a retired key) do not stop it."""
        with self._text.lenient():
            data = self._person_data(participant_id, lenient=True)
        if data is None:
            return
        for (metric, subject, language, channel), count in erasure_totals(data).items():
            self._add_total(metric, subject, language, channel, count)
        # First the person's data key: whatever copies of their words outlive the deletes
        # below (WAL frames, free pages, table files, backups) can no longer be read.
        self._text.destroy(participant_id)
        self.erased = True
        addresses = data.addresses
        for row in self._inbox_rows_of(participant_id, addresses):
            # Kept as a tombstone so a late repeat of the delivery is still refused.
            row.provider_key = erased_provider_key(self._cipher, row.channel, row.provider_key)
            row.payload_ciphertext = None
            row.sender_hmac = None
            row.participant_id = None
            row.error = None
            if row.status in ("pending", "processing"):
                row.status = "done"
                row.processed_at = as_utc(at)
        self._db.flush()
        outbox_seqs = [row.seq for row in self._outbox_rows_of(participant_id, addresses)]
        if outbox_seqs:
            self._db.execute(delete(m.OutboxRow).where(m.OutboxRow.seq.in_(outbox_seqs)))
        views = select(m.ViewRow.view_id).where(m.ViewRow.participant_id == participant_id)
        listed = self._db.execute(
            select(*tallies.KEY_COLUMNS).where(
                m.ViewRow.participant_id == participant_id,
                not_(m.ViewRow.superseded),
                not_(m.ViewRow.withdrawn),
            )
        ).all()
        tallies.bump(self._db, tallies.tally(listed, -1))
        for child in (m.ViewThemeRow, m.ViewNoteRow, m.ViewShareRow):
            self._db.execute(delete(child).where(child.view_id.in_(views)))
        # A safeguarding record may need to outlive erasure: the alert stays with its kind,
        # level, language, channel, times and outcome; its words and person link go
        # (docs/DESIGN.md, "The safety queue").
        self._db.execute(
            update(m.SafeguardingAlertRow)
            .where(m.SafeguardingAlertRow.participant_id == participant_id)
            .values(participant_id=None, words=None, anonymised_at=as_utc(at))
        )
        for table in _PERSONAL_TABLES:
            self._db.execute(delete(table).where(table.participant_id == participant_id))
        self._db.execute(delete(m.ParticipantRow).where(m.ParticipantRow.id == participant_id))
        self._db.expire_all()

    def _add_total(self, metric: str, subject: str, language: str, channel: str, n: int) -> None:
        insert = postgresql.insert if self._postgres else sqlite.insert
        statement = insert(m.AnonymousTotalRow).values(
            metric=metric, subject=subject, language=language, channel=channel, count=n
        )
        self._db.execute(
            statement.on_conflict_do_update(
                index_elements=["metric", "subject", "language", "channel"],
                set_={"count": m.AnonymousTotalRow.count + statement.excluded["count"]},
            )
        )

    def _person_data(self, participant_id: str, *, lenient: bool = False) -> PersonData | None:
        """Everything held on the person. `lenient` (erasure): an address no key of the
        keyring can decrypt is left out (its rows are still found by its stored hash)."""
        db = self._db
        person = db.get(m.ParticipantRow, participant_id)
        if person is None:
            return None
        addresses: list[StoredAddress] = []
        for row in db.scalars(of_person(m.AddressRow, participant_id)):
            try:
                address = self._cipher.decrypt_address(row.channel, row.address_ciphertext)
            except DecryptionError:
                if not lenient:
                    raise
                continue
            addresses.append(StoredAddress(row.channel, address, row.created_at))
        return PersonData(
            participant=rows.participant(person),
            addresses=addresses,
            session_json=self._text.open_optional(
                participant_id,
                db.scalar(
                    select(m.SessionRow.session_json).where(
                        m.SessionRow.participant_id == participant_id
                    )
                ),
                SESSION,
            ),
            consents=[
                rows.consent(row) for row in db.scalars(of_person(m.ConsentRow, participant_id))
            ],
            views=[
                rows.view(row, self._text)
                for row in db.scalars(
                    select(m.ViewRow)
                    .where(m.ViewRow.participant_id == participant_id)
                    .order_by(m.ViewRow.at, m.ViewRow.view_id)
                )
            ],
            profile_answers=[
                rows.profile_answer(row, self._text)
                for row in db.scalars(of_person(m.ProfileAnswerRow, participant_id))
            ],
            group_interests=[
                rows.group_interest(row, self._text)
                for row in db.scalars(of_person(m.GroupInterestRow, participant_id))
            ],
            group_moves=[
                GroupMove(
                    row.group_id, row.participant_id, row.from_stage, row.to_stage,
                    row.invited, row.by, row.at,
                )
                for row in db.scalars(of_person(m.GroupMoveRow, participant_id))
            ],
            handovers=[
                HandoverRequest(
                    row.participant_id,
                    row.reason,
                    row.flow,
                    row.step,
                    row.language,
                    row.channel,
                    row.at,
                )
                for row in db.scalars(of_person(m.HandoverRow, participant_id))
            ],
            alerts=[
                SafeguardingAlertRecord(
                    participant_id, row.kind, row.matched, row.language, row.channel, row.at,
                    row.level,
                    self._text.open_optional(participant_id, row.words, rows.ALERT_WORDS),
                )
                for row in db.scalars(of_person(m.SafeguardingAlertRow, participant_id))
            ],
            messages=[
                rows.logged_message(row, self._text)
                for row in db.scalars(of_person(m.MessageLogRow, participant_id))
            ],
            outbox=[
                rows.outbox_message(row) for row in self._outbox_rows_of(participant_id, addresses)
            ],
            inbox=[
                rows.inbox_item(row, self._cipher, strict=False)
                for row in self._inbox_rows_of(participant_id, addresses)
            ],
            reinvitations=[
                {"reinvitation_id": row.reinvitation_id, "message_id": row.message_id, "at": row.at}
                for row in db.scalars(
                    select(m.ReinvitationRecipientRow)
                    .where(m.ReinvitationRecipientRow.participant_id == participant_id)
                    .order_by(m.ReinvitationRecipientRow.reinvitation_id)
                )
            ],
        )

    def _hashes_of(
        self, participant_id: str, addresses: Sequence[StoredAddress]
    ) -> dict[str, set[str]]:
        """Per channel, the person's address hashes under every key of the keyring, and the
        hashes their address rows hold (which also cover an address no key can decrypt)."""
        hashes: dict[str, set[str]] = {}
        for a in addresses:
            hashes.setdefault(a.channel, set()).update(self._cipher.lookups(a.channel, a.address))
        stored = self._db.execute(
            select(m.AddressRow.channel, m.AddressRow.address_hmac).where(
                m.AddressRow.participant_id == participant_id
            )
        )
        for channel, digest in stored:
            hashes.setdefault(channel, set()).add(digest)
        return hashes

    def _outbox_rows_of(
        self, participant_id: str, addresses: Sequence[StoredAddress]
    ) -> list[m.OutboxRow]:
        recipients = [
            and_(m.OutboxRow.channel == channel, m.OutboxRow.recipient_hmac.in_(hashes))
            for channel, hashes in self._hashes_of(participant_id, addresses).items()
        ]
        query = (
            select(m.OutboxRow)
            .where(or_(m.OutboxRow.participant_id == participant_id, *recipients))
            .order_by(m.OutboxRow.seq)
        )
        return list(self._db.scalars(query))

    def _inbox_rows_of(
        self, participant_id: str, addresses: Sequence[StoredAddress]
    ) -> list[m.InboxRow]:
        senders = [
            and_(m.InboxRow.channel == channel, m.InboxRow.sender_hmac.in_(hashes))
            for channel, hashes in self._hashes_of(participant_id, addresses).items()
        ]
        matched = list(
            self._db.scalars(
                select(m.InboxRow)
                .where(or_(m.InboxRow.participant_id == participant_id, *senders))
                .order_by(m.InboxRow.id)
            )
        )
        # Payloads of unknown shape carry no sender hmac: decrypt them and look for the address.
        by_channel: dict[str, set[str]] = {}
        for a in addresses:
            by_channel.setdefault(a.channel, set()).add(normalise_address(a.channel, a.address))
        unmatched = self._db.scalars(
            select(m.InboxRow)
            .where(
                m.InboxRow.sender_hmac.is_(None),
                m.InboxRow.participant_id.is_(None),
                m.InboxRow.payload_ciphertext.is_not(None),
                m.InboxRow.channel.in_(list(by_channel)),
            )
            .order_by(m.InboxRow.id)
        )
        for row in unmatched:
            assert row.payload_ciphertext is not None
            try:
                payload = self._cipher.decrypt_json(row.payload_ciphertext, INBOX_PURPOSE)
            except DecryptionError:
                continue  # a dead letter: nobody can read it, so it names nobody we can tell
            if payload_mentions(row.channel, payload, by_channel[row.channel]):
                matched.append(row)
        return sorted(matched, key=lambda row: row.id)
