"""Telegram updates into the inbox through python-telegram-bot's `Application`: one handler,
`_record`, turns each update into an `InboundMessage` and records it, whichever way it came.

* Webhook (`polling=False`): the Application has no Updater; our ASGI route verifies the secret
  and checks the shape, then `feed` parses the body with `Update.de_json` and awaits
  `Application.process_update`, so `feed` returns only after the update is committed to the
  inbox (or found to need no turn) and the webhook answers 200 after that. The update queue is
  never used on this path: it would let the answer precede the commit.
* Polling (`polling=True`, `heard run --telegram-polling`, local development without a public
  URL): PTB's own `Updater` long-polls getUpdates (deleting any webhook first, as PTB does) and
  hands updates through its queue to the same handler. The Updater confirms an update to
  Telegram when it asks for the next ones, which may precede the commit: a process killed in
  between loses that update. Use the webhook in production. The command menu is registered
  first (a failure is logged and polling goes on).

`start` initialises the Application (one getMe). When the Bot API cannot be reached then, one
line is logged and the service keeps serving: until initialisation succeeds (tried again on a
later update, at most once per `retry_seconds`) a webhook update is parsed with the same
`Update.de_json` and given to the same handler directly, so nothing Telegram delivers is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.catalogue import Catalogue
from bot.channels.base import Recorder
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.webhook import ALLOWED_UPDATES, parse_telegram_update
from bot.config import TelegramConfig

log = logging.getLogger("heard.telegram")

RETRY_SECONDS = 60.0
LONG_POLL_SECONDS = 25.0
# What python-telegram-bot raises for fields of the wrong type or range (it checks little).
PTB_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


class NotAnUpdate(ValueError):
    """The body is JSON but not a Telegram update we can read."""


@dataclass
class _Fed:
    """What happened to one fed update inside the handler (PTB would otherwise swallow errors)."""

    error: BaseException | None = None


def telegram_bot_id(token: str) -> int:
    """A bot token starts with the bot's numeric id (`123456:ABC...`)."""
    head, _, _ = token.partition(":")
    if not head.isdigit():
        raise ValueError("a Telegram bot token starts with the bot id and a colon")
    return int(head)


def parse_update(data: dict[str, Any], bot: Bot) -> Update:
    """`Update.de_json`, its failures on fields of the wrong type or range as `NotAnUpdate`."""
    try:
        return Update.de_json(data, bot)
    except PTB_PARSE_ERRORS as exc:
        raise NotAnUpdate(type(exc).__name__) from exc


class TelegramUpdates:
    def __init__(
        self,
        config: TelegramConfig,
        intake: Recorder,
        *,
        polling: bool = False,
        catalogue: Catalogue | None = None,
        long_poll: float = LONG_POLL_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`catalogue` (polling only): the command menu to register at start."""
        self._intake = intake
        self._bot_id = telegram_bot_id(config.bot_token)
        self._polling = polling
        self._catalogue = catalogue
        self._long_poll = long_poll
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = Application.builder().token(
            config.bot_token
        )
        if not polling:
            builder = builder.updater(None)
        if config.api_base_url is not None:
            builder = builder.base_url(config.api_base_url)
        # `process_update` is awaited in each request's own task, so concurrent webhook requests
        # are not serialised (the Application's concurrency limit applies only to its queue).
        self.application: TelegramApplication = builder.build()
        self.application.add_handler(TypeHandler(Update, self._handle))
        self.application.add_error_handler(self._polling_error)
        self._fed: dict[int, _Fed] = {}
        self._lock = asyncio.Lock()
        self._serving = False
        self._failed_once = False
        self._retry_at = 0.0
        self._retrying: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self.application.running

    async def start(self) -> None:
        """Never raises for an unreachable or refusing Bot API (see module); polling then
        keeps trying in the background, every `retry_seconds`."""
        self._serving = True
        async with self._lock:
            await self._try_start()
        if self._polling and not self.ready:
            self._retrying = asyncio.create_task(self._retry_start())

    async def _retry_start(self) -> None:
        while self._serving and not self.ready:
            await asyncio.sleep(self._retry_seconds)
            async with self._lock:
                if self._serving and not self.ready:
                    await self._try_start()

    async def stop(self) -> None:
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        async with self._lock:
            self._serving = False
            updater = self.application.updater
            if updater is not None and updater.running:
                await updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()  # returns at once if it never initialised
            await self.application.bot.shutdown()  # so close the connections of a failed getMe

    async def feed(self, data: dict[str, Any]) -> None:
        """A webhook's update: records its inbound message, if it has one, and commits it.
        Raises `NotAnUpdate` for a body that is not an update; storage errors propagate."""
        application = await self._ready_application()
        update = parse_update(data, self.application.bot)
        if application is None:
            await self._record(update)
            return
        fed = _Fed()
        self._fed[id(update)] = fed
        try:
            await application.process_update(update)
        finally:
            del self._fed[id(update)]
        if fed.error is not None:
            raise fed.error

    async def _record(self, update: Update) -> None:
        """The one inbound path: an update as an `InboundMessage`, recorded in the inbox."""
        try:
            inbound = parse_telegram_update(update.to_dict(), update.get_bot(), self._bot_id)
        except PTB_PARSE_ERRORS as exc:
            raise NotAnUpdate(type(exc).__name__) from exc
        if inbound is not None:
            await self._intake.record(inbound)

    async def _handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        fed = self._fed.get(id(update))
        try:
            await self._record(update)
        except Exception as exc:
            if fed is None:  # from the Updater, or fed by someone else: PTB's error handling
                raise
            fed.error = exc

    async def _polling_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The type only: an exception's message may quote the update or the token.
        log.error("Telegram update not recorded: %s", type(context.error).__name__)

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
            if self._polling:
                await self._register_commands()
            await self.application.start()
            updater = self.application.updater
            if self._polling and updater is not None:
                await updater.start_polling(
                    timeout=timedelta(seconds=self._long_poll),
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=_polling_failed,
                )
        except InvalidToken:
            # PTB's message quotes the token: only our own words reach the log.
            self._note_failure("the Bot API refused TELEGRAM_BOT_TOKEN")
            return
        except (TelegramError, OSError) as exc:
            self._note_failure(f"the Bot API is unreachable ({type(exc).__name__})")
            return
        if self._failed_once:
            log.info("Telegram: the Bot API answered; updates go through the Application")
        self._failed_once = False

    async def _register_commands(self) -> None:
        if self._catalogue is None:
            return
        try:
            await register_commands(self.application.bot, self._catalogue)
        except TelegramError as exc:
            log.warning("Telegram command menu not registered: %s", type(exc).__name__)

    def _note_failure(self, reason: str) -> None:
        self._retry_at = self._monotonic() + self._retry_seconds
        level = logging.DEBUG if self._failed_once else logging.WARNING
        how = "polling is not running" if self._polling else (
            "still serving, updates are read without the Application"
        )
        log.log(
            level,
            "Telegram: %s; %s and start-up is retried within %.0f s",
            reason,
            how,
            self._retry_seconds,
        )
        self._failed_once = True


def _polling_failed(exc: TelegramError) -> None:
    """getUpdates failed; the Updater tries again by itself. The type only: PTB's messages can
    quote the token."""
    log.warning("Telegram polling failed: %s", type(exc).__name__)
