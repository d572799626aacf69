"""What erasure and subject access mean, shared by the SQL store and the in-memory fake.

Both stores gather everything held on one person into a `PersonData`; `export_document` turns
it into the subject access export, and `erasure_totals` into the anonymous counters that erasure
adds to (it never decrements anything, so coordinators keep their totals).

Inbound payloads are matched to a person by the sender fields of the providers' formats; for a
payload of another shape, by any value equal to one of the person's addresses.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from storage.crypto import AddressCipher, normalise_address
from storage.records import (
    ConsentEntry,
    GroupInterest,
    GroupMove,
    HandoverRequest,
    InboxItem,
    LoggedMessage,
    OutboxMessage,
    Participant,
    ProfileAnswer,
    SafeguardingAlertRecord,
    ViewRecord,
)
from storage.vocabulary import closed_value, profile_total_value

ERASED_KEY_PREFIX = "erased:"
TotalKey = tuple[str, str, str, str]  # metric, subject, language, channel


@dataclass(frozen=True)
class StoredAddress:
    channel: str
    address: str = field(repr=False)
    created_at: datetime


@dataclass
class PersonData:
    participant: Participant
    addresses: list[StoredAddress]
    session_json: str | None
    consents: list[ConsentEntry]  # in the order recorded
    views: list[ViewRecord]
    profile_answers: list[ProfileAnswer]
    group_interests: list[GroupInterest]
    handovers: list[HandoverRequest]
    alerts: list[SafeguardingAlertRecord]
    messages: list[LoggedMessage]
    outbox: list[OutboxMessage]
    inbox: list[InboxItem]
    # Re-invitations queued for the person (bot.workspace.reach): which, message id, when.
    reinvitations: list[dict[str, Any]] = field(default_factory=list)
    # Working groups' recruitment: every move of the person in a group's pipeline.
    group_moves: list[GroupMove] = field(default_factory=list)


def erased_provider_key(cipher: AddressCipher, channel: str, provider_key: str) -> str:
    """What an erased person's inbox row keeps instead of the provider's key: enough to refuse
    a late repeat of the same delivery, and nothing that leads back to the message."""
    return ERASED_KEY_PREFIX + cipher.keyed_hash(f"inbox:{channel}:{provider_key}")


def erased_provider_keys(cipher: AddressCipher, channel: str, provider_key: str) -> list[str]:
    """`erased_provider_key` under every key of the keyring (a tombstone made under an older
    key still refuses a late repeat while that key is kept)."""
    return [
        ERASED_KEY_PREFIX + digest
        for digest in cipher.keyed_hashes(f"inbox:{channel}:{provider_key}")
    ]


def payload_senders(channel: str, payload: dict[str, Any]) -> list[str]:
    """The sender's address in a Twilio form post (`From`) or a Telegram update (chat ids)."""
    if channel == "sms":
        sender = payload.get("From")
        return [sender] if isinstance(sender, str) and sender else []
    if channel == "telegram":
        found: list[str] = []
        for value in payload.values():
            if not isinstance(value, dict):
                continue
            for holder in (value, value.get("message")):
                if isinstance(holder, dict):
                    chat = holder.get("chat")
                    if isinstance(chat, dict) and isinstance(chat.get("id"), int | str):
                        found.append(str(chat["id"]))
        return list(dict.fromkeys(found))
    return []


def _scalars(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield str(value)


def payload_mentions(channel: str, payload: dict[str, Any], normalised: set[str]) -> bool:
    """True when any value in the payload is one of the (normalised) addresses."""
    return any(normalise_address(channel, value) in normalised for value in _scalars(payload))


def latest_by(entries: list[ConsentEntry]) -> dict[str, ConsentEntry]:
    """The latest consent entry per purpose; for equal times, the one recorded last."""
    latest: dict[str, ConsentEntry] = {}
    for entry in entries:
        current = latest.get(entry.purpose)
        if current is None or entry.at >= current.at:
            latest[entry.purpose] = entry
    return latest


def erasure_totals(data: PersonData) -> Counter[TotalKey]:
    totals: Counter[TotalKey] = Counter()
    first_channel = data.addresses[0].channel if data.addresses else ""
    totals["participants_erased", "", data.participant.language or "", first_channel] += 1
    for view in data.views:
        totals["views", view.consultation or "", view.language, view.channel] += 1
    for consultation in {view.consultation or "" for view in data.views}:
        totals["view_participants", consultation, "", ""] += 1
    for purpose, entry in latest_by(data.consents).items():
        state = "granted" if entry.granted else "withdrawn"
        totals["consents", f"{purpose}:{state}", entry.language, entry.channel] += 1
    latest_profile: dict[str, ProfileAnswer] = {}
    for answer in data.profile_answers:
        if answer.field not in latest_profile or answer.at >= latest_profile[answer.field].at:
            latest_profile[answer.field] = answer
    for answer in latest_profile.values():
        value = profile_total_value(answer.field, answer.value)
        totals["profile_answers", f"{closed_value(answer.field)}={value}", "", ""] += 1
    for interest in data.group_interests:
        totals["group_interests", "", interest.language, interest.channel] += 1
    for handover in data.handovers:
        totals["handover_requests", handover.reason, handover.language, handover.channel] += 1
    # Alerts are not counted here: they outlive erasure themselves, anonymised.
    for message in data.messages:
        totals["messages", message.direction, message.language or "", message.channel] += 1
    return totals


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _record(record: Any, *, drop: tuple[str, ...] = ("participant_id",)) -> dict[str, Any]:
    data = {key: _plain(value) for key, value in asdict(record).items() if key not in drop}
    return data


def export_document(data: PersonData) -> dict[str, Any]:
    """Everything held on the person, as JSON-compatible values (times in ISO 8601)."""
    session: Any = None
    if data.session_json is not None:
        try:
            session = json.loads(data.session_json)
        except ValueError:
            session = data.session_json
    return {
        "participant": _record(data.participant, drop=()),
        "addresses": [_record(address, drop=()) for address in data.addresses],
        "session": session,
        "consents": [_record(entry) for entry in data.consents],
        "views": [_record(view) for view in data.views],
        "profile_answers": [_record(answer) for answer in data.profile_answers],
        "group_interests": [_record(interest) for interest in data.group_interests],
        "handover_requests": [_record(request) for request in data.handovers],
        "safeguarding_alerts": [_record(alert) for alert in data.alerts],
        "messages": [_record(message) for message in data.messages],
        "outbox": [_record(message) for message in data.outbox],
        "inbox": [_record(item) for item in data.inbox],
        "reinvitations": [_plain(entry) for entry in data.reinvitations],
        "working_group_moves": [_record(move) for move in data.group_moves],
    }
