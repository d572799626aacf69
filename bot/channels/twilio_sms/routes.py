"""Twilio's webhooks: verify first, then check the shape, parse, record and commit, then answer.

* `POST /webhooks/twilio`: `X-Twilio-Signature` over `HEARD_PUBLIC_URL` + path (+ query) and
  every form field; answers an empty `<Response/>` (replies go through the REST API, so a
  retried webhook can never produce a second reply). A repeated delivery is acknowledged (200)
  and ignored (the inbox refuses its MessageSid).
* `POST /webhooks/twilio/status?m=<outbox id>`: delivery status callbacks, matched by our id.

A request that fails verification gets 403, stores nothing, and leaves one log line without its
body; a signed form that is not Twilio's shape gets 400. SMS not configured answers 404; without
`HEARD_PUBLIC_URL` 503 (no URL to check signatures against).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Recorder
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
from storage.unit_of_work import Store

log = logging.getLogger("heard.webhooks")

PREFIX = "/webhooks/twilio"
# A Twilio form is a few kilobytes at most (a 1,600-character body, percent-encoded).
BODY_CAP = 64 * 1024
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWILIO_SIGNATURE = "X-Twilio-Signature"
MAX_MESSAGE_ID = 64  # outbox ids are 32 hex digits


def _form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def _path_and_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def refused(channel: str, signature: str | None) -> Response:
    reason = "missing" if not signature else "invalid"
    log.warning("%s webhook refused: %s signature", channel, reason)
    return PlainTextResponse("forbidden", status_code=403)


def off(channel: str) -> Response:
    return PlainTextResponse(f"{channel} is not configured", status_code=404)


class TwilioWebhook:
    """The inbound half of the SMS channel (`bot.channels.base.Webhook`)."""

    body_cap = BODY_CAP
    prefix = PREFIX

    def __init__(self, settings: Settings, intake: Recorder, store: Store, clock: Clock) -> None:
        self._intake = intake
        self._store = store
        self._clock = clock
        self._verifier: TwilioWebhookVerifier | None = None
        self._unverifiable = False
        twilio = settings.twilio
        self._account = twilio.account_sid if twilio is not None else ""
        if twilio is not None and settings.public_url:
            self._verifier = TwilioWebhookVerifier(twilio.auth_token, settings.public_url)
        elif twilio is not None:
            self._unverifiable = True

    def notes(self) -> list[str]:
        if self._unverifiable:
            return ["the SMS webhook is off: set HEARD_PUBLIC_URL to check signatures"]
        return []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def routes(self) -> Sequence[BaseRoute]:
        return [
            Route(PREFIX, self.inbound, methods=["POST"]),
            Route(STATUS_PATH, self.status, methods=["POST"]),
        ]

    def _check(self, request: Request, form: Mapping[str, str]) -> Response | None:
        if self._unverifiable:
            return PlainTextResponse("HEARD_PUBLIC_URL is not set", status_code=503)
        if self._verifier is None:
            return off("sms")
        signature = request.headers.get(TWILIO_SIGNATURE)
        if not self._verifier.verify(_path_and_query(request), form, signature):
            return refused("twilio", signature)
        return None

    async def inbound(self, request: Request) -> Response:
        form = _form(await request.body())
        refusal = self._check(request, form)
        if refusal is not None:
            return refusal
        try:
            check_inbound_form(form, self._account)
        except NotTwilioShaped as exc:
            log.warning("twilio webhook: not an inbound message (%s)", exc)
            return PlainTextResponse("not an inbound message", status_code=400)
        await self._intake.record(parse_twilio_inbound(form, at=self._clock()))
        return Response(TWIML_EMPTY, media_type="text/xml")

    async def status(self, request: Request) -> Response:
        form = _form(await request.body())
        refusal = self._check(request, form)
        if refusal is not None:
            return refusal
        try:
            check_status_form(form, self._account)
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
