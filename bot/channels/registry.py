"""Which channels Heard has: how each channel name renders, and the configured channels' outbound
halves built from `Settings`. Adding a channel is a new folder plus a line in each table here.

Rendering needs no credentials (the inbox worker queues replies for a channel that is not
configured in its process); sending does: a channel without credentials has no sender here, and
its messages stay queued until it is configured. The simulator's channels are added by the host
that shows the simulator (bot.app).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.catalogue import Catalogue
from bot.channels.base import ChannelAdapter, ChannelLimits, Rendered
from bot.channels.names import RENDERING, Rendering
from bot.channels.telegram import render as telegram_render
from bot.channels.twilio_sms import render as sms_render
from bot.config import Settings
from bot.engine.events import MessageCreated
from storage.records import OutboxMessage

SEND_TIMEOUT = 10.0

Render = Callable[[MessageCreated, Catalogue], Rendered]
RENDERERS: dict[Rendering, Render] = {"sms": sms_render.render, "telegram": telegram_render.render}


def render_for(channel: str) -> Render:
    """KeyError for a channel Heard does not know (a programming mistake)."""
    return RENDERERS[RENDERING[channel]]


def outbox_message(
    message: MessageCreated,
    channel: str,
    participant_id: str | None,
    catalogue: Catalogue,
    at: datetime,
    *,
    bulk: bool = False,
) -> OutboxMessage:
    """A `MessageCreated` as an outbox row for `channel`, rendered once, here. `bulk`: one of
    a message to many, sent after the replies waiting on the channel."""
    rendered = render_for(channel)(message, catalogue)
    return OutboxMessage(
        message_id=message.message_id,
        participant_id=participant_id,
        channel=channel,
        text=rendered.text,
        created_at=at,
        choices=rendered.choices,
        language=message.language,
        encoding=rendered.encoding,
        segments=rendered.segments,
        bulk=bulk,
    )


@dataclass
class OutboxWiring:
    """The channels one process sends on; close them at shutdown."""

    channels: dict[str, ChannelAdapter] = field(default_factory=dict)

    @property
    def limits(self) -> dict[str, ChannelLimits]:
        return {name: channel.limits for name, channel in self.channels.items()}

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()


def provider_wiring(settings: Settings, timeout: float = SEND_TIMEOUT) -> OutboxWiring:
    """`timeout` bounds one provider call; keep it well under the outbox lease.

    Each provider's client library (twilio with requests, python-telegram-bot with httpx) is
    imported only when that channel is configured: rendering, which every turn needs, needs
    neither, and `heard chat` starts without them."""
    wiring = OutboxWiring()
    if settings.twilio is not None:
        from bot.channels.twilio_sms.channel import TwilioSmsChannel

        wiring.channels[TwilioSmsChannel.name] = TwilioSmsChannel(
            settings.twilio, settings.public_url, timeout
        )
    if settings.telegram is not None:
        from bot.channels.telegram.channel import TelegramChannel

        wiring.channels[TelegramChannel.name] = TelegramChannel(settings.telegram, timeout)
    return wiring
