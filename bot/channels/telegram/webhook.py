"""Telegram Bot API, inbound: webhook verification and update parsing.

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

import hmac
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.channels.base import InboundMessage

if TYPE_CHECKING:
    from telegram import Bot

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
ALLOWED_UPDATES = ["message"]  # the only update kind Heard reads (see module)
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
    # python-telegram-bot is imported at the first update, not with this module: the simulator
    # and `heard chat` import it for `read_command` and SMS-only deployments never need it.
    from telegram import Update
    from telegram.constants import ChatType

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
