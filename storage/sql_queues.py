"""The inbox and outbox half of `storage.sql.SqlRepository` (see the exactly-once notes at the
top of storage.sql). Claims lock rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the
unit of work already holds the write lock (storage.db)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storage import models as m
from storage.crypto import AddressCipher
from storage.privacy import ERASED_KEY_PREFIX, erased_provider_key, payload_senders
from storage.queues import delivery_advances, lease_expired_before, lease_until, short_error
from storage.records import InboxItem, InboxStatus, OutboxMessage, OutboxStatus
from storage.timestamps import as_utc

INBOX_PURPOSE = "inbox"


class SqlQueues:
    _db: Session
    _cipher: AddressCipher
    _postgres: bool

    def address_of(self, participant_id: str, channel: str) -> str | None:
        raise NotImplementedError  # SqlRepository's

    # --- inbox
    def inbox_add(
        self,
        channel: str,
        provider_key: str,
        payload: dict[str, Any],
        at: datetime,
        *,
        sender: str | None = None,
    ) -> bool:
        erased = erased_provider_key(self._cipher, channel, provider_key)
        seen = self._db.scalar(
            select(
                exists().where(
                    m.InboxRow.channel == channel,
                    m.InboxRow.provider_key.in_([provider_key, erased]),
                )
            )
        )
        if seen:
            return False
        senders = [sender] if sender else payload_senders(channel, payload)
        row = m.InboxRow(
            channel=channel,
            provider_key=provider_key,
            received_at=as_utc(at),
            payload_ciphertext=self._cipher.encrypt_json(payload, INBOX_PURPOSE),
            sender_hmac=self._cipher.lookup(channel, senders[0]) if senders else None,
            participant_id=None,
            status="pending",
            attempts=0,
        )
        try:
            with self._db.begin_nested():
                self._db.add(row)
                self._db.flush()
        except IntegrityError:
            return False
        return True

    def inbox_claim(self, limit: int, at: datetime, lease_seconds: float) -> list[InboxItem]:
        expired = lease_expired_before(as_utc(at), lease_seconds)
        earlier = aliased(m.InboxRow)
        query = (
            select(m.InboxRow.id)
            .where(
                or_(
                    m.InboxRow.status == "pending",
                    and_(m.InboxRow.status == "processing", m.InboxRow.claimed_at <= expired),
                ),
                ~exists().where(
                    earlier.channel == m.InboxRow.channel,
                    earlier.sender_hmac == m.InboxRow.sender_hmac,
                    earlier.id < m.InboxRow.id,
                    earlier.status.in_(["pending", "processing"]),
                ),
            )
            .order_by(m.InboxRow.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True, of=m.InboxRow)
        ids = list(self._db.scalars(query))
        if not ids:
            return []
        self._db.execute(
            update(m.InboxRow)
            .where(m.InboxRow.id.in_(ids))
            .values(status="processing", claimed_at=as_utc(at), attempts=m.InboxRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        self._db.expire_all()
        rows = self._db.scalars(
            select(m.InboxRow).where(m.InboxRow.id.in_(ids)).order_by(m.InboxRow.id)
        )
        return [self._inbox(row) for row in rows]

    def inbox_get(self, item_id: int) -> InboxItem | None:
        row = self._db.get(m.InboxRow, item_id)
        return None if row is None else self._inbox(row)

    def inbox_done(self, item_id: int, at: datetime, participant_id: str | None = None) -> None:
        # The item may be gone from under us: the turn itself may have erased its sender.
        row = self._db.get(m.InboxRow, item_id)
        if row is None or row.provider_key.startswith(ERASED_KEY_PREFIX):
            return
        row.status = "done"
        row.processed_at = as_utc(at)
        row.error = None
        known = participant_id and self._db.get(m.ParticipantRow, participant_id) is not None
        if known:
            row.participant_id = participant_id
        self._db.flush()

    def inbox_failed(self, item_id: int, error: str, at: datetime) -> None:
        row = self._db.get(m.InboxRow, item_id)
        if row is None:
            return
        row.status = "failed"
        row.processed_at = as_utc(at)
        row.error = short_error(error)
        self._db.flush()

    def inbox_purge(self, before: datetime) -> int:
        result = self._db.execute(
            delete(m.InboxRow).where(
                m.InboxRow.status.in_(["done", "failed"]),
                m.InboxRow.received_at < as_utc(before),
            )
        )
        self._db.expire_all()
        return int(getattr(result, "rowcount", 0) or 0)

    def _inbox(self, row: m.InboxRow) -> InboxItem:
        payload = (
            {}
            if row.payload_ciphertext is None
            else self._cipher.decrypt_json(row.payload_ciphertext, INBOX_PURPOSE)
        )
        return InboxItem(
            item_id=row.id,
            channel=row.channel,
            provider_key=row.provider_key,
            payload=payload,
            received_at=row.received_at,
            status=cast(InboxStatus, row.status),
            attempts=row.attempts,
            claimed_at=row.claimed_at,
            processed_at=row.processed_at,
            error=row.error,
            participant_id=row.participant_id,
        )

    # --- outbox
    def outbox_add(self, message: OutboxMessage, *, address: str | None = None) -> None:
        recipient = address
        if recipient is None:
            if message.participant_id is None:
                raise ValueError("a message without a participant needs an address")
            recipient = self.address_of(message.participant_id, message.channel)
            if recipient is None:
                raise LookupError("the participant has no address on this channel")
        if self._db.scalar(select(exists().where(m.OutboxRow.id == message.message_id))):
            raise ValueError(f"outbox message {message.message_id!r} exists already")
        self._db.add(
            m.OutboxRow(
                id=message.message_id,
                participant_id=message.participant_id,
                channel=message.channel,
                recipient_hmac=self._cipher.lookup(message.channel, recipient),
                recipient_ciphertext=self._cipher.encrypt_address(message.channel, recipient),
                text=message.text,
                choices_json=json.dumps(list(message.choices), ensure_ascii=False),
                language=message.language,
                encoding=message.encoding,
                segments=message.segments,
                status=message.status,
                attempts=message.attempts,
                next_attempt_at=_utc_or_none(message.next_attempt_at),
                provider_message_id=message.provider_message_id,
                last_error=message.last_error,
                created_at=as_utc(message.created_at),
                sent_at=_utc_or_none(message.sent_at),
                failed_at=_utc_or_none(message.failed_at),
                delivery_status=message.delivery_status,
                delivery_error_code=message.delivery_error_code,
            )
        )
        self._db.flush()

    def outbox_claim(
        self, channel: str, limit: int, at: datetime, lease_seconds: float
    ) -> list[OutboxMessage]:
        now = as_utc(at)
        earlier = aliased(m.OutboxRow)
        query = (
            select(m.OutboxRow.seq)
            .where(
                m.OutboxRow.channel == channel,
                or_(
                    and_(
                        m.OutboxRow.status == "pending",
                        or_(
                            m.OutboxRow.next_attempt_at.is_(None),
                            m.OutboxRow.next_attempt_at <= now,
                        ),
                    ),
                    and_(m.OutboxRow.status == "sending", m.OutboxRow.next_attempt_at <= now),
                ),
                ~exists().where(
                    earlier.channel == m.OutboxRow.channel,
                    earlier.recipient_hmac == m.OutboxRow.recipient_hmac,
                    earlier.seq < m.OutboxRow.seq,
                    earlier.status.in_(["pending", "sending"]),
                ),
            )
            .order_by(m.OutboxRow.seq)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True, of=m.OutboxRow)
        seqs = list(self._db.scalars(query))
        if not seqs:
            return []
        self._db.execute(
            update(m.OutboxRow)
            .where(m.OutboxRow.seq.in_(seqs))
            .values(
                status="sending",
                attempts=m.OutboxRow.attempts + 1,
                next_attempt_at=lease_until(now, lease_seconds),
            )
            .execution_options(synchronize_session=False)
        )
        self._db.expire_all()
        rows = self._db.scalars(
            select(m.OutboxRow).where(m.OutboxRow.seq.in_(seqs)).order_by(m.OutboxRow.seq)
        )
        return [outbox_record(row) for row in rows]

    def _outbox_row(self, message_id: str) -> m.OutboxRow | None:
        return self._db.scalar(select(m.OutboxRow).where(m.OutboxRow.id == message_id))

    def outbox_get(self, message_id: str) -> OutboxMessage | None:
        row = self._outbox_row(message_id)
        return None if row is None else outbox_record(row)

    def outbox_purge(self, before: datetime) -> int:
        result = self._db.execute(
            delete(m.OutboxRow).where(
                m.OutboxRow.status.in_(["sent", "failed"]),
                m.OutboxRow.created_at < as_utc(before),
            )
        )
        self._db.expire_all()
        return int(getattr(result, "rowcount", 0) or 0)

    def outbox_by_provider_id(self, provider_message_id: str) -> OutboxMessage | None:
        row = self._db.scalar(
            select(m.OutboxRow)
            .where(m.OutboxRow.provider_message_id == provider_message_id)
            .limit(1)
        )
        return None if row is None else outbox_record(row)

    def outbox_address(self, message_id: str) -> str | None:
        row = self._outbox_row(message_id)
        if row is None or row.recipient_ciphertext is None:
            return None
        return self._cipher.decrypt_address(row.channel, row.recipient_ciphertext)

    def outbox_sent(self, message_id: str, provider_message_id: str, at: datetime) -> None:
        row = self._outbox_row(message_id)
        if row is None:
            return  # erased while it was being sent
        row.status = "sent"
        row.provider_message_id = provider_message_id
        row.sent_at = as_utc(at)
        row.next_attempt_at = None
        row.recipient_ciphertext = None
        self._db.flush()

    def outbox_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None:
        row = self._outbox_row(message_id)
        if row is None:
            return
        row.status = "pending"
        row.last_error = short_error(error)
        row.next_attempt_at = as_utc(next_attempt_at)
        self._db.flush()

    def outbox_failed(self, message_id: str, error: str, at: datetime) -> None:
        row = self._outbox_row(message_id)
        if row is None:
            return
        row.status = "failed"
        row.last_error = short_error(error)
        row.failed_at = as_utc(at)
        row.next_attempt_at = None
        row.recipient_ciphertext = None
        self._db.flush()

    def outbox_status_update(
        self,
        provider_message_id: str,
        delivery_status: str,
        error_code: str | None = None,
        *,
        message_id: str | None = None,
    ) -> bool:
        if message_id is not None:
            row = self._outbox_row(message_id)
        else:
            row = self._db.scalar(
                select(m.OutboxRow)
                .where(m.OutboxRow.provider_message_id == provider_message_id)
                .limit(1)
            )
        if row is None:
            return False
        if row.provider_message_id is None:
            row.provider_message_id = provider_message_id
        if delivery_advances(row.delivery_status, delivery_status):
            row.delivery_status = delivery_status
            row.delivery_error_code = error_code
        self._db.flush()
        return True


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def outbox_record(row: m.OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        message_id=row.id,
        participant_id=row.participant_id,
        channel=row.channel,
        text=row.text,
        created_at=row.created_at,
        choices=tuple(json.loads(row.choices_json)),
        language=row.language,
        encoding=row.encoding,
        segments=row.segments,
        status=cast(OutboxStatus, row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        provider_message_id=row.provider_message_id,
        last_error=row.last_error,
        sent_at=row.sent_at,
        failed_at=row.failed_at,
        delivery_status=row.delivery_status,
        delivery_error_code=row.delivery_error_code,
    )
