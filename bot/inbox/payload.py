"""What the inbox stores for one inbound message, and how a worker reads it back.

The payload keeps only what a turn needs (`InboundMessage`'s fields), never the provider's whole
request: Twilio's geographic fields and Telegram's names and usernames are personal data Heard
has no use for. The store encrypts the payload; it is never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.channels.base import InboundMessage

PAYLOAD_VERSION = 1


class PayloadError(ValueError):
    """An inbox payload this version cannot read."""


def to_payload(message: InboundMessage) -> dict[str, Any]:
    return {
        "v": PAYLOAD_VERSION,
        "address": message.address,
        "text": message.text,
        "at": message.at.isoformat(),
        "opt_out_type": message.opt_out_type,
        "deep_link": message.deep_link,
        "media": message.media,
        "language_hint": message.language_hint,
    }


def from_payload(channel: str, provider_key: str, payload: dict[str, Any]) -> InboundMessage:
    if payload.get("v") != PAYLOAD_VERSION:
        raise PayloadError("unknown inbox payload version")
    try:
        at = datetime.fromisoformat(str(payload["at"]))
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
        raise PayloadError("inbox payload is missing a field") from exc


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
