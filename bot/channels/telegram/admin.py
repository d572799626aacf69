"""`heard telegram set-webhook`: tell Telegram where to deliver updates, with the secret token
it must send back (`X-Telegram-Bot-Api-Secret-Token`), and only the update kinds Heard reads;
then register the command menu in every catalogue language (bot.channels.telegram.commands)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.catalogue import load_catalogue
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.webhook import ALLOWED_UPDATES, WEBHOOK_PATH
from bot.config import Settings

log = logging.getLogger("heard.telegram")



def webhook_url(public_url: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PATH


def set_webhook(settings: Settings, drop_pending: bool) -> int:
    """0 on success; 2 when the configuration cannot work; 1 when Telegram refused."""
    config = settings.telegram
    if config is None:
        log.error("Telegram is off: set TELEGRAM_BOT_TOKEN")
        return 2
    if not config.webhook_secret:
        log.error("set TELEGRAM_WEBHOOK_SECRET: the webhook refuses updates without it")
        return 2
    if not settings.public_url or not settings.public_url.startswith("https://"):
        log.error("set HEARD_PUBLIC_URL to the service's https:// address")
        return 2
    url = webhook_url(settings.public_url)
    secret = config.webhook_secret
    catalogue = load_catalogue(settings.catalogue_dir)

    async def call() -> bool:
        bot = (
            Bot(config.bot_token)
            if config.api_base_url is None
            else Bot(config.bot_token, base_url=config.api_base_url)
        )
        async with bot:
            ok = await bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=drop_pending,
            )
            if ok:
                await register_commands(bot, catalogue)
            return ok

    try:
        ok = asyncio.run(call())
    except TelegramError as exc:
        # PTB's messages can quote the token for InvalidToken; name the type only.
        log.error("Telegram refused the webhook: %s", type(exc).__name__)
        return 1
    if not ok:
        log.error("Telegram did not accept the webhook")
        return 1
    log.info("Telegram webhook set to %s; command menu registered", url)
    return 0
