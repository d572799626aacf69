"""The inbox: inbound deliveries, recorded (encrypted) before the webhook answers the provider,
claimed by workers and marked done in the turn's own transaction. See storage.unit_of_work for
the exactly-once rules. Claims lock rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite
the unit of work already holds the write lock (BEGIN IMMEDIATE, storage.db).

Dead letters: an item whose payload cannot be decrypted (queued under a key no longer in the
keyring, or damaged) is marked `dead` by the claim that finds it; an item whose turn fails
`dead_after` times (`failure`) is marked `dead` too. A dead item is never claimed again and,
being finished, no longer holds back anything: the same sender's later messages proceed.
Only the error's type is kept, never its text (it could quote the person's words)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.privacy import erased_provider_keys, payload_senders
from storage.queues import lease_expired_before, short_error
from storage.records import DeadLetter, InboxItem
from storage.repositories.rows import INBOX_PURPOSE, inbox_item, is_postgres
from storage.timestamps import as_utc


class Inbox:
    def __init__(self, db: Session, cipher: AddressCipher) -> None:
        self._db = db
        self._cipher = cipher
        self._postgres = is_postgres(db)

    def add(
        self,
        channel: str,
        provider_key: str,
        payload: dict[str, Any],
        at: datetime,
        *,
        sender: str | None = None,
    ) -> bool:
        """False when (channel, provider_key) was seen before: a repeated delivery, even one
        racing this one (the insert runs in a SAVEPOINT, so the losing IntegrityError leaves the
        unit of work usable), or a late repeat of a delivery whose sender was erased. `sender`
        (the address, optional) lets claims keep one sender's messages in order."""
        erased = erased_provider_keys(self._cipher, channel, provider_key)
        seen = self._db.scalar(
            select(
                exists().where(
                    m.InboxRow.channel == channel,
                    m.InboxRow.provider_key.in_([provider_key, *erased]),
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

    def claim(self, limit: int, at: datetime, lease_seconds: float) -> list[InboxItem]:
        """Marks up to `limit` items `processing` (claimed_at, attempts + 1) and returns them:
        pending ones, or processing ones whose claim is older than the lease. At most one per
        sender, and never one while an earlier one from the same sender is unfinished."""
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
        items: list[InboxItem] = []
        for row in rows:
            try:
                items.append(inbox_item(row, self._cipher))
            except DecryptionError as exc:
                # Retrying cannot help while the keyring stays as it is.
                self.dead(row.id, type(exc).__name__, at)
        return items

    def get(self, item_id: int) -> InboxItem | None:
        row = self._db.get(m.InboxRow, item_id)
        return None if row is None else inbox_item(row, self._cipher)

    def done(
        self, item_id: int, attempts: int, at: datetime, participant_id: str | None = None
    ) -> bool:
        """Marks the item handled, in ONE UPDATE guarded by the claim's attempts counter:
        False (nothing changed) when the item was claimed again since, by a worker that found
        our lease expired, or is gone. The caller then rolls its turn back: the other claim's
        turn counts. `participant_id` links the item to its sender (for erasure) and must name
        a person who exists; give None when the turn erased its sender (erasure has already
        emptied the item and kept it as a tombstone)."""
        result = self._db.execute(
            update(m.InboxRow)
            .where(m.InboxRow.id == item_id, m.InboxRow.attempts == attempts)
            .values(
                status="done", processed_at=as_utc(at), error=None, participant_id=participant_id
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def failure(
        self, item_id: int, attempts: int, error: str, at: datetime, *, dead_after: int
    ) -> bool:
        """Records a failed turn (`error`: a type or short reason, never the payload): the
        item is `dead` once `attempts` (the claim's counter) reaches `dead_after`, else
        pending again for the next claim. One UPDATE guarded by the claim's attempts counter,
        like `done` (a claim lost to another worker changes nothing). True when the item is now
        dead."""
        dead = attempts >= dead_after
        values: dict[str, object] = {"error": short_error(error), "claimed_at": None}
        if dead:
            values |= {"status": "dead", "processed_at": as_utc(at)}
        else:
            values |= {"status": "pending"}
        result = self._db.execute(
            update(m.InboxRow)
            .where(m.InboxRow.id == item_id, m.InboxRow.attempts == attempts)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return dead and bool(getattr(result, "rowcount", 0))

    def dead(self, item_id: int, error: str, at: datetime) -> None:
        """Gives the item up: `dead`, never claimed again, with a short reason."""
        self._db.execute(
            update(m.InboxRow)
            .where(m.InboxRow.id == item_id)
            .values(status="dead", processed_at=as_utc(at), error=short_error(error))
            .execution_options(synchronize_session=False)
        )

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        """Dead items, oldest first: ids, channels, times, attempts and error types only."""
        rows = self._db.execute(
            select(
                m.InboxRow.id,
                m.InboxRow.channel,
                m.InboxRow.received_at,
                m.InboxRow.attempts,
                m.InboxRow.error,
            )
            .where(m.InboxRow.status == "dead")
            .order_by(m.InboxRow.id)
            .limit(limit)
        )
        return [DeadLetter("inbox", str(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def failed(self, item_id: int, error: str, at: datetime) -> None:
        """Marks the item failed with a short reason (never the payload)."""
        self._db.execute(
            update(m.InboxRow)
            .where(m.InboxRow.id == item_id)
            .values(status="failed", processed_at=as_utc(at), error=short_error(error))
            .execution_options(synchronize_session=False)
        )

    def purge(self, before: datetime) -> int:
        """Deletes done, failed and dead items received before `before`; returns how many.
        Pending and processing items stay, however old."""
        result = self._db.execute(
            delete(m.InboxRow).where(
                m.InboxRow.status.in_(["done", "failed", "dead"]),
                m.InboxRow.received_at < as_utc(before),
            )
        )
        self._db.expire_all()
        return int(getattr(result, "rowcount", 0) or 0)
