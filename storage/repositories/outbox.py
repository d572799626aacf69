"""The outbox: messages to send, written in the same unit of work as the turn that made them.
See storage.unit_of_work for the exactly-once rules. The recipient's address is kept encrypted
only until the message is sent or fails.

Dead letters: a claimed message whose recipient cannot be decrypted (encrypted under a key no
longer in the keyring, or damaged) is marked `dead` by the claim and not returned; it is never
claimed again and no longer holds back later messages to the same recipient."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.queues import (
    CLAIM_PLAN,
    constant,
    delivery_advances,
    lease_until,
    short_error,
    status_in,
)
from storage.records import DeadLetter, OutboxMessage
from storage.repositories.rows import is_postgres, outbox_message, utc_or_none
from storage.timestamps import as_utc

OPEN = ("pending", "sending")
# The table's own INSERT, for one row or a turn's replies at once (executemany): nothing reads
# the new rows back as objects in the same unit of work.
_ADD = insert(m.OutboxRow.__table__)  # type: ignore[arg-type]  # a Table, typed as FromClause


def claim_query(channel: str, limit: int, now: datetime, *, postgres: bool) -> Select[Any]:
    """The claim's SELECT of message seqs (EXPLAINed by `python -m bench.claims`): it walks the
    partial index of unsent messages (`ix_outbox_open`: channel, then replies before bulk
    messages, then seq), keeping a message
    only when it is the first unsent one to its recipient, read off `ix_outbox_open_recipient`
    by a correlated subquery (one probe per message; see storage.repositories.inbox). Statuses
    and LIMIT are constants in the SQL, so the plan holds before ANALYZE, after it, and as a
    prepared statement's generic plan. A `sending` message is due again when its lease
    (`next_attempt_at`) has run out."""
    earlier = aliased(m.OutboxRow)
    first_to_recipient = (
        select(func.min(earlier.seq))
        .where(
            earlier.recipient_hmac == m.OutboxRow.recipient_hmac,
            earlier.channel == m.OutboxRow.channel,
            status_in(earlier.status, *OPEN),
        )
        .scalar_subquery()
    )
    query = (
        select(m.OutboxRow.seq)
        .where(
            m.OutboxRow.channel == channel,
            status_in(m.OutboxRow.status, *OPEN),
            or_(
                and_(
                    status_in(m.OutboxRow.status, "pending"),
                    or_(
                        m.OutboxRow.next_attempt_at.is_(None),
                        m.OutboxRow.next_attempt_at <= now,
                    ),
                ),
                and_(status_in(m.OutboxRow.status, "sending"), m.OutboxRow.next_attempt_at <= now),
            ),
            m.OutboxRow.seq <= first_to_recipient,  # equal, in fact: see inbox.claim_query
        )
        .order_by(m.OutboxRow.bulk, m.OutboxRow.seq)
        .limit(constant(limit))
    )
    if postgres:
        query = query.with_for_update(skip_locked=True, of=m.OutboxRow)
    return query


class Outbox:
    def __init__(self, db: Session, cipher: AddressCipher) -> None:
        self._db = db
        self._cipher = cipher
        self._postgres = is_postgres(db)

    def add(self, *messages: OutboxMessage, address: str) -> None:
        """Queues messages to `address` on each message's channel, in ONE statement (a turn's
        replies together): the address the person's message came from (the inbox worker has
        it; nothing is decrypted again), which also reaches a person erased in this very turn
        (`participant_id` None). A message id used before is refused by the database (unique
        `id`)."""
        if not messages:
            return
        self._db.execute(_ADD, [self._values(message, address) for message in messages])

    def _values(self, message: OutboxMessage, address: str) -> dict[str, Any]:
        return {
            "id": message.message_id,
            "participant_id": message.participant_id,
            "channel": message.channel,
            "recipient_hmac": self._cipher.lookup(message.channel, address),
            "recipient_ciphertext": self._cipher.encrypt_address(message.channel, address),
            "text": message.text,
            "choices_json": json.dumps(list(message.choices), ensure_ascii=False),
            "language": message.language,
            "encoding": message.encoding,
            "segments": message.segments,
            "status": message.status,
            "attempts": message.attempts,
            "next_attempt_at": utc_or_none(message.next_attempt_at),
            "provider_message_id": message.provider_message_id,
            "bulk": message.bulk,
            "last_error": message.last_error,
            "created_at": as_utc(message.created_at),
            "sent_at": utc_or_none(message.sent_at),
            "failed_at": utc_or_none(message.failed_at),
            "delivery_status": message.delivery_status,
            "delivery_error_code": message.delivery_error_code,
        }

    def add_many(self, messages: list[tuple[OutboxMessage, str]]) -> None:
        """`add` for many (message, address) pairs in one batched INSERT (a broadcast)."""
        if messages:
            self._db.execute(
                _ADD, [self._values(message, address) for message, address in messages]
            )

    def claim(
        self, channel: str, limit: int, at: datetime, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Marks up to `limit` due messages `sending` (attempts + 1, lease until
        `at + lease_seconds`) and returns them: pending and due, or sending with an expired
        lease. At most one per recipient, and never one while an earlier one to the same
        recipient is unsent, so a person's messages go out in order. Commit before sending."""
        claimed = self._claim_rows(channel, limit, at, lease_seconds)
        return [outbox_message(row) for row, _ in claimed]

    def claim_addressed(
        self, channel: str, limit: int, at: datetime, lease_seconds: float
    ) -> list[tuple[OutboxMessage, str | None]]:
        """`claim`, each message with its decrypted recipient (None once wiped), read from the
        claimed rows themselves: no second look-up per message. Never log the addresses."""
        claimed = self._claim_rows(channel, limit, at, lease_seconds)
        return [(outbox_message(row), address) for row, address in claimed]

    def _claim_rows(
        self, channel: str, limit: int, at: datetime, lease_seconds: float
    ) -> list[tuple[m.OutboxRow, str | None]]:
        """The claimed rows with their decrypted recipients; a row whose recipient cannot be
        decrypted is dead instead (it never blocks the messages behind it)."""
        now = as_utc(at)
        seqs = claim_query(channel, limit, now, postgres=self._postgres).scalar_subquery()
        if self._postgres:
            self._db.execute(text(CLAIM_PLAN))
        # One statement: the claim's SELECT feeds the UPDATE, which returns the claimed rows.
        rows = self._db.scalars(
            update(m.OutboxRow)
            .where(m.OutboxRow.seq.in_(seqs))
            .values(
                status="sending",
                attempts=m.OutboxRow.attempts + 1,
                next_attempt_at=lease_until(now, lease_seconds),
            )
            .returning(m.OutboxRow),
            execution_options={"synchronize_session": False, "populate_existing": True},
        ).all()
        claimed: list[tuple[m.OutboxRow, str | None]] = []
        for row in sorted(rows, key=lambda row: (row.bulk, row.seq)):  # the claim's order
            try:
                address = self._decrypt(row)
            except DecryptionError as exc:
                # Retrying cannot help while the keyring stays as it is.
                self._dead(row.seq, type(exc).__name__, now)
                continue
            claimed.append((row, address))
        return claimed

    def _decrypt(self, row: m.OutboxRow) -> str | None:
        if row.recipient_ciphertext is None:
            return None
        return self._cipher.decrypt_address(row.channel, row.recipient_ciphertext)

    def _dead(self, seq: int, error: str, at: datetime) -> None:
        self._db.execute(
            update(m.OutboxRow)
            .where(m.OutboxRow.seq == seq)
            .values(
                status="dead",
                last_error=short_error(error),
                failed_at=as_utc(at),
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        """Dead messages, oldest first: ids, channels, times, attempts and error types only."""
        rows = self._db.execute(
            select(
                m.OutboxRow.id,
                m.OutboxRow.channel,
                m.OutboxRow.created_at,
                m.OutboxRow.attempts,
                m.OutboxRow.last_error,
            )
            .where(m.OutboxRow.status == "dead")
            .order_by(m.OutboxRow.seq)
            .limit(limit)
        )
        return [DeadLetter("outbox", r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def _row(self, message_id: str) -> m.OutboxRow | None:
        return self._db.scalar(select(m.OutboxRow).where(m.OutboxRow.id == message_id))

    def get(self, message_id: str) -> OutboxMessage | None:
        row = self._row(message_id)
        return None if row is None else outbox_message(row)

    def by_provider_id(self, provider_message_id: str) -> OutboxMessage | None:
        """The message a provider id was recorded for (by `sent` or a status callback), or
        None: lets SMS reconciliation skip provider messages already accounted for."""
        row = self._db.scalar(
            select(m.OutboxRow)
            .where(m.OutboxRow.provider_message_id == provider_message_id)
            .limit(1)
        )
        return None if row is None else outbox_message(row)

    def address(self, message_id: str) -> str | None:
        """The decrypted recipient, for the sender only; None once sent or failed."""
        row = self._row(message_id)
        return None if row is None else self._decrypt(row)

    def sent(self, message_id: str, provider_message_id: str, at: datetime) -> None:
        """Sent: the provider's id kept, the recipient wiped. A no-op when the message was
        erased while it was being sent."""
        self._set(
            message_id,
            status="sent",
            provider_message_id=provider_message_id,
            sent_at=as_utc(at),
            next_attempt_at=None,
            recipient_ciphertext=None,
        )

    def retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None:
        self._set(
            message_id,
            status="pending",
            last_error=short_error(error),
            next_attempt_at=as_utc(next_attempt_at),
        )

    def failed(self, message_id: str, error: str, at: datetime) -> None:
        """Given up: the recipient wiped."""
        self._set(
            message_id,
            status="failed",
            last_error=short_error(error),
            failed_at=as_utc(at),
            next_attempt_at=None,
            recipient_ciphertext=None,
        )

    def _set(self, message_id: str, **values: object) -> None:
        self._db.execute(
            update(m.OutboxRow)
            .where(m.OutboxRow.id == message_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self._db.expire_all()

    def purge(self, before: datetime) -> int:
        """Deletes sent, failed and dead messages created before `before`; returns how many.
        Pending and sending messages stay, however old."""
        result = self._db.execute(
            delete(m.OutboxRow).where(
                m.OutboxRow.status.in_(["sent", "failed", "dead"]),
                m.OutboxRow.created_at < as_utc(before),
            )
        )
        self._db.expire_all()
        return int(getattr(result, "rowcount", 0) or 0)

    def status_update(
        self,
        provider_message_id: str,
        delivery_status: str,
        error_code: str | None = None,
        *,
        message_id: str | None = None,
    ) -> bool:
        """Records a provider status callback; False when no such message. A callback can beat
        `sent` to the database: give `message_id` (ours, e.g. carried in the callback URL) and
        the message is found by it. A status never replaces one further along."""
        if message_id is not None:
            row = self._row(message_id)
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
