"""Telegram Bot API, outbound: one attempt to send one message, and what an error means."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import Failed, OptedOut, RetryLater, SendOutcome, Sent


class TelegramSender:
    """Sends through a real `telegram.Bot`, one attempt per call, as plain text (no parse mode).

    `base_url` points the Bot at another Bot API server (`http://127.0.0.1:PORT/bot`; the token
    is appended). The Bot is initialised (one getMe) on first use; call `aclose()` at shutdown.
    PTB retries nothing without a rate limiter, and none is installed: the outbox owns retrying.
    Deployments set `PTB_TIMEDELTA=true` (PTB 22 otherwise warns on every flood-control reply).
    """

    def __init__(self, token: str, base_url: str | None = None, timeout: float = 10.0) -> None:
        request = HTTPXRequest(
            connection_pool_size=16,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
        )
        if base_url is None:
            self.bot = Bot(token, request=request)
        else:
            self.bot = Bot(token, base_url=base_url, request=request)
        self._init_lock = asyncio.Lock()

    async def start(self) -> None:
        """Idempotent; a failed start is tried again by the next call."""
        async with self._init_lock:
            await self.bot.initialize()

    async def aclose(self) -> None:
        """Closes connections, also after a failed start."""
        async with self._init_lock:
            await self.bot.shutdown()

    async def __aenter__(self) -> TelegramSender:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def send(
        self,
        address: str,
        text: str,
        choices: Sequence[str],
        message_id: str,
        *,
        keyboard: Sequence[Sequence[str]] | None = None,
    ) -> SendOutcome:
        """Choices become a one-time reply keyboard; without choices any earlier keyboard is
        removed. `keyboard` (the rows of `render.render_telegram`) sets the layout; without it each
        choice has a row of its own, so long labels in any language stay whole."""
        rows = [list(row) for row in keyboard] if keyboard else [[label] for label in choices]
        markup: ReplyKeyboardMarkup | ReplyKeyboardRemove = (
            ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)
            if rows
            else ReplyKeyboardRemove()
        )
        try:
            await self.start()
            sent = await self.bot.send_message(chat_id=address, text=text, reply_markup=markup)
        except TelegramError as exc:
            return outcome_of_error(exc)
        return Sent(str(sent.message_id))


def outcome_of_error(exc: TelegramError) -> SendOutcome:
    """How a Bot API error bears on delivery. Order matters: BadRequest is a NetworkError in
    PTB's hierarchy."""
    if isinstance(exc, RetryAfter):
        return RetryLater("telegram: flood control", _seconds(exc))
    reason = f"telegram: {type(exc).__name__}: {exc.message}"
    if isinstance(exc, Forbidden):
        # Blocked by the user, account deleted, or never started the bot: nobody to send to.
        return OptedOut("403")
    if isinstance(exc, BadRequest):
        return Failed(reason, "400")
    if isinstance(exc, InvalidToken):
        # PTB's message quotes the token itself, which must not reach a log.
        return Failed("telegram: the bot token was refused", "401")
    if isinstance(exc, NetworkError):  # timeouts, 5xx, connection failures
        return RetryLater(reason)
    return Failed(reason)


def _seconds(exc: RetryAfter) -> float:
    # PTB 22 warns that `retry_after` will become a timedelta; accept both.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
