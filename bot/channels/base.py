"""The contract every channel implements, and the only thing the rest of Heard knows of one.

A channel is a folder (`bot/channels/<name>/`) holding everything about its provider. It gives:

* inbound, one `Inbound` per webhook URL, whose methods the generic route
  (`bot.channels.inbound.inbound_route`) calls in this order, so no channel writes a route:
  1. `unavailable`: an answer when the channel is not configured here (404, 503), else None;
  2. the body cap (`Webhook.body_cap`, enforced by `bot.web.limits.BodyLimits` before a byte is
     read) bounds what `verify` may read: a channel that signs only headers (Telegram's secret)
     says `verifies_body = False` and is verified before the body is read at all; one that signs
     the body (Twilio) is verified on the capped body, before it is parsed;
  3. `verify`: the signature or secret, in constant time; unverified answers 403 and changes
     nothing, with one log line naming the reason, never the request;
  4. `parse`: what was signed, checked for the provider's shape and turned into `Received` (an
     `InboundMessage`, a `DeliveryStatus`, or None for what needs nothing); `Malformed` answers
     400, `NotReady` 503 (the provider delivers it again);
  5. `normalise_address`: the address as the store keys people (applied by the route);
  then the route records the message in the inbox (a `Recorder`, the app's Intake) or the
  status in the outbox (a `StatusRecorder`), commits, and answers `accepted`.
  A `Webhook` groups a channel's `Inbound`s under one path prefix and body cap, with start-up
  and shut-down (Telegram's Application).
* outbound, a `ChannelAdapter`: `render` turns one `MessageCreated` into what the provider shows (a
  `Rendered`, stored in the outbox row), `deliver` makes ONE attempt to send one stored row and
  reports a `SendOutcome`, `reconcile` (providers that can be asked) finds an earlier attempt
  the provider accepted but Heard never recorded; `capabilities` and `limits` are data.

A channel never retries and never sleeps: the outbox owns retry timing (`bot.outbox.retry`) and
pacing (`bot.outbox.ratelimit`), so a retry survives a restart and is counted once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # the contract's users import Starlette themselves; a turn never needs it
    from starlette.routing import BaseRoute

    from bot.catalogue import Catalogue
    from bot.engine.events import MessageCreated
    from storage.records import OutboxMessage

__all__ = [
    "Answer",
    "BucketSpec",
    "Capabilities",
    "ChannelAdapter",
    "ChannelLimits",
    "DeliveryStatus",
    "Failed",
    "Inbound",
    "InboundMessage",
    "Known",
    "Malformed",
    "NotReady",
    "OptOutType",
    "OptedOut",
    "Received",
    "Recorder",
    "Rendered",
    "RetryLater",
    "SendOutcome",
    "Sent",
    "StatusRecorder",
    "Webhook",
    "WebhookRequest",
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


@dataclass(frozen=True)
class DeliveryStatus:
    """A provider's report on a message Heard sent (Twilio's status callback).
    `message_id` is Heard's own outbox id when the callback carried it."""

    provider_message_id: str
    status: str  # queued | sending | sent | delivered | undelivered | failed | read | ...
    error_code: str | None
    message_id: str | None = None


Received = InboundMessage | DeliveryStatus | None


class Recorder(Protocol):
    """Where a webhook hands what it received (bot.inbox.intake.Intake, given by the app):
    True when newly recorded, False for a repeat."""

    async def record(self, inbound: InboundMessage) -> bool: ...


class StatusRecorder(Protocol):
    """Where a webhook hands a delivery status (bot.outbox.statuses, given by the app)."""

    async def record_status(self, status: DeliveryStatus) -> None: ...


@dataclass(frozen=True)
class WebhookRequest:
    """What a webhook route received. `target` is the path and query as requested (what a
    provider signs, with the configured public URL in front); `headers` look names up
    case-insensitively; `body` is empty until read (see `Inbound.verifies_body`)."""

    target: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Answer:
    """What a webhook route answers, as data (the route makes the HTTP response)."""

    status: int
    body: str = ""
    media_type: str = "text/plain"
    headers: Mapping[str, str] = field(default_factory=dict)


class Malformed(ValueError):
    """Verified, but not what the provider sends. The message names the field or the kind of
    fault, never the value (it is logged)."""


class NotReady(Exception):
    """Verified and well formed, but the channel cannot take it yet (Telegram before the Bot
    API has answered once): answered 503, so the provider delivers it again later."""


class Inbound(Protocol):
    """One webhook URL of a channel; the generic route calls these in the order of the module's
    list. None of them stores anything: the route records what `parse` returns."""

    @property
    def channel(self) -> str:
        """The name in log lines ("twilio", "telegram", "simulator")."""
        ...

    @property
    def path(self) -> str: ...

    @property
    def verifies_body(self) -> bool:
        """True when the signature covers the body (read, under the cap, before `verify`);
        False when `verify` needs only the headers (the body is read after it)."""
        ...

    def unavailable(self) -> Answer | None: ...

    def verify(self, request: WebhookRequest) -> str | None:
        """None when the request is the provider's, else why not ("missing signature")."""
        ...

    async def parse(self, request: WebhookRequest) -> Received:
        """Raises `Malformed` or `NotReady`; never stores."""
        ...

    def normalise_address(self, address: str) -> str:
        """The address as people are keyed in the store (a provider may write one number in
        more than one way)."""
        ...

    def malformed(self, reason: str) -> Answer:
        """The 4xx answer to a verified request `parse` refused."""
        ...

    def accepted(self, received: Received) -> Answer:
        """The answer once what `parse` returned is committed (or needed nothing)."""
        ...

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
    """The inbound half of a channel, as the web app mounts it: its `Inbound`s, each served by
    the generic route, and any pages that receive nothing (the simulator's)."""

    @property
    def body_cap(self) -> int:
        """Bytes a request body under `prefix` may have; refused (413) before it is read."""
        ...

    @property
    def prefix(self) -> str:
        """The path prefix of every route (the body cap applies under it)."""
        ...

    def inbound(self) -> Sequence[Inbound]: ...

    def pages(self) -> Sequence[BaseRoute]:
        """Routes that record nothing (GET pages); most channels have none."""
        ...

    def notes(self) -> list[str]:
        """Start-up lines about routes that cannot work as configured."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

