"""`heard run --telegram-polling`: fetch updates with getUpdates (long polling) into the same
inbox a webhook fills, for local development without a public URL.

An update is confirmed to Telegram (the next offset) only after it is committed to the inbox;
a restart may fetch it again, and its provider key makes that a no-op. Telegram refuses
getUpdates while a webhook is set: delete it first (`setWebhook` with an empty URL).
When `catalogue` is given, the command menu is registered first (a failure is logged and polling
goes on).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.error import Conflict, TelegramError

from bot.catalogue import Catalogue
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.webhook import parse_telegram_update
from bot.config import TelegramConfig
from bot.inbox.intake import Intake
from bot.web.webhooks import telegram_bot_id

log = logging.getLogger("heard.telegram")

LONG_POLL_SECONDS = 25
BACKOFF_SECONDS = 5.0


async def poll_updates(
    config: TelegramConfig,
    intake: Intake,
    stop: asyncio.Event,
    *,
    long_poll: int = LONG_POLL_SECONDS,
    backoff: float = BACKOFF_SECONDS,
    catalogue: Catalogue | None = None,
) -> None:
    bot_id = telegram_bot_id(config.bot_token)
    bot = (
        Bot(config.bot_token)
        if config.api_base_url is None
        else Bot(config.bot_token, base_url=config.api_base_url)
    )
    offset: int | None = None
    async with bot:
        if catalogue is not None:
            try:
                await register_commands(bot, catalogue)
            except TelegramError as exc:
                log.warning("Telegram command menu not registered: %s", type(exc).__name__)
        while not stop.is_set():
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=long_poll,
                    allowed_updates=["message"],
                    read_timeout=long_poll + 10,
                )
            except Conflict:
                log.error("Telegram polling refused: a webhook is set; delete it to poll")
                await _sleep(stop, backoff * 6)
                continue
            except TelegramError as exc:
                log.warning("Telegram polling failed: %s", type(exc).__name__)
                await _sleep(stop, backoff)
                continue
            for update in updates:
                inbound = parse_telegram_update(update.to_dict(), None, bot_id)
                if inbound is not None:
                    await intake.record(inbound)
                offset = update.update_id + 1


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
