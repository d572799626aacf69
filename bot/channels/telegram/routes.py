"""Telegram's webhook: `POST /webhooks/telegram`.

The secret token header (set with `setWebhook` by `heard telegram set-webhook`) is compared in
constant time before the body is read: 403 without it, nothing stored. The body must be JSON of
an update's shape (shape.py): else 400. The update then goes through python-telegram-bot's
`Application` (updates.py), whose handler records it; the answer (200) follows the commit.
A repeated update is acknowledged and ignored (the inbox refuses its `<bot id>:<update id>`).
Telegram not configured answers 404; configured without `TELEGRAM_WEBHOOK_SECRET`, 404 too
(`heard run --telegram-polling` works without it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.catalogue import Catalogue
from bot.channels.base import Recorder
from bot.channels.telegram.shape import MalformedUpdate, checked_update
from bot.channels.telegram.updates import NotAnUpdate, TelegramApplication, TelegramUpdates
from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, TelegramWebhookVerifier
from bot.config import Settings
from bot.web.limits import DEFAULT_CAP

log = logging.getLogger("heard.webhooks")


class TelegramWebhook:
    """The inbound half of the Telegram channel (`bot.channels.base.Webhook`). With `polling`,
    no route records anything: PTB's Updater fetches updates instead (updates.py)."""

    body_cap = DEFAULT_CAP  # an update rarely passes 10 KB
    prefix = WEBHOOK_PATH

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

    async def start(self) -> None:
        """Builds and starts the Application (and with `polling`, PTB's Updater); an
        unreachable Bot API is logged, not raised."""
        if self._config is None or self._updates is not None:
            return
        if self._verifier is None and not self._polling:
            return
        self._updates = TelegramUpdates(
            self._config, self._intake, polling=self._polling, catalogue=self._catalogue
        )
        await self._updates.start()

    async def stop(self) -> None:
        if self._updates is not None:
            await self._updates.stop()

    def routes(self) -> Sequence[BaseRoute]:
        return [Route(WEBHOOK_PATH, self.update, methods=["POST"])]

    async def update(self, request: Request) -> Response:
        if self._verifier is None or self._config is None:
            return PlainTextResponse("telegram is not configured", status_code=404)
        token = request.headers.get(SECRET_HEADER)
        if not self._verifier.verify_token(token):
            log.warning("telegram webhook refused: %s signature", "invalid" if token else "missing")
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = checked_update(json.loads(await request.body()))
        except (MalformedUpdate, ValueError, RecursionError) as exc:
            # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError, JSON
            # nested deeper than Python's parser goes.
            log.warning("telegram webhook: not an update (%s)", type(exc).__name__)
            return PlainTextResponse("not a Telegram update", status_code=400)
        if self._updates is None:  # served without the lifespan
            self._updates = TelegramUpdates(self._config, self._intake)
        try:
            await self._updates.feed(data)
        except NotAnUpdate:
            return PlainTextResponse("not a Telegram update", status_code=400)
        return Response(status_code=200)
