"""Telegram's webhook as an `Inbound` of the generic route (bot.channels.inbound):
`POST /webhooks/telegram`.

The secret token header (set with `setWebhook` by `heard telegram set-webhook`) is compared in
constant time before the body is read (`verifies_body` is False): 403 without it, nothing
stored. The body must be JSON of an update's shape (shape.py): else 400. The update then goes
through python-telegram-bot's `Application` (updates.py), whose handler makes the
`InboundMessage` the route records; the answer (200) follows the commit. Before the Bot API has
answered once, 503: Telegram delivers the update again later. A repeated update is acknowledged
and ignored (the inbox refuses its `<bot id>:<update id>`). Telegram not configured answers 404;
configured without `TELEGRAM_WEBHOOK_SECRET`, 404 too (`heard run --telegram-polling` works
without it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from bot.catalogue import Catalogue
from bot.channels.base import (
    Answer,
    Inbound,
    Malformed,
    Received,
    Recorder,
    WebhookRequest,
)
from bot.channels.telegram.shape import MalformedUpdate, checked_update
from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, TelegramWebhookVerifier
from bot.config import Settings
from bot.web.limits import DEFAULT_CAP

if TYPE_CHECKING:  # python-telegram-bot is imported only when Telegram is used (`_updates_now`)
    from bot.channels.telegram.updates import TelegramApplication, TelegramUpdates


class TelegramWebhook:
    """The inbound half of the Telegram channel: its `Webhook` and its one `Inbound`. With
    `polling`, no route records anything: PTB's Updater fetches updates instead (updates.py)."""

    body_cap = DEFAULT_CAP  # an update rarely passes 10 KB
    prefix = WEBHOOK_PATH
    path = WEBHOOK_PATH
    channel = "telegram"
    verifies_body = False

    def __init__(
        self,
        settings: Settings,
        intake: Recorder,
        *,
        polling: bool = False,
        catalogue: Catalogue | None = None,
    ) -> None:
        self._config = settings.telegram
        self._intake = intake
        self._verifier: TelegramWebhookVerifier | None = None
        self._updates: TelegramUpdates | None = None
        self._polling = polling
        self._catalogue = catalogue
        if self._config is not None and self._config.webhook_secret:
            self._verifier = TelegramWebhookVerifier(self._config.webhook_secret)

    @property
    def application(self) -> TelegramApplication | None:
        """The Application updates go through (None until `start`, or when off)."""
        return None if self._updates is None else self._updates.application

    def notes(self) -> list[str]:
        if self._config is None:
            return ["Telegram is off: set TELEGRAM_BOT_TOKEN"] if self._polling else []
        if self._verifier is None and not self._polling:
            return [
                "the Telegram webhook is off: set TELEGRAM_WEBHOOK_SECRET "
                "(`heard run --telegram-polling` works without it)"
            ]
        return []

    def _updates_now(self) -> TelegramUpdates:
        assert self._config is not None
        if self._updates is None:
            from bot.channels.telegram.updates import TelegramUpdates

            self._updates = TelegramUpdates(
                self._config, self._intake, polling=self._polling, catalogue=self._catalogue
            )
        return self._updates

    async def start(self) -> None:
        """Builds and starts the Application (and with `polling`, PTB's Updater); an
        unreachable Bot API is logged, not raised, and retried (updates.py)."""
        if self._config is None or self._updates is not None:
            return
        if self._verifier is None and not self._polling:
            return
        await self._updates_now().start()

    async def stop(self) -> None:
        if self._updates is not None:
            await self._updates.stop()

    def inbound(self) -> Sequence[Inbound]:
        return [self]

    def pages(self) -> Sequence[BaseRoute]:
        return []

    # The `Inbound` contract (bot.channels.base).

    def unavailable(self) -> Answer | None:
        if self._verifier is None or self._config is None:
            return Answer(404, "telegram is not configured")
        return None

    def verify(self, request: WebhookRequest) -> str | None:
        assert self._verifier is not None  # `unavailable` answered otherwise
        token = request.headers.get(SECRET_HEADER)
        if self._verifier.verify_token(token):
            return None
        return "invalid signature" if token else "missing signature"

    async def parse(self, request: WebhookRequest) -> Received:
        try:
            data = checked_update(json.loads(request.body))
        except (MalformedUpdate, ValueError, RecursionError) as exc:
            # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError, JSON
            # nested deeper than Python's parser goes.
            raise Malformed(f"not an update: {type(exc).__name__}") from exc
        # Served without the lifespan (a test's app), the Application starts on first use.
        return await self._updates_now().parse(data)

    def normalise_address(self, address: str) -> str:
        """A chat id as Telegram's integer, in decimal (the parser writes it so already)."""
        return address.strip()

    def malformed(self, reason: str) -> Answer:
        return Answer(400, "not a Telegram update")

    def accepted(self, received: Received) -> Answer:
        return Answer(200)
