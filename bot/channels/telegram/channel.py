"""Telegram as the outbox drives it (`bot.channels.base.ChannelAdapter`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.catalogue import Catalogue
from bot.channels.base import (
    BucketSpec,
    Capabilities,
    ChannelLimits,
    Known,
    Rendered,
    SendOutcome,
    in_flight_for,
)
from bot.channels.telegram.render import keyboard_of, render
from bot.config import TelegramConfig
from bot.engine.events import MessageCreated
from bot.terms import TELEGRAM
from storage.records import OutboxMessage

if TYPE_CHECKING:
    from bot.channels.telegram.send import TelegramSender

CAPABILITIES = Capabilities(
    numbered_choices=False,
    keyboards=True,
    markup=False,  # Heard sends plain text: participants' words are never parsed as markup
    max_chars=4096,
    max_segments=None,
)
# About 30 messages a second overall, 1 a second per chat (the Bot API's published limits).
TELEGRAM_LIMITS = ChannelLimits(overall=BucketSpec(30, 30), per_address=BucketSpec(1, 1))


class TelegramChannel:
    """Telegram cannot be asked whether an earlier attempt arrived (`reconciles` is False): a
    worker killed between Telegram accepting a message and the commit of `sent` sends it again."""

    name = TELEGRAM
    capabilities = CAPABILITIES
    reconciles = False

    def __init__(self, config: TelegramConfig, timeout: float) -> None:
        # python-telegram-bot is imported only when Telegram is configured (the simulator and
        # SMS-only deployments import this module for its capabilities).
        from bot.channels.telegram.send import TelegramSender

        self._sender: TelegramSender = TelegramSender(
            config.bot_token, base_url=config.api_base_url, timeout=timeout
        )
        rate = config.messages_per_second
        self.limits = ChannelLimits(
            overall=BucketSpec(rate, rate),
            per_address=BucketSpec(config.chat_messages_per_second, 1),
        )
        self.max_in_flight = in_flight_for(rate)

    def render(self, message: MessageCreated, catalogue: Catalogue) -> Rendered:
        return render(message, catalogue)

    async def deliver(self, message: OutboxMessage, address: str) -> SendOutcome:
        return await self._sender.send(
            address,
            message.text,
            message.choices,
            message.message_id,
            keyboard=keyboard_of(message.choices),
        )

    async def reconcile(self, message: OutboxMessage, address: str, known: Known) -> str | None:
        return None

    async def aclose(self) -> None:
        await self._sender.aclose()
