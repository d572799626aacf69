"""Provider webhooks: verify first, then parse, then record in the inbox and commit, then answer.

* `POST /webhooks/twilio`: `X-Twilio-Signature` over `HEARD_PUBLIC_URL` + path (+ query) and
  every form field; answers an empty `<Response/>` (replies go through the REST API, so a
  retried webhook can never produce a second reply).
* `POST /webhooks/twilio/status?m=<outbox id>`: delivery status callbacks, matched by our id.
* `POST /webhooks/telegram`: the secret token header, compared in constant time; the verified
  update is then fed through python-telegram-bot's `Application` (`bot.channels.telegram.updates`),
  whose handler records it. `start()`/`stop()` (from the app's lifespan) run that Application.

A request that fails verification gets 403, stores nothing, and leaves one log line without
its body. A repeated delivery is acknowledged (200) and ignored. A channel that is not
configured answers 404; SMS without `HEARD_PUBLIC_URL` answers 503 (no URL to check against).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.telegram.shape import MalformedUpdate, checked_update
from bot.channels.telegram.updates import (
    NotAnUpdate,
    TelegramApplication,
    TelegramUpdates,
    record_without_application,
)
from bot.channels.telegram.webhook import TelegramWebhookVerifier
from bot.channels.twilio_sms.send import MESSAGE_PARAM, STATUS_PATH
from bot.channels.twilio_sms.webhook import (
    NotTwilioShaped,
    TwilioWebhookVerifier,
    check_inbound_form,
    check_status_form,
    parse_twilio_inbound,
    parse_twilio_status,
)
from bot.clock import Clock
from bot.config import Settings
from bot.inbox.intake import Intake
from storage.unit_of_work import Store

log = logging.getLogger("heard.webhooks")


TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWILIO_SIGNATURE = "X-Twilio-Signature"
MAX_MESSAGE_ID = 64  # outbox ids are 32 hex digits


def telegram_bot_id(token: str) -> int:
    """A bot token starts with the bot's numeric id (`123456:ABC...`)."""
    head, _, _ = token.partition(":")
    if not head.isdigit():
        raise ValueError("a Telegram bot token starts with the bot id and a colon")
    return int(head)


def _form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def _path_and_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _refused(channel: str, signature: str | None) -> Response:
    reason = "missing" if not signature else "invalid"
    log.warning("%s webhook refused: %s signature", channel, reason)
    return PlainTextResponse("forbidden", status_code=403)


def _off(channel: str) -> Response:
    return PlainTextResponse(f"{channel} is not configured", status_code=404)


