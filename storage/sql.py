"""The SQLAlchemy repository: one `SqlRepository` is one unit of work (one ORM Session).

Exactly once, end to end
------------------------
Providers deliver at least once and a process can die at any line, so Heard makes each step
either repeatable or recorded before it has effects:

1. Inbound. The webhook calls `inbox_add` and commits before answering the provider. The unique
   (channel, provider_key) constraint turns a repeated delivery into `False` and one row, even
   when two deliveries race: the insert runs in a SAVEPOINT, so the losing IntegrityError
   leaves the caller's unit of work usable.
2. The turn. A worker claims items (`inbox_claim`: `processing`, `claimed_at`, attempts + 1;
   `FOR UPDATE SKIP LOCKED` on PostgreSQL so workers never wait for or take each other's rows).
   The engine's turn, the session, everything the person told us, the reply rows in `outbox`
   and `inbox_done` are then committed in ONE transaction. A crash before that commit leaves
   the item `processing`; once the lease runs out, another claim takes it and the turn runs
   again from the same stored session, as if for the first time. A crash after it leaves
   nothing to redo. So each inbound message changes the store once.
3. Sending. `outbox_claim` marks a message `sending` with attempts + 1 and a lease, and that is
   committed BEFORE the provider is called; `outbox_sent` (or `outbox_retry` / `outbox_failed`)
   is committed after. A worker that dies mid-send leaves `sending` with a lease; when it
   expires the message is claimed again, and the attempts counter shows how often that has
   happened, so the sender gives up after a few. The only window for a duplicate is a crash
   between the provider accepting a message and `sent` being committed; no message is lost.
4. Order. A claim never returns a message while an earlier one to the same recipient is
   unsent, nor an inbound item while an earlier one from the same sender is unfinished, so a
   person's messages are handled and delivered in order, one at a time.

Addresses and inbound payloads are stored only as AES-GCM ciphertext (storage.crypto); this
module never logs them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher, normalise_address
from storage.privacy import (
    PersonData,
    StoredAddress,
    erased_provider_key,
    erasure_totals,
    export_document,
    latest_by,
    payload_mentions,
)
from storage.records import (
    ConsentEntry,
    GroupInterest,
    HandoverRequest,
    LoggedMessage,
    Participant,
    ProfileAnswer,
    SafeguardingAlertRecord,
    TotalCount,
    ViewRecord,
)
from storage.sql_queues import INBOX_PURPOSE, SqlQueues, outbox_record
from storage.timestamps import as_utc


def new_participant_id() -> str:
    return secrets.token_hex(16)


class SqlStore:
    """Opens units of work on one engine; the host opens one per turn."""

    def __init__(self, engine: Engine, cipher: AddressCipher) -> None:
        self.engine = engine
        self.cipher = cipher

    def repository(self) -> SqlRepository:
        return SqlRepository(self.engine, self.cipher)


class SqlRepository(SqlQueues):
    def __init__(self, engine: Engine, cipher: AddressCipher) -> None:
        self._db = Session(engine, expire_on_commit=False, autoflush=True)
        self._cipher = cipher
        self._postgres = engine.dialect.name == "postgresql"

    # --- units of work
    def __enter__(self) -> SqlRepository:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._db.rollback()
        self._db.close()  # anything not committed is dropped

    def commit(self) -> None:
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()

    def close(self) -> None:
        self._db.close()

    # --- participants and their addresses
    def _address_row(self, channel: str, address: str) -> m.AddressRow | None:
        digest = self._cipher.lookup(channel, address)
        return self._db.scalar(
            select(m.AddressRow).where(
                m.AddressRow.channel == channel, m.AddressRow.address_hmac == digest
            )
        )

    def participant_for(self, channel: str, address: str, at: datetime) -> Participant:
        found = self.find_participant(channel, address)
        if found is not None:
            return found
        participant_id = new_participant_id()
        try:
            with self._db.begin_nested():
                self._db.add(
                    m.ParticipantRow(
                        id=participant_id,
                        created_at=as_utc(at),
                        language=None,
                        register="standard",
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
                        created_at=as_utc(at),
                    )
                )
                self._db.flush()
        except IntegrityError:
            # Another unit of work registered the same address first; use theirs.
            found = self.find_participant(channel, address)
            if found is None:
                raise
            return found
        result = self.get_participant(participant_id)
        assert result is not None
        return result

    def find_participant(self, channel: str, address: str) -> Participant | None:
        row = self._address_row(channel, address)
        return None if row is None else self.get_participant(row.participant_id)

    def get_participant(self, participant_id: str) -> Participant | None:
        row = self._db.get(m.ParticipantRow, participant_id)
        return None if row is None else _participant(row)

    def address_of(self, participant_id: str, channel: str) -> str | None:
        row = self._db.scalar(
            select(m.AddressRow)
            .where(m.AddressRow.participant_id == participant_id, m.AddressRow.channel == channel)
            .order_by(m.AddressRow.id)
            .limit(1)
        )
        if row is None:
            return None
        return self._cipher.decrypt_address(channel, row.address_ciphertext)

    def update_participant(
        self,
        participant_id: str,
        *,
        language: str | None = None,
        register: str | None = None,
        opted_out: bool | None = None,
    ) -> None:
        row = self._db.get(m.ParticipantRow, participant_id)
        if row is None:
            raise KeyError(participant_id)
        if language is not None:
            row.language = language
        if register is not None:
            row.register = register
        if opted_out is not None:
            row.opted_out = opted_out
        self._db.flush()

    # --- conversation state
    def load_session(self, participant_id: str) -> str | None:
        row = self._db.get(m.SessionRow, participant_id)
        return None if row is None else row.session_json

    def save_session(self, participant_id: str, session_json: str, at: datetime) -> None:
        row = self._db.get(m.SessionRow, participant_id)
        if row is None:
            self._db.add(
                m.SessionRow(
                    participant_id=participant_id, session_json=session_json, updated_at=as_utc(at)
                )
            )
        else:
            row.session_json = session_json
            row.updated_at = as_utc(at)
        self._db.flush()

    # --- what people told us
    def record_consent(self, entry: ConsentEntry) -> None:
        self._db.add(
            m.ConsentRow(
                participant_id=entry.participant_id,
                purpose=entry.purpose,
                granted=entry.granted,
                text_id=entry.text_id,
                language=entry.language,
                channel=entry.channel,
                at=as_utc(entry.at),
            )
        )
        self._db.flush()

    def consents(self, participant_id: str) -> dict[str, bool]:
        return {
            purpose: entry.granted
            for purpose, entry in latest_by(self.consent_history(participant_id)).items()
        }

    def consent_history(self, participant_id: str) -> list[ConsentEntry]:
        rows = self._db.scalars(
            select(m.ConsentRow)
            .where(m.ConsentRow.participant_id == participant_id)
            .order_by(m.ConsentRow.id)
        )
        return [_consent(row) for row in rows]

    def save_view(self, view: ViewRecord) -> None:
        self._db.add(
            m.ViewRow(
                view_id=view.view_id,
                participant_id=view.participant_id,
                consultation=view.consultation,
                flow=view.flow,
                question_id=view.question_id,
                question_text=view.question_text,
                answer_value=view.answer_value,
                original_text=view.original_text,
                language=view.language,
                register=view.register,
                channel=view.channel,
                at=as_utc(view.at),
            )
        )
        self._db.flush()

    def withdraw_answer(
        self, participant_id: str, flow: str, question_id: str, field: str
    ) -> None:
        self._db.execute(
            delete(m.ViewRow).where(
                m.ViewRow.participant_id == participant_id,
                m.ViewRow.flow == flow,
                m.ViewRow.question_id == question_id,
            )
        )
        self._db.execute(
            delete(m.ProfileAnswerRow).where(
                m.ProfileAnswerRow.participant_id == participant_id,
                m.ProfileAnswerRow.field == field,
            )
        )
        self._db.flush()

    def save_profile_answer(self, answer: ProfileAnswer) -> None:
        self._db.add(
            m.ProfileAnswerRow(
                participant_id=answer.participant_id,
                field=answer.field,
                value=answer.value,
                at=as_utc(answer.at),
            )
        )
        self._db.flush()

    def save_group_interest(self, interest: GroupInterest) -> None:
        self._db.add(
            m.GroupInterestRow(
                participant_id=interest.participant_id,
                topics_json=json.dumps(list(interest.topics), ensure_ascii=False),
                availability_json=json.dumps(list(interest.availability), ensure_ascii=False),
                access_needs_json=json.dumps(list(interest.access_needs), ensure_ascii=False),
                interpreter_language=interest.interpreter_language,
                contact_method=interest.contact_method,
                language=interest.language,
                channel=interest.channel,
                at=as_utc(interest.at),
            )
        )
        self._db.flush()

    def record_handover(self, request: HandoverRequest) -> None:
        self._db.add(
            m.HandoverRow(
                participant_id=request.participant_id,
                reason=request.reason,
                flow=request.flow,
                step=request.step,
                language=request.language,
                channel=request.channel,
                at=as_utc(request.at),
            )
        )
        self._db.flush()

    def record_safeguarding_alert(self, alert: SafeguardingAlertRecord) -> None:
        self._db.add(
            m.SafeguardingAlertRow(
                participant_id=alert.participant_id,
                kind=alert.kind,
                matched=alert.matched,
                language=alert.language,
                channel=alert.channel,
                at=as_utc(alert.at),
            )
        )
        self._db.flush()

    def log_message(self, message: LoggedMessage) -> None:
        self._db.add(
            m.MessageLogRow(
                participant_id=message.participant_id,
                direction=message.direction,
                channel=message.channel,
                text=message.text,
                text_id=message.text_id,
                language=message.language,
                at=as_utc(message.at),
            )
        )
        self._db.flush()

    def message_log_clear_text(self, before: datetime) -> int:
        result = self._db.execute(
            update(m.MessageLogRow)
            .where(m.MessageLogRow.at < as_utc(before), m.MessageLogRow.text.is_not(None))
            .values(text=None)
            .execution_options(synchronize_session=False)
        )
        self._db.expire_all()
        return int(getattr(result, "rowcount", 0) or 0)

    # --- coordinators
    def views(self, consultation: str | None = None) -> Iterator[ViewRecord]:
        query = select(m.ViewRow).order_by(m.ViewRow.at, m.ViewRow.view_id)
        if consultation is not None:
            query = query.where(m.ViewRow.consultation == consultation)
        return iter([_view(row) for row in self._db.scalars(query)])

    def participants(self) -> Iterator[Participant]:
        query = select(m.ParticipantRow).order_by(m.ParticipantRow.created_at, m.ParticipantRow.id)
        return iter([_participant(row) for row in self._db.scalars(query)])

    def anonymous_totals(self) -> list[TotalCount]:
        rows = self._db.scalars(
            select(m.AnonymousTotalRow).order_by(
                m.AnonymousTotalRow.metric,
                m.AnonymousTotalRow.subject,
                m.AnonymousTotalRow.language,
                m.AnonymousTotalRow.channel,
            )
        )
        return [
            TotalCount(row.metric, row.subject, row.language, row.channel, row.count)
            for row in rows
        ]

    # --- privacy
    def _person_data(self, participant_id: str) -> PersonData | None:
        participant = self.get_participant(participant_id)
        if participant is None:
            return None
        db = self._db
        addresses = [
            StoredAddress(
                row.channel,
                self._cipher.decrypt_address(row.channel, row.address_ciphertext),
                row.created_at,
            )
            for row in db.scalars(
                select(m.AddressRow)
                .where(m.AddressRow.participant_id == participant_id)
                .order_by(m.AddressRow.id)
            )
        ]
        return PersonData(
            participant=participant,
            addresses=addresses,
            session_json=self.load_session(participant_id),
            consents=self.consent_history(participant_id),
            views=[
                _view(row)
                for row in db.scalars(
                    select(m.ViewRow)
                    .where(m.ViewRow.participant_id == participant_id)
                    .order_by(m.ViewRow.at, m.ViewRow.view_id)
                )
            ],
            profile_answers=[
                ProfileAnswer(row.participant_id, row.field, row.value, row.at)
                for row in db.scalars(_of(m.ProfileAnswerRow, participant_id))
            ],
            group_interests=[
                _group(row) for row in db.scalars(_of(m.GroupInterestRow, participant_id))
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
                for row in db.scalars(_of(m.HandoverRow, participant_id))
            ],
            alerts=[
                SafeguardingAlertRecord(
                    row.participant_id, row.kind, row.matched, row.language, row.channel, row.at
                )
                for row in db.scalars(_of(m.SafeguardingAlertRow, participant_id))
            ],
            messages=[
                LoggedMessage(
                    row.participant_id,
                    row.direction,
                    row.channel,
                    row.text,
                    row.text_id,
                    row.language,
                    row.at,
                )
                for row in db.scalars(_of(m.MessageLogRow, participant_id))
            ],
            outbox=[outbox_record(row) for row in self._outbox_rows_of(participant_id, addresses)],
            inbox=[self._inbox(row) for row in self._inbox_rows_of(participant_id, addresses)],
        )

    def _outbox_rows_of(
        self, participant_id: str, addresses: Sequence[StoredAddress]
    ) -> list[m.OutboxRow]:
        recipients = [
            and_(
                m.OutboxRow.channel == a.channel,
                m.OutboxRow.recipient_hmac == self._cipher.lookup(a.channel, a.address),
            )
            for a in addresses
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
            and_(
                m.InboxRow.channel == a.channel,
                m.InboxRow.sender_hmac == self._cipher.lookup(a.channel, a.address),
            )
            for a in addresses
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
            payload = self._cipher.decrypt_json(row.payload_ciphertext, INBOX_PURPOSE)
            if payload_mentions(row.channel, payload, by_channel[row.channel]):
                matched.append(row)
        return sorted(matched, key=lambda row: row.id)

    def export_participant(self, participant_id: str) -> dict[str, Any]:
        data = self._person_data(participant_id)
        if data is None:
            raise KeyError(participant_id)
        return export_document(data)

    def provider_message_ids(self, participant_id: str) -> list[tuple[str, str]]:
        data = self._person_data(participant_id)
        if data is None:
            return []
        return [
            (message.channel, message.provider_message_id)
            for message in data.outbox
            if message.provider_message_id is not None
        ]

    def erase_participant(self, participant_id: str, at: datetime) -> None:
        data = self._person_data(participant_id)
        if data is None:
            return
        for (metric, subject, language, channel), count in erasure_totals(data).items():
            self._add_total(metric, subject, language, channel, count)
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
        for table in (
            m.MessageLogRow,
            m.SafeguardingAlertRow,
            m.HandoverRow,
            m.GroupInterestRow,
            m.ProfileAnswerRow,
            m.ViewRow,
            m.ConsentRow,
            m.SessionRow,
            m.AddressRow,
        ):
            self._db.execute(delete(table).where(table.participant_id == participant_id))
        self._db.execute(delete(m.ParticipantRow).where(m.ParticipantRow.id == participant_id))
        self._db.expire_all()

    def _add_total(self, metric: str, subject: str, language: str, channel: str, n: int) -> None:
        values = {
            "metric": metric,
            "subject": subject,
            "language": language,
            "channel": channel,
            "count": n,
        }
        insert = postgresql.insert if self._postgres else sqlite.insert
        statement = insert(m.AnonymousTotalRow).values(**values)
        self._db.execute(
            statement.on_conflict_do_update(
                index_elements=["metric", "subject", "language", "channel"],
                set_={"count": m.AnonymousTotalRow.count + statement.excluded["count"]},
            )
        )


def _of(table: Any, participant_id: str) -> Any:
    return select(table).where(table.participant_id == participant_id).order_by(table.id)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _participant(row: m.ParticipantRow) -> Participant:
    return Participant(row.id, row.created_at, row.language, row.register, row.opted_out)


def _consent(row: m.ConsentRow) -> ConsentEntry:
    return ConsentEntry(
        row.participant_id, row.purpose, row.granted, row.text_id, row.language, row.channel, row.at
    )


def _view(row: m.ViewRow) -> ViewRecord:
    return ViewRecord(
        view_id=row.view_id,
        participant_id=row.participant_id,
        consultation=row.consultation,
        flow=row.flow,
        question_id=row.question_id,
        question_text=row.question_text,
        answer_value=row.answer_value,
        original_text=row.original_text,
        language=row.language,
        register=row.register,
        channel=row.channel,
        at=row.at,
    )


def _group(row: m.GroupInterestRow) -> GroupInterest:
    return GroupInterest(
        participant_id=row.participant_id,
        topics=tuple(json.loads(row.topics_json)),
        availability=tuple(json.loads(row.availability_json)),
        access_needs=tuple(json.loads(row.access_needs_json)),
        interpreter_language=row.interpreter_language,
        contact_method=row.contact_method,
        language=row.language,
        channel=row.channel,
        at=row.at,
    )

