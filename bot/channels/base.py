"""The contract every channel implements, and the only thing the rest of Heard knows of one.

A channel is a folder (`bot/channels/<name>/`) holding everything about its provider. It gives:

* inbound, a `Webhook`: its `routes` (under `/webhooks/<provider>`) and their `body_cap`, which
  `bot.web.limits.BodyLimits` enforces before a byte is read; each route verifies the request
  (signature or secret, constant time) before anything else, checks the shape of what was
  signed, parses it into an `InboundMessage` (the address normalised as the provider writes
  it) and records it in the inbox (`bot.inbox.intake`). Refusals: 403 unverified, 400 malformed.
* outbound, a `ChannelAdapter`: `render` turns one `MessageCreated` into what the provider shows (a
  `Rendered`, stored in the outbox row), `deliver` makes ONE attempt to send one stored row and
  reports a `SendOutcome`, `reconcile` (providers that can be asked) finds an earlier attempt
  the provider accepted but Heard never recorded; `capabilities` and `limits` are data.

A channel never retries and never sleeps: the outbox owns retry timing (`bot.outbox.retry`) and
pacing (`bot.outbox.ratelimit`), so a retry survives a restart and is counted once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from starlette.routing import BaseRoute

from bot.catalogue import Catalogue
from bot.engine.events import MessageCreated
from storage.records import OutboxMessage

__all__ = [
    "BucketSpec",
    "Capabilities",
    "ChannelAdapter",
    "ChannelLimits",
    "Failed",
    "InboundMessage",
    "Known",
    "OptOutType",
    "OptedOut",
    "Rendered",
    "RetryLater",
    "SendOutcome",
    "Sent",
    "Webhook",
    "in_flight_for",
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


class Recorder(Protocol):
    """Where a webhook hands what it received (bot.inbox.intake.Intake, given by the app):
    True when newly recorded, False for a repeat."""

    async def record(self, inbound: InboundMessage) -> bool: ...

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


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show and how it is costed, as data (renderers and the outbox read
    these instead of switching on channel names).

    `max_chars` counts characters on channels that count characters; SMS is bounded by
    `max_segments` instead, because one non-GSM-7 character changes every segment's size.
    """

    numbered_choices: bool  # choices are written into the text as "1 Yes", "2 No"
    keyboards: bool  # choices can be buttons
    markup: bool  # bold, links and the like can be shown
    max_chars: int | None
    max_segments: int | None
    cost_by_segments: bool = False  # pacing counts SMS segments, not messages


@dataclass(frozen=True)
class BucketSpec:
    rate: float  # tokens added per second
    burst: float  # bucket size: how many tokens can be spent at once after a quiet spell

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst <= 0:
            raise ValueError("rate and burst must be positive")


@dataclass(frozen=True)
class ChannelLimits:
    """How fast a channel may send: `overall` is costed by `cost` (SMS: segments);
    `per_address` counts messages to one person."""

    overall: BucketSpec
    per_address: BucketSpec


@dataclass(frozen=True)
class Rendered:
    """One message as its channel shows it, stored in the outbox row: final text (SMS: choices
    numbered inside it), button labels in order, and SMS encoding and segment count."""

    text: str
    choices: tuple[str, ...] = ()
    encoding: str | None = None
    segments: int = 1


def in_flight_for(rate: float) -> int:
    """About two seconds of sending at `rate` messages a second
    (see `ChannelAdapter.max_in_flight`)."""
    return max(4, min(256, math.ceil(rate * 2)))


Known = Callable[[str], bool]  # does an outbox row already own this provider message id?


class ChannelAdapter(Protocol):
    """The outbound half of a channel, as the outbox worker drives it."""

    @property
    def name(self) -> str:
        """The channel name the queues know (`sms`, `telegram`, `sim-sms`, ...)."""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def limits(self) -> ChannelLimits: ...

    @property
    def max_in_flight(self) -> int:
        """Sends under way at once: enough to keep the provider busy, few enough that a
        claimed message never waits near its lease for its turn."""
        ...

    def render(self, message: MessageCreated, catalogue: Catalogue) -> Rendered: ...

    async def deliver(self, message: OutboxMessage, address: str) -> SendOutcome:
        """One attempt. `message.text` is final for this channel: never re-rendered. Providers
        have no idempotency key, so a timed-out attempt may still have been delivered."""
        ...

    async def reconcile(
        self, message: OutboxMessage, address: str, known: Known
    ) -> str | None:
        """The provider id of an earlier, unrecorded attempt of `message` that the provider
        accepted, or None. Raises when it cannot tell (the outbox then retries later and never
        sends blind). Only called when `capabilities`' channel can be asked (`reconciles`)."""
        ...

    @property
    def reconciles(self) -> bool:
        """True when the provider can be asked about earlier attempts (Twilio: yes)."""
        ...

    async def aclose(self) -> None: ...


class Webhook(Protocol):
    """The inbound half of a channel, as the web app mounts it."""

    @property
    def body_cap(self) -> int:
        """Bytes a request body to `routes` may have; refused (413) before it is read."""
        ...

    @property
    def prefix(self) -> str:
        """The path prefix of every route (the body cap applies under it)."""
        ...

    def routes(self) -> Sequence[BaseRoute]: ...

    def notes(self) -> list[str]:
        """Start-up lines about routes that cannot work as configured."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

