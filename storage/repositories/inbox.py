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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, bindparam, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.privacy import erased_provider_keys, payload_senders
from storage.queues import CLAIM_PLAN, constant, lease_expired_before, short_error, status_in
from storage.records import DeadLetter, InboxItem
from storage.repositories.rows import INBOX_PURPOSE, inbox_item, is_postgres
from storage.timestamps import as_utc

OPEN = ("pending", "processing")
_ADDED = (
    "channel", "provider_key", "received_at", "payload_ciphertext", "sender_hmac",
    "participant_id", "status", "attempts",
)


@cache
def _add_statement(postgres: bool) -> Insert:
    """`inbox.add`'s INSERT: the row, unless a tombstone of the same delivery exists (its
    sender was erased) or the unique (channel, provider_key) refuses it, a racing repeat
    included (ON CONFLICT DO NOTHING). Built once: only its parameters change."""
    table = m.InboxRow.__table__
    params = {name: bindparam(name, type_=table.c[name].type) for name in _ADDED}
    tombstone = exists().where(
        m.InboxRow.channel == params["channel"],
        # The tombstone's key under every key of the keyring (storage.privacy).
        m.InboxRow.provider_key.in_(
            bindparam("erased_keys", type_=table.c.provider_key.type, expanding=True)
        ),
    )
    row = select(*(params[name].label(name) for name in _ADDED)).where(~tombstone)
    insert = postgresql.insert if postgres else sqlite.insert
    return insert(m.InboxRow).from_select(list(_ADDED), row).on_conflict_do_nothing(
        index_elements=["channel", "provider_key"]
    )


# `Inbox.add_many` on PostgreSQL: a batch of deliveries in ONE statement, whatever its size
# (one round trip instead of one per message; the text never changes, so psycopg prepares it
# once). Each row is one element of the parallel arrays, numbered by ORDINALITY; its tombstone
# keys (storage.privacy) come as (row number, key) pairs. Rows go in in batch order (ids, and so
# claims, follow arrival); a key met twice keeps its first row (ON CONFLICT DO NOTHING also
# skips a repeat within the statement). RETURNING names the rows added.
_ADD_MANY_POSTGRES = """
INSERT INTO inbox (channel, provider_key, received_at, payload_ciphertext, sender_hmac,
                   participant_id, status, attempts)
SELECT v.channel, v.provider_key, v.received_at, v.payload_ciphertext, v.sender_hmac,
       NULL, 'pending', 0
FROM unnest(%(channel)s::varchar[], %(provider_key)s::varchar[], %(received_at)s::timestamptz[],
            %(payload)s::bytea[], %(sender_hmac)s::varchar[])
     WITH ORDINALITY AS v(channel, provider_key, received_at, payload_ciphertext, sender_hmac, n)
WHERE NOT EXISTS (
    SELECT 1
    FROM unnest(%(erased_row)s::bigint[], %(erased_key)s::varchar[]) AS e(n, key)
    JOIN inbox AS t ON t.channel = v.channel AND t.provider_key = e.key
    WHERE e.n = v.n
)
ORDER BY v.n
ON CONFLICT (channel, provider_key) DO NOTHING
RETURNING channel, provider_key
"""


@dataclass(frozen=True)
class Delivery:
    """One inbound delivery for `Inbox.add_many` (the arguments of `Inbox.add`)."""

    channel: str
    provider_key: str
    payload: dict[str, Any]
    at: datetime
    sender: str | None = None


