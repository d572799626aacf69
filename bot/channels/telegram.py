"""Telegram Bot API: webhook verification, update parsing, sending.

Which updates become an `InboundMessage` (everything else gives None and needs no reply):
* a new message in a private chat with text: its text;
* a photo or file with a caption: the caption, as if typed;
* a new message in a private chat without words (voice note, sticker, photo, ...): text "" and
  `media=True`, so the conversation asks politely for a typed reply instead of going silent;
* `/start` or `/start <code>` (a t.me deep link): text "/start", `deep_link` = the code.
  Telegram sends `/start` when a person first opens the bot or restarts it after blocking it:
  the host treats it as a greeting (the welcome flow, or the flow the code names), not an answer;
* the commands of Heard's Telegram menu (`COMMANDS`, registered by `heard telegram
  set-webhook`): `/menu`, `/help`, `/stop`, `/language` become the engine's English keywords
  MENU, HELP, STOP, LANGUAGE, which work whatever language the person speaks.
The sender's `language_code` (their Telegram app's language) rides along as `language_hint`.
Ignored: edited messages (the conversation has already answered the original, and an edit of an
old message would answer a question that is no longer asked), button callbacks (Heard sends reply
keyboards, whose presses arrive as ordinary text), group and channel chats (Heard talks to one
person at a time), membership changes.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
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

from bot.channels.base import Failed, InboundMessage, OptedOut, RetryLater, SendOutcome, Sent

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# t.me/<bot>?start=<payload>: up to 64 characters of A-Z, a-z, 0-9, _ and -.
_DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")
# An IETF language tag as Telegram sends it (`en`, `pt-br`); anything else is no hint.
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
# What setWebhook accepts as secret_token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramWebhookVerifier:
    """Checks the secret token given to `setWebhook`, sent back by Telegram in a header.

    The token authenticates the sender but does not stop replays: de-duplicate on
    `InboundMessage.provider_key`.
    """

    def __init__(self, secret: str) -> None:
        if not _SECRET.fullmatch(secret):
            raise ValueError("a webhook secret is 1-256 characters of A-Z, a-z, 0-9, _ and -")
        self._secret = secret.encode()

    def verify(self, headers: Mapping[str, str]) -> bool:
        """`headers` must look names up case-insensitively (Starlette's `Headers` do)."""
        return self.verify_token(headers.get(SECRET_HEADER))

    def verify_token(self, token: str | None) -> bool:
        if token is None:
            return False
        return hmac.compare_digest(token.encode(), self._secret)


# Telegram command -> the engine keyword it stands for (None: handled as /start, see module).
COMMANDS: dict[str, str | None] = {
    "start": None,
    "menu": "MENU",
    "help": "HELP",
    "stop": "STOP",
    "language": "LANGUAGE",
}
START_COMMAND = "/start"


def read_command(text: str) -> tuple[str, str | None]:
    """(the text a turn sees, the deep link code) for what a person sent on Telegram: Heard's
    commands become keywords (`/stop@HeardBot` too); other text is kept as it is."""
    command, _, rest = text.strip().partition(" ")
    if not command.startswith("/"):
        return text, None
    name = command[1:].split("@", 1)[0].lower()
    if name not in COMMANDS:
        return text, None
    keyword = COMMANDS[name]
    if keyword is not None:
        return keyword, None
    payload = rest.strip()
    return START_COMMAND, payload if _DEEP_LINK.fullmatch(payload) else None


def parse_telegram_update(
    data: dict[str, Any], bot: Bot | None, bot_id: int
) -> InboundMessage | None:
    """An update from the webhook or getUpdates, or None when it needs no turn (see module)."""
    update = Update.de_json(data, bot)
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return None
    words = message.text if message.text is not None else message.caption
    text, deep_link = read_command(words) if words else ("", None)
    sender = message.from_user
    code = sender.language_code if sender is not None else None
    return InboundMessage(
        channel=CHANNEL,
        address=str(message.chat.id),
        text=text,
        provider_key=f"{bot_id}:{update.update_id}",
        at=message.date,
        deep_link=deep_link,
        media=not words,
        language_hint=code if isinstance(code, str) and _LANGUAGE_CODE.fullmatch(code) else None,
    )


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
        removed. `keyboard` (the rows of `bot.render.telegram.render_telegram`) sets the layout;
        without it each choice has a row of its own, so long labels in any language stay whole."""
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
