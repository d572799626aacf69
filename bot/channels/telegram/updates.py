"""Telegram webhook updates through python-telegram-bot's `Application` (no updater: our ASGI app
receives the updates and feeds them in).

Contract: `feed` returns only after the update is committed to the inbox (or found to need no
turn), because `Application.process_update` awaits its blocking handler; the webhook answers 200
after that. The update queue is never used: it would let the answer precede the commit.

`start` initialises the Application (one getMe). When the Bot API cannot be reached then, one
line is logged and the service keeps serving: updates are parsed without the Application, and
initialisation is tried again on a later update, at most once per `retry_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.telegram.webhook import parse_telegram_update
from bot.config import TelegramConfig
from bot.inbox.intake import Intake

log = logging.getLogger("heard.telegram")

RETRY_SECONDS = 60.0
# What python-telegram-bot raises for fields of the wrong type or range (it checks little).
PTB_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


class NotAnUpdate(ValueError):
    """The body is JSON but not a Telegram update we can read."""


@dataclass
class _Fed:
    """What happened to one fed update inside the handler (PTB would otherwise swallow errors)."""

    error: BaseException | None = None


async def record_without_application(data: dict[str, Any], intake: Intake, bot_id: int) -> None:
    """`TelegramUpdates.feed` for when no Application is running (the same result)."""
    try:
        inbound = parse_telegram_update(data, None, bot_id)
    except PTB_PARSE_ERRORS as exc:
        raise NotAnUpdate(type(exc).__name__) from exc
    if inbound is not None:
        await intake.record(inbound)


class TelegramUpdates:
    def __init__(
        self,
        config: TelegramConfig,
        intake: Intake,
        bot_id: int,
        *,
        retry_seconds: float = RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._intake = intake
        self._bot_id = bot_id
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            Application.builder().token(config.bot_token).updater(None)
        )
        if config.api_base_url is not None:
            builder = builder.base_url(config.api_base_url)
        # `process_update` is awaited in each request's own task, so concurrent webhook requests
        # are not serialised (the Application's concurrency limit applies only to its queue).
        self.application: TelegramApplication = builder.build()
        self.application.add_handler(TypeHandler(Update, self._record))
        self._fed: dict[int, _Fed] = {}
        self._lock = asyncio.Lock()
        self._serving = False
        self._failed_once = False
        self._retry_at = 0.0

    @property
    def ready(self) -> bool:
        return self.application.running

    async def start(self) -> None:
        """Never raises for an unreachable or refusing Bot API (see module)."""
        self._serving = True
        async with self._lock:
            await self._try_start()

    async def stop(self) -> None:
        async with self._lock:
            self._serving = False
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()  # returns at once if it never initialised
            await self.application.bot.shutdown()  # so close the connections of a failed getMe

    async def feed(self, data: dict[str, Any]) -> None:
        """Records the update's inbound message, if it has one, and commits it. Raises
        `NotAnUpdate` for a body that is not an update; storage errors propagate."""
        application = await self._ready_application()
        if application is None:
            await record_without_application(data, self._intake, self._bot_id)
            return
        try:
            update = Update.de_json(data, application.bot)
        except PTB_PARSE_ERRORS as exc:
            raise NotAnUpdate(type(exc).__name__) from exc
        fed = _Fed()
        self._fed[id(update)] = fed
        try:
            await application.process_update(update)
        finally:
            del self._fed[id(update)]
        if fed.error is not None:
            raise fed.error

    async def _record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        fed = self._fed.get(id(update))
        try:
            try:
                inbound = parse_telegram_update(update.to_dict(), context.bot, self._bot_id)
            except PTB_PARSE_ERRORS as exc:
                raise NotAnUpdate(type(exc).__name__) from exc
            if inbound is not None:
                await self._intake.record(inbound)
        except Exception as exc:
            if fed is None:  # fed by someone else: let PTB's error handling have it
                raise
            fed.error = exc

    async def _ready_application(self) -> TelegramApplication | None:
        if self.ready:
            return self.application
        if not self._serving or self._monotonic() < self._retry_at:
            return None
        async with self._lock:
            if self._serving and not self.ready and self._monotonic() >= self._retry_at:
                await self._try_start()
        return self.application if self.ready else None

    async def _try_start(self) -> None:
        try:
            await self.application.initialize()
            await self.application.start()
        except InvalidToken:
            # PTB's message quotes the token: only our own words reach the log.
            self._note_failure("the Bot API refused TELEGRAM_BOT_TOKEN")
            return
        except (TelegramError, OSError) as exc:
            self._note_failure(f"the Bot API is unreachable ({type(exc).__name__})")
            return
        if self._failed_once:
            log.info("Telegram webhook: the Bot API answered; updates go through the Application")
        self._failed_once = False

    def _note_failure(self, reason: str) -> None:
        self._retry_at = self._monotonic() + self._retry_seconds
        level = logging.DEBUG if self._failed_once else logging.WARNING
        log.log(
            level,
            "Telegram webhook: %s; still serving, updates are read without the Application "
            "and start-up is retried within %.0f s",
            reason,
            self._retry_seconds,
        )
        self._failed_once = True