def claim_query(limit: int, at: datetime, lease_seconds: float, *, postgres: bool) -> Select[Any]:
    """The claim's SELECT of item ids (EXPLAINed by `python -m bench.claims`): it walks the
    partial index of unfinished items (`ix_inbox_open`) in id order, keeping an item only when
    it is the first unfinished one of its sender, which a correlated subquery reads off
    `ix_inbox_open_sender` (one index probe per item; a subquery, unlike NOT EXISTS, cannot be
    planned as a hash join over every waiting row). Statuses and LIMIT are constants in the
    SQL, so the plan is the same before ANALYZE, after it, and as a prepared statement's
    generic plan. The first item's id is compared with `<=` (it can only be equal: the item
    itself is unfinished): the planner guesses a third of rows pass an inequality but few pass
    an equality, and would then sort every waiting item instead of walking the index.
    """
    expired = lease_expired_before(as_utc(at), lease_seconds)
    earlier = aliased(m.InboxRow)
    first_of_sender = (
        select(func.min(earlier.id))
        .where(
            earlier.sender_hmac == m.InboxRow.sender_hmac,
            earlier.channel == m.InboxRow.channel,
            status_in(earlier.status, *OPEN),
        )
        .scalar_subquery()
    )
    query = (
        select(m.InboxRow.id)
        .where(
            status_in(m.InboxRow.status, *OPEN),
            or_(status_in(m.InboxRow.status, "pending"), m.InboxRow.claimed_at <= expired),
            or_(m.InboxRow.sender_hmac.is_(None), m.InboxRow.id <= first_of_sender),
        )
        .order_by(m.InboxRow.id)
        .limit(constant(limit))
    )
    if postgres:
        query = query.with_for_update(skip_locked=True, of=m.InboxRow)
    return query


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
        racing this one (ON CONFLICT DO NOTHING: the loser's unit of work stays usable), or a
        late repeat of a delivery whose sender was erased. `sender`
        (the address, optional) lets claims keep one sender's messages in order."""
        senders = [sender] if sender else payload_senders(channel, payload)
        # ONE statement, built once (storage.repositories.inbox._add_statement).
        result = self._db.connection().execute(
            _add_statement(self._postgres),
            {
                "channel": channel,
                "provider_key": provider_key,
                "received_at": as_utc(at),
                "payload_ciphertext": self._cipher.encrypt_json(payload, INBOX_PURPOSE),
                "sender_hmac": self._cipher.lookup(channel, senders[0]) if senders else None,
                "participant_id": None,
                "status": "pending",
                "attempts": 0,
                "erased_keys": list(erased_provider_keys(self._cipher, channel, provider_key)),
            },
            execution_options={"preserve_rowcount": True},  # an INSERT's count is kept only so
        )
        return result.rowcount == 1

    def add_many(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """`add` for each delivery, in order (True: added; False: seen before, in the store or
        earlier in `deliveries`). PostgreSQL: one statement for them all (_ADD_MANY_POSTGRES);
        SQLite, in process, has no round trips to save and runs `add` for each."""
        if not self._postgres or len(deliveries) <= 1:
            return [
                self.add(d.channel, d.provider_key, d.payload, d.at, sender=d.sender)
                for d in deliveries
            ]
        columns: dict[str, list[Any]] = {
            name: [] for name in ("channel", "provider_key", "received_at", "payload",
                                  "sender_hmac", "erased_row", "erased_key")
        }
        for n, d in enumerate(deliveries, start=1):
            senders = [d.sender] if d.sender else payload_senders(d.channel, d.payload)
            columns["channel"].append(d.channel)
            columns["provider_key"].append(d.provider_key)
            columns["received_at"].append(as_utc(d.at))
            columns["payload"].append(self._cipher.encrypt_json(d.payload, INBOX_PURPOSE))
            columns["sender_hmac"].append(
                self._cipher.lookup(d.channel, senders[0]) if senders else None
            )
            for key in erased_provider_keys(self._cipher, d.channel, d.provider_key):
                columns["erased_row"].append(n)
                columns["erased_key"].append(key)
        added = {
            (row[0], row[1])
            for row in self._db.connection().exec_driver_sql(_ADD_MANY_POSTGRES, columns)
        }
        results: list[bool] = []
        for d in deliveries:
            results.append((d.channel, d.provider_key) in added)
            added.discard((d.channel, d.provider_key))  # a repeat later in the batch: False
        return results

    def claim(self, limit: int, at: datetime, lease_seconds: float) -> list[InboxItem]:
        """Marks up to `limit` items `processing` (claimed_at, attempts + 1) and returns them:
        pending ones, or processing ones whose claim is older than the lease. At most one per
        sender, and never one while an earlier one from the same sender is unfinished."""
        ids = claim_query(limit, at, lease_seconds, postgres=self._postgres).scalar_subquery()
        if self._postgres:
            self._db.execute(text(CLAIM_PLAN))
        # One statement: the claim's SELECT feeds the UPDATE, which returns the claimed rows.
        rows = self._db.scalars(
            update(m.InboxRow)
            .where(m.InboxRow.id.in_(ids))
            .values(status="processing", claimed_at=as_utc(at), attempts=m.InboxRow.attempts + 1)
            .returning(m.InboxRow),
            execution_options={"synchronize_session": False, "populate_existing": True},
        ).all()
        items: list[InboxItem] = []
        for row in sorted(rows, key=lambda row: row.id):
            try:
                items.append(inbox_item(row, self._cipher))
            except DecryptionError as exc:
                # Retrying cannot help while the keyring stays as it is.
                self.dead(row.id, type(exc).__name__, at)
        return items

    def newest_id(self) -> int:
        """The id of the newest item (0 for none): it changes whenever a webhook is recorded,
        which is how a worker in another process sees the web side busy (bot.inbox.pacing).
        One look at the primary key's index."""
        return self._db.scalar(select(func.max(m.InboxRow.id))) or 0

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