class Webhooks:
    def __init__(self, settings: Settings, intake: Intake, store: Store, clock: Clock) -> None:
        self._intake = intake
        self._store = store
        self._clock = clock
        self._twilio: TwilioWebhookVerifier | None = None
        self._twilio_unverifiable = False
        twilio = settings.twilio
        self._twilio_account = twilio.account_sid if twilio is not None else ""
        if twilio is not None and settings.public_url:
            self._twilio = TwilioWebhookVerifier(twilio.auth_token, settings.public_url)
        elif twilio is not None:
            self._twilio_unverifiable = True
        self._telegram: TelegramWebhookVerifier | None = None
        self._telegram_configured = settings.telegram is not None
        self._telegram_config = settings.telegram
        self._bot_id = 0
        self._updates: TelegramUpdates | None = None
        if settings.telegram is not None and settings.telegram.webhook_secret:
            self._telegram = TelegramWebhookVerifier(settings.telegram.webhook_secret)
            self._bot_id = telegram_bot_id(settings.telegram.bot_token)

    async def start(self) -> None:
        """Builds and starts the Telegram Application when the Telegram webhook is on; an
        unreachable Bot API is logged, not raised."""
        if self._telegram is None or self._telegram_config is None or self._updates is not None:
            return
        self._updates = TelegramUpdates(self._telegram_config, self._intake, self._bot_id)
        await self._updates.start()

    async def stop(self) -> None:
        if self._updates is not None:
            await self._updates.stop()

    @property
    def telegram_application(self) -> TelegramApplication | None:
        """The Application fed by the Telegram webhook (None until `start`, or when off)."""
        return None if self._updates is None else self._updates.application

    def notes(self) -> list[str]:
        """Start-up lines about routes that cannot work as configured."""
        notes = []
        if self._twilio_unverifiable:
            notes.append("the SMS webhook is off: set HEARD_PUBLIC_URL to check signatures")
        if self._telegram is None and self._telegram_configured:
            notes.append(
                "the Telegram webhook is off: set TELEGRAM_WEBHOOK_SECRET "
                "(`heard run --telegram-polling` works without it)"
            )
        return notes

    def routes(self) -> list[Route]:
        return [
            Route("/webhooks/twilio", self.twilio_inbound, methods=["POST"]),
            Route(STATUS_PATH, self.twilio_status, methods=["POST"]),
            Route("/webhooks/telegram", self.telegram_update, methods=["POST"]),
        ]

    def _check_twilio(self, request: Request, form: Mapping[str, str]) -> Response | None:
        if self._twilio_unverifiable:
            return PlainTextResponse("HEARD_PUBLIC_URL is not set", status_code=503)
        if self._twilio is None:
            return _off("sms")
        signature = request.headers.get(TWILIO_SIGNATURE)
        if not self._twilio.verify(_path_and_query(request), form, signature):
            return _refused("twilio", signature)
        return None

    async def twilio_inbound(self, request: Request) -> Response:
        form = _form(await request.body())
        refused = self._check_twilio(request, form)
        if refused is not None:
            return refused
        try:
            check_inbound_form(form, self._twilio_account)
        except NotTwilioShaped as exc:
            log.warning("twilio webhook: not an inbound message (%s)", exc)
            return PlainTextResponse("not an inbound message", status_code=400)
        await self._intake.record(parse_twilio_inbound(form, at=self._clock()))
        return Response(TWIML_EMPTY, media_type="text/xml")

    async def twilio_status(self, request: Request) -> Response:
        form = _form(await request.body())
        refused = self._check_twilio(request, form)
        if refused is not None:
            return refused
        try:
            check_status_form(form, self._twilio_account)
        except NotTwilioShaped as exc:
            log.warning("twilio status callback: not a status callback (%s)", exc)
            return PlainTextResponse("not a status callback", status_code=400)
        status = parse_twilio_status(form)
        # Our own outbox id, carried in the callback URL; anything longer is not one of ours.
        message_id = request.query_params.get(MESSAGE_PARAM) or None
        if message_id is not None and len(message_id) > MAX_MESSAGE_ID:
            message_id = None
        code = None if status.error_code is None else str(status.error_code)

        def record() -> None:
            with self._store.unit_of_work() as uow:
                uow.outbox.status_update(
                    status.message_sid, status.status, code, message_id=message_id
                )
                uow.commit()

        await asyncio.to_thread(record)
        return Response(status_code=204)

    async def telegram_update(self, request: Request) -> Response:
        if self._telegram is None:
            return _off("telegram")
        token = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if not self._telegram.verify_token(token):
            return _refused("telegram", token)
        try:
            data = checked_update(json.loads(await request.body()))
        except (MalformedUpdate, ValueError, RecursionError) as exc:
            # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError, JSON
            # nested deeper than Python's parser goes.
            log.warning("telegram webhook: not an update (%s)", type(exc).__name__)
            return PlainTextResponse("not a Telegram update", status_code=400)
        try:
            if self._updates is None:  # served without the lifespan: no Application to feed
                await record_without_application(data, self._intake, self._bot_id)
            else:
                await self._updates.feed(data)
        except NotAnUpdate:
            return PlainTextResponse("not a Telegram update", status_code=400)
        return Response(status_code=200)
