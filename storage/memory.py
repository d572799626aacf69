"""An in-memory store with the SQL store's behaviour, for engine and service tests.

Each `MemoryRepository` works on a private copy of the store's state, taken when it opens (and
again after each commit or rollback); `commit()` publishes the copy. Units of work are not
isolated from each other beyond that: when two commit, the last one wins, so use one at a time.
Addresses and payloads are kept encrypted here too, so the fake exercises the same cipher.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from storage.crypto import AddressCipher, normalise_address
from storage.privacy import (
    ERASED_KEY_PREFIX,
    PersonData,
    StoredAddress,
    TotalKey,
    erased_provider_key,
    erasure_totals,
    export_document,
    latest_by,
    payload_mentions,
    payload_senders,
)
from storage.queues import delivery_advances, lease_expired_before, lease_until, short_error
from storage.records import (
    ConsentEntry,
    GroupInterest,
    HandoverRequest,
    InboxItem,
    InboxStatus,
    LoggedMessage,
    OutboxMessage,
    Participant,
    ProfileAnswer,
    SafeguardingAlertRecord,
    TotalCount,
    ViewRecord,
)
from storage.text import storable
from storage.timestamps import as_utc

INBOX_PURPOSE = "inbox"


@dataclass
class _Address:
    participant_id: str
    channel: str
    digest: str
    ciphertext: bytes
    created_at: datetime


@dataclass
class _Inbox:
    item_id: int
    channel: str
    provider_key: str
    received_at: datetime
    ciphertext: bytes | None
    sender_digest: str | None
    participant_id: str | None = None
    status: InboxStatus = "pending"
    attempts: int = 0
    claimed_at: datetime | None = None
    processed_at: datetime | None = None
    error: str | None = None


@dataclass
class _Outbox:
    seq: int
    message: OutboxMessage
    recipient_digest: str
    recipient_ciphertext: bytes | None


@dataclass
class _State:
    participants: dict[str, Participant] = field(default_factory=dict)
    addresses: list[_Address] = field(default_factory=list)
    sessions: dict[str, str] = field(default_factory=dict)
    consents: list[ConsentEntry] = field(default_factory=list)
    views: list[ViewRecord] = field(default_factory=list)
    profile_answers: list[ProfileAnswer] = field(default_factory=list)
    group_interests: list[GroupInterest] = field(default_factory=list)
    handovers: list[HandoverRequest] = field(default_factory=list)
    alerts: list[SafeguardingAlertRecord] = field(default_factory=list)
    messages: list[LoggedMessage] = field(default_factory=list)
    inbox: list[_Inbox] = field(default_factory=list)
    outbox: list[_Outbox] = field(default_factory=list)
    totals: Counter[TotalKey] = field(default_factory=Counter)
    last_id: int = 0


class MemoryStore:
    def __init__(self, cipher: AddressCipher) -> None:
        self.cipher = cipher
        self._state = _State()
        self._lock = threading.Lock()

    def repository(self) -> MemoryRepository:
        return MemoryRepository(self)

    def dump(self) -> str:
        """Everything the committed store holds, as text: what a database dump is to SQL."""
        with self._lock:
            return repr(self._state)

    def _snapshot(self) -> _State:
        with self._lock:
            return copy.deepcopy(self._state)

    def _publish(self, state: _State) -> None:
        with self._lock:
            self._state = copy.deepcopy(state)


def _at(record: Any) -> Any:
    """The record as the SQL store gives it back: times in UTC, NUL replaced in text (tuples
    are JSON there, which escapes NUL, so they keep it)."""
    changes: dict[str, Any] = {"at": as_utc(record.at)}
    for item in fields(record):
        value = getattr(record, item.name)
        if isinstance(value, str):
            changes[item.name] = storable(value)
    return replace(record, **changes)


class MemoryRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._cipher = store.cipher
        self._s = store._snapshot()

    # --- units of work
    def __enter__(self) -> MemoryRepository:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self._store._publish(self._s)

    def rollback(self) -> None:
        self._s = self._store._snapshot()

    def close(self) -> None:
        self.rollback()

    def _next_id(self) -> int:
        self._s.last_id += 1
        return self._s.last_id

    # --- participants and their addresses
    def _address(self, channel: str, address: str) -> _Address | None:
        digest = self._cipher.lookup(channel, address)
        for entry in self._s.addresses:
            if entry.channel == channel and entry.digest == digest:
                return entry
        return None

    def participant_for(self, channel: str, address: str, at: datetime) -> Participant:
        found = self.find_participant(channel, address)
        if found is not None:
            return found
        participant = Participant(secrets.token_hex(16), as_utc(at), None, "standard", False)
        self._s.participants[participant.participant_id] = participant
        self._s.addresses.append(
            _Address(
                participant.participant_id,
                channel,
                self._cipher.lookup(channel, address),
                self._cipher.encrypt_address(channel, address),
                as_utc(at),
            )
        )
        return participant

    def find_participant(self, channel: str, address: str) -> Participant | None:
        entry = self._address(channel, address)
        return None if entry is None else self._s.participants.get(entry.participant_id)

    def get_participant(self, participant_id: str) -> Participant | None:
        return self._s.participants.get(participant_id)

    def address_of(self, participant_id: str, channel: str) -> str | None:
        for entry in self._s.addresses:
            if entry.participant_id == participant_id and entry.channel == channel:
                return self._cipher.decrypt_address(channel, entry.ciphertext)
        return None

    def update_participant(
        self,
        participant_id: str,
        *,
        language: str | None = None,
        register: str | None = None,
        opted_out: bool | None = None,
    ) -> None:
        current = self._s.participants[participant_id]
        self._s.participants[participant_id] = replace(
            current,
            language=current.language if language is None else language,
            register=current.register if register is None else register,
            opted_out=current.opted_out if opted_out is None else opted_out,
        )

    # --- conversation state
    def load_session(self, participant_id: str) -> str | None:
        return self._s.sessions.get(participant_id)

    def save_session(self, participant_id: str, session_json: str, at: datetime) -> None:
        as_utc(at)
        self._require(participant_id)
        self._s.sessions[participant_id] = storable(session_json)

    def _require(self, participant_id: str | None) -> None:
        # The SQL store's foreign keys refuse rows for unknown people; so does the fake.
        if participant_id is not None and participant_id not in self._s.participants:
            raise KeyError(participant_id)

    # --- what people told us
    def record_consent(self, entry: ConsentEntry) -> None:
        self._require(entry.participant_id)
        self._s.consents.append(_at(entry))

    def consents(self, participant_id: str) -> dict[str, bool]:
        latest = latest_by(self.consent_history(participant_id))
        return {purpose: entry.granted for purpose, entry in latest.items()}

    def consent_history(self, participant_id: str) -> list[ConsentEntry]:
        return [e for e in self._s.consents if e.participant_id == participant_id]

    def save_view(self, view: ViewRecord) -> None:
        self._require(view.participant_id)
        if any(v.view_id == view.view_id for v in self._s.views):
            raise ValueError(f"view {view.view_id!r} exists already")
        self._s.views.append(_at(view))

    def withdraw_answer(
        self, participant_id: str, flow: str, question_id: str, field: str
    ) -> None:
        self._require(participant_id)
        self._s.views = [
            v
            for v in self._s.views
            if not (
                v.participant_id == participant_id
                and v.flow == flow
                and v.question_id == question_id
            )
        ]
        self._s.profile_answers = [
            a
            for a in self._s.profile_answers
            if not (a.participant_id == participant_id and a.field == field)
        ]

    def save_profile_answer(self, answer: ProfileAnswer) -> None:
        self._require(answer.participant_id)
        self._s.profile_answers.append(_at(answer))

    def save_group_interest(self, interest: GroupInterest) -> None:
        self._require(interest.participant_id)
        self._s.group_interests.append(_at(interest))

    def record_handover(self, request: HandoverRequest) -> None:
        self._require(request.participant_id)
        self._s.handovers.append(_at(request))

    def record_safeguarding_alert(self, alert: SafeguardingAlertRecord) -> None:
        self._require(alert.participant_id)
        self._s.alerts.append(_at(alert))

    def log_message(self, message: LoggedMessage) -> None:
        self._require(message.participant_id)
        self._s.messages.append(_at(message))

    def message_log_clear_text(self, before: datetime) -> int:
        cutoff = as_utc(before)
        cleared = 0
        for i, message in enumerate(self._s.messages):
            if message.at < cutoff and message.text is not None:
                self._s.messages[i] = replace(message, text=None)
                cleared += 1
        return cleared

    # --- coordinators
    def views(self, consultation: str | None = None) -> Iterator[ViewRecord]:
        chosen = [
            v for v in self._s.views if consultation is None or v.consultation == consultation
        ]
        return iter(sorted(chosen, key=lambda v: (v.at, v.view_id)))

    def participants(self) -> Iterator[Participant]:
        people = self._s.participants.values()
        return iter(sorted(people, key=lambda p: (p.created_at, p.participant_id)))

    def anonymous_totals(self) -> list[TotalCount]:
        return [TotalCount(*key, count) for key, count in sorted(self._s.totals.items())]

    # --- privacy
    def _person_data(self, participant_id: str) -> PersonData | None:
        participant = self._s.participants.get(participant_id)
        if participant is None:
            return None
        s = self._s
        addresses = [
            StoredAddress(
                a.channel, self._cipher.decrypt_address(a.channel, a.ciphertext), a.created_at
            )
            for a in s.addresses
            if a.participant_id == participant_id
        ]
        return PersonData(
            participant=participant,
            addresses=addresses,
            session_json=s.sessions.get(participant_id),
            consents=self.consent_history(participant_id),
            views=sorted(
                (v for v in s.views if v.participant_id == participant_id),
                key=lambda v: (v.at, v.view_id),
            ),
            profile_answers=[a for a in s.profile_answers if a.participant_id == participant_id],
            group_interests=[g for g in s.group_interests if g.participant_id == participant_id],
            handovers=[h for h in s.handovers if h.participant_id == participant_id],
            alerts=[a for a in s.alerts if a.participant_id == participant_id],
            messages=[m for m in s.messages if m.participant_id == participant_id],
            outbox=[e.message for e in self._outbox_of(participant_id, addresses)],
            inbox=[self._inbox_item(e) for e in self._inbox_of(participant_id, addresses)],
        )

    def _outbox_of(self, participant_id: str, addresses: list[StoredAddress]) -> list[_Outbox]:
        recipients = {(a.channel, self._cipher.lookup(a.channel, a.address)) for a in addresses}
        return [
            e
            for e in self._s.outbox
            if e.message.participant_id == participant_id
            or (e.message.channel, e.recipient_digest) in recipients
        ]

    def _inbox_of(self, participant_id: str, addresses: list[StoredAddress]) -> list[_Inbox]:
        senders = {(a.channel, self._cipher.lookup(a.channel, a.address)) for a in addresses}
        by_channel: dict[str, set[str]] = {}
        for a in addresses:
            by_channel.setdefault(a.channel, set()).add(normalise_address(a.channel, a.address))
        found = []
        for e in self._s.inbox:
            if e.participant_id == participant_id or (e.channel, e.sender_digest) in senders:
                found.append(e)
            elif (
                e.sender_digest is None
                and e.participant_id is None
                and e.ciphertext is not None
                and e.channel in by_channel
            ):
                payload = self._cipher.decrypt_json(e.ciphertext, INBOX_PURPOSE)
                if payload_mentions(e.channel, payload, by_channel[e.channel]):
                    found.append(e)
        return found

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
            (m.channel, m.provider_message_id)
            for m in data.outbox
            if m.provider_message_id is not None
        ]

    def erase_participant(self, participant_id: str, at: datetime) -> None:
        data = self._person_data(participant_id)
        if data is None:
            return
        s = self._s
        s.totals.update(erasure_totals(data))
        for e in self._inbox_of(participant_id, data.addresses):
            e.provider_key = erased_provider_key(self._cipher, e.channel, e.provider_key)
            e.ciphertext = None
            e.sender_digest = None
            e.participant_id = None
            e.error = None
            if e.status in ("pending", "processing"):
                e.status = "done"
                e.processed_at = as_utc(at)
        gone = {id(e) for e in self._outbox_of(participant_id, data.addresses)}
        s.outbox = [e for e in s.outbox if id(e) not in gone]

        def keep(record: Any) -> bool:
            return bool(record.participant_id != participant_id)

        s.messages = [r for r in s.messages if keep(r)]
        s.alerts = [r for r in s.alerts if keep(r)]
        s.handovers = [r for r in s.handovers if keep(r)]
        s.group_interests = [r for r in s.group_interests if keep(r)]
        s.profile_answers = [r for r in s.profile_answers if keep(r)]
        s.views = [r for r in s.views if keep(r)]
        s.consents = [r for r in s.consents if keep(r)]
        s.addresses = [r for r in s.addresses if keep(r)]
        s.sessions.pop(participant_id, None)
        del s.participants[participant_id]

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
        keys = {provider_key, erased_provider_key(self._cipher, channel, provider_key)}
        committed = self._store._snapshot().inbox
        if any(e.channel == channel and e.provider_key in keys for e in self._s.inbox + committed):
            return False
        senders = [sender] if sender else payload_senders(channel, payload)
        self._s.inbox.append(
            _Inbox(
                item_id=self._next_id(),
                channel=channel,
                provider_key=provider_key,
                received_at=as_utc(at),
                ciphertext=self._cipher.encrypt_json(payload, INBOX_PURPOSE),
                sender_digest=self._cipher.lookup(channel, senders[0]) if senders else None,
            )
        )
        return True

    def inbox_claim(self, limit: int, at: datetime, lease_seconds: float) -> list[InboxItem]:
        now = as_utc(at)
        expired = lease_expired_before(now, lease_seconds)
        unfinished: set[tuple[str, str]] = set()
        claimed: list[InboxItem] = []
        for e in sorted(self._s.inbox, key=lambda e: e.item_id):
            sender = None if e.sender_digest is None else (e.channel, e.sender_digest)
            blocked = sender is not None and sender in unfinished
            if e.status in ("pending", "processing") and sender is not None:
                unfinished.add(sender)
            eligible = e.status == "pending" or (
                e.status == "processing" and e.claimed_at is not None and e.claimed_at <= expired
            )
            if eligible and not blocked and len(claimed) < limit:
                e.status = "processing"
                e.claimed_at = now
                e.attempts += 1
                claimed.append(self._inbox_item(e))
        return claimed

    def _inbox_entry(self, item_id: int) -> _Inbox | None:
        return next((e for e in self._s.inbox if e.item_id == item_id), None)

    def inbox_get(self, item_id: int) -> InboxItem | None:
        entry = self._inbox_entry(item_id)
        return None if entry is None else self._inbox_item(entry)

    def inbox_done(self, item_id: int, at: datetime, participant_id: str | None = None) -> None:
        e = self._inbox_entry(item_id)
        if e is None or e.provider_key.startswith(ERASED_KEY_PREFIX):
            return
        e.status = "done"
        e.processed_at = as_utc(at)
        e.error = None
        if participant_id is not None and participant_id in self._s.participants:
            e.participant_id = participant_id

    def inbox_failed(self, item_id: int, error: str, at: datetime) -> None:
        e = self._inbox_entry(item_id)
        if e is None:
            return
        e.status = "failed"
        e.processed_at = as_utc(at)
        e.error = short_error(error)

    def inbox_purge(self, before: datetime) -> int:
        cutoff = as_utc(before)
        kept = [
            e
            for e in self._s.inbox
            if not (e.status in ("done", "failed") and e.received_at < cutoff)
        ]
        purged = len(self._s.inbox) - len(kept)
        self._s.inbox = kept
        return purged

    def _inbox_item(self, e: _Inbox) -> InboxItem:
        payload = (
            {} if e.ciphertext is None else self._cipher.decrypt_json(e.ciphertext, INBOX_PURPOSE)
        )
        return InboxItem(
            item_id=e.item_id,
            channel=e.channel,
            provider_key=e.provider_key,
            payload=payload,
            received_at=e.received_at,
            status=e.status,
            attempts=e.attempts,
            claimed_at=e.claimed_at,
            processed_at=e.processed_at,
            error=e.error,
            participant_id=e.participant_id,
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
        self._require(message.participant_id)
        if self._outbox_entry(message.message_id) is not None:
            raise ValueError(f"outbox message {message.message_id!r} exists already")
        stored = replace(
            message,
            text=storable(message.text),
            created_at=as_utc(message.created_at),
            choices=tuple(json.loads(json.dumps(list(message.choices)))),
            next_attempt_at=_utc_or_none(message.next_attempt_at),
            sent_at=_utc_or_none(message.sent_at),
            failed_at=_utc_or_none(message.failed_at),
        )
        self._s.outbox.append(
            _Outbox(
                seq=self._next_id(),
                message=stored,
                recipient_digest=self._cipher.lookup(message.channel, recipient),
                recipient_ciphertext=self._cipher.encrypt_address(message.channel, recipient),
            )
        )

    def outbox_claim(
        self, channel: str, limit: int, at: datetime, lease_seconds: float
    ) -> list[OutboxMessage]:
        now = as_utc(at)
        unsent: set[str] = set()
        claimed: list[OutboxMessage] = []
        for e in sorted(self._s.outbox, key=lambda e: e.seq):
            msg = e.message
            if msg.channel != channel:
                continue
            blocked = e.recipient_digest in unsent
            if msg.status in ("pending", "sending"):
                unsent.add(e.recipient_digest)
            due = msg.next_attempt_at is None or msg.next_attempt_at <= now
            eligible = (msg.status == "pending" and due) or (
                msg.status == "sending" and msg.next_attempt_at is not None and due
            )
            if eligible and not blocked and len(claimed) < limit:
                e.message = replace(
                    msg,
                    status="sending",
                    attempts=msg.attempts + 1,
                    next_attempt_at=lease_until(now, lease_seconds),
                )
                claimed.append(e.message)
        return claimed

    def _outbox_entry(self, message_id: str) -> _Outbox | None:
        return next((e for e in self._s.outbox if e.message.message_id == message_id), None)

    def outbox_get(self, message_id: str) -> OutboxMessage | None:
        entry = self._outbox_entry(message_id)
        return None if entry is None else entry.message

    def outbox_purge(self, before: datetime) -> int:
        cutoff = as_utc(before)
        kept = [
            e
            for e in self._s.outbox
            if not (e.message.status in ("sent", "failed") and e.message.created_at < cutoff)
        ]
        purged = len(self._s.outbox) - len(kept)
        self._s.outbox = kept
        return purged

    def outbox_by_provider_id(self, provider_message_id: str) -> OutboxMessage | None:
        return next(
            (
                e.message
                for e in self._s.outbox
                if e.message.provider_message_id == provider_message_id
            ),
            None,
        )

    def outbox_address(self, message_id: str) -> str | None:
        e = self._outbox_entry(message_id)
        if e is None or e.recipient_ciphertext is None:
            return None
        return self._cipher.decrypt_address(e.message.channel, e.recipient_ciphertext)

    def outbox_sent(self, message_id: str, provider_message_id: str, at: datetime) -> None:
        e = self._outbox_entry(message_id)
        if e is None:
            return
        e.message = replace(
            e.message,
            status="sent",
            provider_message_id=provider_message_id,
            sent_at=as_utc(at),
            next_attempt_at=None,
        )
        e.recipient_ciphertext = None

    def outbox_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None:
        e = self._outbox_entry(message_id)
        if e is None:
            return
        e.message = replace(
            e.message,
            status="pending",
            last_error=short_error(error),
            next_attempt_at=as_utc(next_attempt_at),
        )

    def outbox_failed(self, message_id: str, error: str, at: datetime) -> None:
        e = self._outbox_entry(message_id)
        if e is None:
            return
        e.message = replace(
            e.message,
            status="failed",
            last_error=short_error(error),
            failed_at=as_utc(at),
            next_attempt_at=None,
        )
        e.recipient_ciphertext = None

    def outbox_status_update(
        self,
        provider_message_id: str,
        delivery_status: str,
        error_code: str | None = None,
        *,
        message_id: str | None = None,
    ) -> bool:
        if message_id is not None:
            e = self._outbox_entry(message_id)
        else:
            e = next(
                (
                    x
                    for x in self._s.outbox
                    if x.message.provider_message_id == provider_message_id
                ),
                None,
            )
        if e is None:
            return False
        msg = e.message
        if msg.provider_message_id is None:
            msg = replace(msg, provider_message_id=provider_message_id)
        if delivery_advances(msg.delivery_status, delivery_status):
            msg = replace(msg, delivery_status=delivery_status, delivery_error_code=error_code)
        e.message = msg
        return True


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)
