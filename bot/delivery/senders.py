"""Builds each configured channel's sender, pacing limits and outbox wiring from `Settings`.

A channel without credentials has no sender: its messages stay queued until it is configured.
The simulator's channels are added only by a host that shows the simulator (bot.web).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.channels.base import SendOutcome
from bot.channels.telegram import TelegramSender
from bot.config import Settings
from bot.delivery.outbox_worker import Known, OutboxChannel
from bot.delivery.ratelimit import BucketSpec, ChannelLimits, sms_limits
from bot.delivery.rendering import telegram_keyboard
from bot.delivery.twilio_outbound import OutboxTwilioSender
from bot.terms import SMS, TELEGRAM
from storage.records import OutboxMessage

Closer = Callable[[], Awaitable[None]]
SEND_TIMEOUT = 10.0


@dataclass
class OutboxWiring:
    channels: dict[str, OutboxChannel] = field(default_factory=dict)
    limits: dict[str, ChannelLimits] = field(default_factory=dict)
    closers: list[Closer] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in self.closers:
            await close()


def in_flight_for(rate: float) -> int:
    """About two seconds of sending: enough to keep the provider busy, few enough that a
    claimed message never waits near its lease for its turn."""
    return max(4, min(256, math.ceil(rate * 2)))


def twilio_channel(
    settings: Settings, timeout: float = SEND_TIMEOUT
) -> tuple[OutboxChannel, ChannelLimits, Closer] | None:
    config = settings.twilio
    if config is None:
        return None
    sender = OutboxTwilioSender(
        config.account_sid,
        config.auth_token,
        public_url=settings.public_url,
        from_number=config.from_number,
        messaging_service_sid=config.messaging_service_sid,
        api_base_url=config.api_base_url,
        timeout=timeout,
    )

    async def deliver(message: OutboxMessage, address: str) -> SendOutcome:
        return await sender.send(address, message.text, message.choices, message.message_id)

    async def find_accepted(message: OutboxMessage, address: str, known: Known) -> str | None:
        return await sender.find_accepted(address, message.text, message.created_at, known)

    channel = OutboxChannel(
        SMS,
        deliver,
        find_accepted,
        cost_by_segments=True,
        max_in_flight=in_flight_for(config.messages_per_second),
    )
    return channel, sms_limits(config.messages_per_second), sender.aclose


def telegram_channel(
    settings: Settings, timeout: float = SEND_TIMEOUT
) -> tuple[OutboxChannel, ChannelLimits, Closer] | None:
    config = settings.telegram
    if config is None:
        return None
    sender = TelegramSender(config.bot_token, base_url=config.api_base_url, timeout=timeout)

    async def deliver(message: OutboxMessage, address: str) -> SendOutcome:
        return await sender.send(
            address,
            message.text,
            message.choices,
            message.message_id,
            keyboard=telegram_keyboard(message.choices),
        )

    limits = ChannelLimits(
        overall=BucketSpec(config.messages_per_second, config.messages_per_second),
        per_address=BucketSpec(config.chat_messages_per_second, 1),
    )
    channel = OutboxChannel(
        TELEGRAM, deliver, max_in_flight=in_flight_for(config.messages_per_second)
    )
    return channel, limits, sender.aclose


def provider_wiring(settings: Settings, timeout: float = SEND_TIMEOUT) -> OutboxWiring:
    """`timeout` bounds one provider call; keep it well under the outbox lease."""
    wiring = OutboxWiring()
    for built in (twilio_channel(settings, timeout), telegram_channel(settings, timeout)):
        if built is None:
            continue
        channel, limits, close = built
        wiring.channels[channel.name] = channel
        wiring.limits[channel.name] = limits
        wiring.closers.append(close)
    return wiring
