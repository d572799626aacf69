"""The one way into Heard's store. `SqlRepository` (storage.sql) and `MemoryRepository`
(storage.memory) both implement `Repository`; the service layer depends only on this Protocol.

A repository instance is one unit of work: changes become visible to others on `commit()`, and
`rollback()` (or leaving the `with` block on an exception) drops them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from storage.records import (
    ConsentEntry,
    GroupInterest,
    HandoverRequest,
    InboxItem,
    LoggedMessage,
    OutboxMessage,
    Participant,
    ProfileAnswer,
    SafeguardingAlertRecord,
    TotalCount,
    ViewRecord,
)


class Repository(Protocol):
    # --- units of work
    def __enter__(self) -> Repository: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...

    # --- participants and their addresses (addresses stored only encrypted, found by HMAC)
    def participant_for(self, channel: str, address: str, at: datetime) -> Participant:
        """The participant behind (channel, address), created on first contact."""
        ...
    def find_participant(self, channel: str, address: str) -> Participant | None: ...
    def get_participant(self, participant_id: str) -> Participant | None: ...
    def address_of(self, participant_id: str, channel: str) -> str | None:
        """Decrypts the address, for sending only. Never log the result."""
        ...
    def update_participant(
        self,
        participant_id: str,
        *,
        language: str | None = None,
        register: str | None = None,
        opted_out: bool | None = None,
    ) -> None: ...

    # --- conversation state
    def load_session(self, participant_id: str) -> str | None: ...
    def save_session(self, participant_id: str, session_json: str, at: datetime) -> None: ...

    # --- what people told us
    def record_consent(self, entry: ConsentEntry) -> None:
        """Append-only: a withdrawal is a new entry with granted=False."""
        ...
    def consents(self, participant_id: str) -> dict[str, bool]:
        """The latest entry per purpose."""
        ...
    def consent_history(self, participant_id: str) -> list[ConsentEntry]: ...
    def save_view(self, view: ViewRecord) -> None: ...
    def save_profile_answer(self, answer: ProfileAnswer) -> None: ...
    def withdraw_answer(
        self, participant_id: str, flow: str, question_id: str, field: str
    ) -> None:
        """Deletes the stored answer to a question the person went BACK to and answered again
        (views of `flow`/`question_id`, profile answers of `field`), before the new one is
        saved, so an answer is replaced and never kept twice."""
        ...
    def save_group_interest(self, interest: GroupInterest) -> None: ...
    def record_handover(self, request: HandoverRequest) -> None: ...
    def record_safeguarding_alert(self, alert: SafeguardingAlertRecord) -> None: ...
    def log_message(self, message: LoggedMessage) -> None:
        """`message.text` None logs that a message passed without keeping its words."""
        ...
    def message_log_clear_text(self, before: datetime) -> int:
        """Forgets the text of logged messages sent or received before `before` (the row stays:
        direction, channel, text id, language, time); returns how many texts were cleared."""
        ...

    # --- coordinators
    def views(self, consultation: str | None = None) -> Iterator[ViewRecord]: ...
    def participants(self) -> Iterator[Participant]: ...

    # --- erasure: every row naming the person and all their free text; anonymous totals stay
    def erase_participant(self, participant_id: str, at: datetime) -> None: ...

    # --- privacy (added)
    def export_participant(self, participant_id: str) -> dict[str, Any]:
        """Everything held on one person, JSON-serialisable, for a subject access request.
        Includes their decrypted addresses. Raises KeyError for an unknown participant."""
        ...
    def provider_message_ids(self, participant_id: str) -> list[tuple[str, str]]:
        """(channel, provider message id) of messages sent to the person, so the host can ask
        the provider to delete its copies before `erase_participant` forgets them."""
        ...
    def anonymous_totals(self) -> list[TotalCount]:
        """Counters added to by erasure; coordinators add them to the live counts."""
        ...

    # --- inbox: inbound deliveries, recorded before the webhook answers (added)
    def inbox_add(
        self,
        channel: str,
        provider_key: str,
        payload: dict[str, Any],
        at: datetime,
        *,
        sender: str | None = None,
    ) -> bool:
        """False when (channel, provider_key) was seen before: a repeated delivery. `sender`
        (the address, optional) lets claims keep one sender's messages in order."""
        ...
    def inbox_claim(self, limit: int, at: datetime, lease_seconds: float) -> list[InboxItem]:
        """Marks up to `limit` items `processing` and returns them: pending ones, or processing
        ones whose claim is older than the lease. At most one per sender, in arrival order."""
        ...
    def inbox_get(self, item_id: int) -> InboxItem | None: ...
    def inbox_done(self, item_id: int, at: datetime, participant_id: str | None = None) -> None:
        """Marks the item handled; `participant_id` links it to the sender (for erasure). A
        no-op when the item was erased in the same turn."""
        ...
    def inbox_failed(self, item_id: int, error: str, at: datetime) -> None: ...
    def inbox_purge(self, before: datetime) -> int:
        """Deletes done and failed items received before `before`; returns how many. Pending
        and processing items stay, however old."""
        ...

    # --- outbox: messages to send, written in the same unit of work as the turn (added)
    def outbox_add(self, message: OutboxMessage, *, address: str | None = None) -> None:
        """Queues a message. The recipient is `address` when given (a reply after erasure),
        else the participant's stored address on the message's channel."""
        ...
    def outbox_claim(
        self, channel: str, limit: int, at: datetime, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Marks up to `limit` due messages `sending` (attempts + 1, lease until
        `at + lease_seconds`) and returns them: pending and due, or sending with an expired
        lease. At most one per recipient, and never one while an earlier one to the same
        recipient is unsent, so a person's messages go out in order."""
        ...
    def outbox_address(self, message_id: str) -> str | None:
        """The decrypted recipient, for the sender only; None once sent or failed."""
        ...
    def outbox_sent(self, message_id: str, provider_message_id: str, at: datetime) -> None: ...
    def outbox_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None: ...
    def outbox_failed(self, message_id: str, error: str, at: datetime) -> None: ...
    def outbox_status_update(
        self,
        provider_message_id: str,
        delivery_status: str,
        error_code: str | None = None,
        *,
        message_id: str | None = None,
    ) -> bool:
        """Records a provider status callback; False when no such message. A callback can beat
        `outbox_sent` to the database: give `message_id` (ours, e.g. carried in the callback
        URL) and the message is found by it. A status never replaces one further along."""
        ...
    def outbox_get(self, message_id: str) -> OutboxMessage | None: ...
    def outbox_purge(self, before: datetime) -> int:
        """Deletes sent and failed messages created before `before`; returns how many. Pending
        and sending messages stay, however old."""
        ...
    def outbox_by_provider_id(self, provider_message_id: str) -> OutboxMessage | None:
        """The message a provider id was recorded for (by `outbox_sent` or a status callback),
        or None: lets SMS reconciliation skip provider messages that are already accounted for.
        (added)"""
        ...


class Store(Protocol):
    """Opens units of work (storage.sql.SqlStore, storage.memory.MemoryStore); the host opens
    one per turn."""

    def repository(self) -> Repository: ...
