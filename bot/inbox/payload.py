"""What the inbox stores for one item, and how a worker reads it back.

An item is either a message from a person (`InboundMessage`, recorded by a webhook) or a
`ProviderOptOut`: the provider refused a reply because the person cannot be messaged any more
(Twilio 21610, Telegram 403), recorded by the outbox worker. Both go through the inbox so that
only the inbox worker, through the engine, ever changes a person's session, in order with that
person's own messages.

The payload keeps only what a turn needs (`InboundMessage`'s fields), never the provider's whole
request: Twilio's geographic fields and Telegram's names and usernames are personal data Heard
has no use for. The store encrypts the payload; it is never logged.

A third kind, `GroupInvitation`, is a coordinator's invitation to a working group, queued by the
workspace (bot.workspace.groups): the engine sends it and waits for the person's YES or NO, so
the invitation goes the one way every session change goes.

Versions: 1 held messages only; 2 adds `kind` ("message" | "provider_opt_out" |
"group_invitation"). A version-1 payload is read as a message, so rows queued before an upgrade
are still handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.channels.base import InboundMessage

PAYLOAD_VERSION = 2
MESSAGE = "message"
PROVIDER_OPT_OUT = "provider_opt_out"
GROUP_INVITATION = "group_invitation"
# Provider keys of invitations: one per invitation a coordinator sent (the pipeline move's id).
INVITATION_KEY_PREFIX = "invite:"
# Provider keys of opt-out items: one per refused outbox message, so a repeat is refused.
OPT_OUT_KEY_PREFIX = "opt-out:"


class PayloadError(ValueError):
    """An inbox payload this version cannot read."""


@dataclass(frozen=True)
class ProviderOptOut:
    """The provider refused to deliver `message_id` to `address`: the person opted out with the
    provider (texted STOP to the number, blocked the bot). `code` is the provider's reason."""

    channel: str
    address: str
    message_id: str
    code: str
    at: datetime

    @property
    def provider_key(self) -> str:
        return OPT_OUT_KEY_PREFIX + self.message_id


@dataclass(frozen=True)
class GroupInvitation:
    """A coordinator invited the person at `address` to working group `group_id` (named
    `group`) on `date`; `offers` the support the group offers. `key` makes the inbox refuse the
    same invitation twice."""

    channel: str
    address: str
    key: str
    group_id: int
    group: str
    date: str
    offers: tuple[str, ...]
    at: datetime

    @property
    def provider_key(self) -> str:
        return INVITATION_KEY_PREFIX + self.key


InboxEntry = InboundMessage | ProviderOptOut | GroupInvitation


def to_payload(entry: InboxEntry) -> dict[str, Any]:
    if isinstance(entry, GroupInvitation):
        return {
            "v": PAYLOAD_VERSION,
            "kind": GROUP_INVITATION,
            "address": entry.address,
            "key": entry.key,
            "group_id": entry.group_id,
            "group": entry.group,
            "date": entry.date,
            "offers": list(entry.offers),
            "at": entry.at.isoformat(),
        }
    if isinstance(entry, ProviderOptOut):
        return {
            "v": PAYLOAD_VERSION,
            "kind": PROVIDER_OPT_OUT,
            "address": entry.address,
            "message_id": entry.message_id,
            "code": entry.code,
            "at": entry.at.isoformat(),
        }
    return {
        "v": PAYLOAD_VERSION,
        "kind": MESSAGE,
        "address": entry.address,
        "text": entry.text,
        "at": entry.at.isoformat(),
        "opt_out_type": entry.opt_out_type,
        "deep_link": entry.deep_link,
        "media": entry.media,
        "language_hint": entry.language_hint,
    }


def _migrate(payload: dict[str, Any]) -> dict[str, Any]:
    version = payload.get("v")
    if version == 1:
        return {**payload, "v": 2, "kind": MESSAGE}
    if version != PAYLOAD_VERSION:
        raise PayloadError("unknown inbox payload version")
    return payload


def from_payload(channel: str, provider_key: str, payload: dict[str, Any]) -> InboxEntry:
    payload = _migrate(payload)
    try:
        at = datetime.fromisoformat(str(payload["at"]))
        if payload.get("kind") == PROVIDER_OPT_OUT:
            return ProviderOptOut(
                channel=channel,
                address=str(payload["address"]),
                message_id=str(payload["message_id"]),
                code=str(payload["code"]),
                at=at,
            )
        if payload.get("kind") == GROUP_INVITATION:
            return GroupInvitation(
                channel=channel,
                address=str(payload["address"]),
                key=str(payload["key"]),
                group_id=int(payload["group_id"]),
                group=str(payload["group"]),
                date=str(payload["date"]),
                offers=tuple(str(o) for o in payload.get("offers", ())),
                at=at,
            )
        if payload.get("kind") != MESSAGE:
            raise PayloadError("unknown inbox item kind")
        return InboundMessage(
            channel=channel,
            address=str(payload["address"]),
            text=str(payload["text"]),
            provider_key=provider_key,
            at=at,
            opt_out_type=payload.get("opt_out_type"),
            deep_link=payload.get("deep_link"),
            media=bool(payload.get("media", False)),
            language_hint=_text_or_none(payload.get("language_hint")),
        )
    except (KeyError, ValueError) as exc:
        if isinstance(exc, PayloadError):
            raise
        raise PayloadError("inbox payload is missing a field") from exc


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
