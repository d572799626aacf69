"""Telegram updates through python-telegram-bot's `Application`, the one inbound path: whichever
way an update came, `Application.process_update` runs Heard's one handler, which turns it into
an `InboundMessage` (webhook.py's `parse_telegram_update`).

* Webhook (`polling=False`): the Application has no Updater. The generic route verifies the
  secret, then `parse` checks the shape, reads the body with `Update.de_json` and awaits
  `process_update`; the route records what the handler made and answers 200 after the commit.
  The update queue is never used on this path: it would let the answer precede the commit.
* Polling (`polling=True`, `heard run --telegram-polling`, local development without a public
  URL): PTB's own `Updater` long-polls getUpdates (deleting any webhook first, as PTB does).
  It confirms an update to Telegram by asking for the next ones with a higher offset, which it
  does only after putting every fetched update in its queue. Heard's queue (`_RecordingQueue`)
  does not return from `put` until the update has gone through the Application and is
  committed to the inbox, so Telegram is told "received" only for updates already in the
  inbox: a process killed at any moment loses nothing (the update comes again, and the inbox
  refuses a repeat). An update that cannot be recorded raises a `TelegramError` into PTB's
  retry loop: the offset stays, and the batch is fetched again after a pause.

Start-up initialises the Application (one getMe). When the Bot API cannot be reached then,
one line is logged (the reason's type, never the token) and the service keeps serving: start-up
is retried in the background every `retry_seconds`, and also at a webhook update once that
interval has passed. Until it succeeds a webhook update is answered 503 (`NotReady`) and
Telegram delivers it again later; nothing is read around the Application.
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
from bot.channels.base import InboundMessage, Malformed, NotReady, Recorder
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.webhook import ALLOWED_UPDATES, parse_telegram_update
from bot.config import TelegramConfig

log = logging.getLogger("heard.telegram")

RETRY_SECONDS = 60.0
LONG_POLL_SECONDS = 25.0
# What python-telegram-bot raises for fields of the wrong type or range (it checks little).
PTB_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


class NotRecorded(TelegramError):
    """A polled update could not be recorded; PTB's polling loop keeps the offset and fetches
    the batch again after a pause. Carries the cause's type only."""


@dataclass
class _Slot:
    """What Heard's handler made of one update (PTB would otherwise swallow its errors)."""

    inbound: InboundMessage | None = None
    error: BaseException | None = None


def telegram_bot_id(token: str) -> int:
    """A bot token starts with the bot's numeric id (`123456:ABC...`)."""
    head, _, _ = token.partition(":")
    if not head.isdigit():
        raise ValueError("a Telegram bot token starts with the bot id and a colon")
    return int(head)


def parse_update(data: dict[str, Any], bot: Bot) -> Update:
    """`Update.de_json`, its failures on fields of the wrong type or range as `Malformed`."""
    try:
        return Update.de_json(data, bot)
    except PTB_PARSE_ERRORS as exc:
        raise Malformed(type(exc).__name__) from exc


class _RecordingQueue(asyncio.Queue[object]):
    """The Updater's queue: `put` returns once the update is in the inbox (see module)."""

    def __init__(self) -> None:
        super().__init__()
        self.take: Callable[[Update], Any] | None = None

    async def put(self, item: object) -> None:
        if self.take is None or not isinstance(item, Update):
            await super().put(item)
            return
        await self.take(item)


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
        """`intake` records polled updates (webhook updates are recorded by the route);
        `catalogue` (polling only): the command menu to register at start."""
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
        if polling:
            queue = _RecordingQueue()
            queue.take = self._take_polled
            builder = builder.update_queue(queue)
        else:
            builder = builder.updater(None)
        if config.api_base_url is not None:
            builder = builder.base_url(config.api_base_url)
        # `process_update` is awaited in each request's own task, so concurrent webhook requests
        # are not serialised (the Application's concurrency limit applies only to its queue).
        self.application: TelegramApplication = builder.build()
        self.application.add_handler(TypeHandler(Update, self._handle))
        self.application.add_error_handler(self._handler_error)
        self._slots: dict[int, _Slot] = {}
        self._lock = asyncio.Lock()
        self._serving = False
        self._failed_once = False
        self._retry_at = 0.0
        self._retrying: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self.application.running

    async def start(self) -> None:
        """Never raises for an unreachable or refusing Bot API (see module); start-up is then
        retried in the background every `retry_seconds`."""
        self._serving = True
        async with self._lock:
            await self._try_start()
        if not self.ready and self._retrying is None:
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

    async def parse(self, data: dict[str, Any]) -> InboundMessage | None:
        """A webhook's update (shape already checked) through the Application: the message it
        carries, or None when it needs no turn. Raises `Malformed` for what PTB cannot read and
        `NotReady` before the Bot API has answered once."""
        if not await self._ready():
            raise NotReady("the Bot API has not answered yet")
        return await self._through_application(parse_update(data, self.application.bot))

    async def _through_application(self, update: Update) -> InboundMessage | None:
        slot = _Slot()
        self._slots[id(update)] = slot
        try:
            await self.application.process_update(update)
        finally:
            del self._slots[id(update)]
        if slot.error is not None:
            raise slot.error
        return slot.inbound

    async def _take_polled(self, update: Update) -> None:
        """A polled update, committed to the inbox before the Updater moves its offset on."""
        try:
            inbound = await self._through_application(update)
            if inbound is not None:
                await self._intake.record(inbound)
        except Malformed:
            # Telegram sent something PTB cannot read: confirming it is the only way past it.
            log.warning("Telegram: a polled update could not be read; it is skipped")
        except Exception as exc:
            raise NotRecorded(type(exc).__name__) from exc

    async def _handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Heard's one handler: the update as an `InboundMessage`, into the caller's slot."""
        slot = self._slots.get(id(update))
        if slot is None:  # not given by `parse` or the Updater's queue: nothing to hand it to
            return
        try:
            slot.inbound = parse_telegram_update(update.to_dict(), update.get_bot(), self._bot_id)
        except PTB_PARSE_ERRORS as exc:
            slot.error = Malformed(type(exc).__name__)

    async def _handler_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The type only: an exception's message may quote the update or the token.
        log.error("Telegram update not handled: %s", type(context.error).__name__)

    async def _ready(self) -> bool:
        if self.ready:
            return True
        if self._monotonic() < self._retry_at:
            return False
        async with self._lock:
            if not self.ready and self._monotonic() >= self._retry_at:
                self._serving = True
                await self._try_start()
        return self.ready

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
            log.info("Telegram: the Bot API answered; updates are read again")
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
            "webhook updates are answered 503 and Telegram delivers them again"
        )
        log.log(
            level,
            "Telegram: %s; %s; start-up is retried every %.0f s",
            reason,
            how,
            self._retry_seconds,
        )
        self._failed_once = True


def _polling_failed(exc: TelegramError) -> None:
    """getUpdates failed, or a fetched update was not recorded; the Updater tries again by
    itself. The type only: PTB's messages can quote the token."""
    cause = exc.__cause__ if isinstance(exc, NotRecorded) else exc
    log.warning("Telegram polling failed: %s", type(cause).__name__)
