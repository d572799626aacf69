"""The contract between channel adapters and the rest of Heard.

Inbound: an adapter verifies a provider's webhook, then parses it into an `InboundMessage`,
which carries only what a turn needs (no location, no profile data).

Outbound: a `Sender` makes one attempt to deliver one message and reports a `SendOutcome`. It
never retries and never sleeps: the outbox owns retry timing (`bot.outbox.retry`) and pacing
(`bot.outbox.ratelimit`), so a retry survives a restart and is counted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.channels.capabilities import ChannelCapabilities

__all__ = [
    "ChannelCapabilities",
    "Failed",
    "InboundMessage",
    "OptOutType",
    "OptedOut",
    "RetryLater",
    "SendOutcome",
    "Sender",
    "Sent",
]

OptOutType = Literal["STOP", "START", "HELP"]


@dataclass(frozen=True)
class InboundMessage:
    """One message from a person, in channel-neutral form.

    `provider_key` is unique per provider delivery and stable across the provider's webhook
    retries (Twilio's MessageSid, Telegram's bot id + update_id): store it to drop duplicates.
    `address` is personal data (a phone number or chat id): never log it.
    `opt_out_type` is set when the provider itself handled STOP / START / HELP; the person's
    consent record must mirror it even though the provider already acted.
    `deep_link` is the code of a Telegram `/start <code>` link (which flow to start).
    `media` is True for a message without words (a voice note, photo or sticker).
    `language_hint` is the language the person's app is set to (Telegram `language_code`),
    a prior for the language guess only.
    """

    channel: str  # "sms" | "telegram"
    address: str
    text: str
    provider_key: str
    at: datetime  # timezone-aware
    opt_out_type: str | None = None
    deep_link: str | None = None
    media: bool = False
    language_hint: str | None = None


@dataclass(frozen=True)
class Sent:
    provider_message_id: str


@dataclass(frozen=True)
class RetryLater:
    """Not delivered, and trying again may work. `retry_after` is the provider's own wait, in
    seconds, when it named one; a retry before then will be refused again."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Failed:
    """Not delivered, and sending the same request again will fail the same way."""

    reason: str
    code: str | None = None


@dataclass(frozen=True)
class OptedOut:
    """The person cannot be reached on this channel any more (SMS STOP, Telegram bot blocked).
    Mirror it into their consent record and send nothing more until they come back."""

    code: str


SendOutcome = Sent | RetryLater | Failed | OptedOut


class Sender(Protocol):
    async def send(
        self, address: str, text: str, choices: Sequence[str], message_id: str
    ) -> SendOutcome:
        """Make one delivery attempt.

        `text` is final for this channel: a sender never re-renders it. On SMS the choices are
        already numbered inside `text` and `choices` is ignored; on Telegram each choice becomes a
        keyboard button. `message_id` is Heard's own id for the message (for the caller's logs
        and de-duplication; providers have no idempotency key, so a timed-out attempt may still
        have been delivered).
        """
        ...
