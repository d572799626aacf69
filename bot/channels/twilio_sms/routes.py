"""Twilio's webhooks as `Inbound`s of the generic route (bot.channels.inbound): verify, check
the shape, parse; the route records and commits, then answers.

* `POST /webhooks/twilio`: `X-Twilio-Signature` over `HEARD_PUBLIC_URL` + path (+ query) and
  every form field; answers an empty `<Response/>` (replies go through the REST API, so a
  retried webhook can never produce a second reply). A repeated delivery is acknowledged (200)
  and ignored (the inbox refuses its MessageSid).
* `POST /webhooks/twilio/status?m=<outbox id>`: delivery status callbacks, matched by our id.

The signature covers the form, so the body is read (under `BODY_CAP`, which the app's body
limits enforce before reading) and then verified before it is parsed. A request that fails
verification gets 403, stores nothing, and leaves one log line without its body; a signed form
that is not Twilio's shape gets 400. SMS not configured answers 404; without
`HEARD_PUBLIC_URL` 503 (no URL to check signatures against).

A channel on Twilio's other senders (WhatsApp) reuses `TwilioInbound` with its own path, name
and `normalise_address`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl

from starlette.routing import BaseRoute

from bot.channels.base import (
    Answer,
    DeliveryStatus,
    Inbound,
    InboundMessage,
    Malformed,
    Received,
    WebhookRequest,
)
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

PREFIX = "/webhooks/twilio"
# A Twilio form is a few kilobytes at most (a 1,600-character body, percent-encoded).
BODY_CAP = 64 * 1024
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWILIO_SIGNATURE = "X-Twilio-Signature"
MAX_MESSAGE_ID = 64  # outbox ids are 32 hex digits
# What Twilio never writes inside a phone number; a number written with them is the same number.
_SEPARATORS = str.maketrans("", "", " ()-\t")


def form_of(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def normalise_number(address: str) -> str:
    """`+44 7700 900123` and `+447700900123` are one person (Twilio sends E.164, unchanged)."""
    return address.translate(_SEPARATORS)


class TwilioInbound:
    """Signature and availability shared by Twilio's two webhook URLs."""

    channel = "twilio"
    verifies_body = True

    def __init__(self, settings: Settings, path: str, clock: Clock) -> None:
        self.path = path
        self._clock = clock
        self._verifier: TwilioWebhookVerifier | None = None
        self._unverifiable = False
        twilio = settings.twilio
        self._account = twilio.account_sid if twilio is not None else ""
        if twilio is not None and settings.public_url:
            self._verifier = TwilioWebhookVerifier(twilio.auth_token, settings.public_url)
        elif twilio is not None:
            self._unverifiable = True

    @property
    def unverifiable(self) -> bool:
        return self._unverifiable

    def unavailable(self) -> Answer | None:
        if self._unverifiable:
            return Answer(503, "HEARD_PUBLIC_URL is not set")
        if self._verifier is None:
            return Answer(404, "sms is not configured")
        return None

    def verify(self, request: WebhookRequest) -> str | None:
        assert self._verifier is not None  # `unavailable` answered otherwise
        signature = request.headers.get(TWILIO_SIGNATURE)
        if self._verifier.verify(request.target, form_of(request.body), signature):
            return None
        return "invalid signature" if signature else "missing signature"

    def normalise_address(self, address: str) -> str:
        return normalise_number(address)

    def malformed(self, reason: str) -> Answer:
        return Answer(400, "not an inbound message")

    def accepted(self, received: Received) -> Answer:
        return Answer(200, TWIML_EMPTY, media_type="text/xml")

    async def parse(self, request: WebhookRequest) -> Received:
        form = form_of(request.body)
        try:
            check_inbound_form(form, self._account)
        except NotTwilioShaped as exc:
            raise Malformed(f"not an inbound message: {exc}") from exc
        message: InboundMessage = parse_twilio_inbound(form, at=self._clock())
        return message


class TwilioStatusInbound(TwilioInbound):
    """Delivery status callbacks: a `DeliveryStatus` for the outbox, answered 204."""

    def malformed(self, reason: str) -> Answer:
        return Answer(400, "not a status callback")

    def accepted(self, received: Received) -> Answer:
        return Answer(204)

    async def parse(self, request: WebhookRequest) -> Received:
        form = form_of(request.body)
        try:
            check_status_form(form, self._account)
        except NotTwilioShaped as exc:
            raise Malformed(f"not a status callback: {exc}") from exc
        status = parse_twilio_status(form)
        return DeliveryStatus(
            provider_message_id=status.message_sid,
            status=status.status,
            error_code=None if status.error_code is None else str(status.error_code),
            message_id=_our_id(request.query),
        )


def _our_id(query: Mapping[str, str]) -> str | None:
    """Our own outbox id, carried in the callback URL; anything longer is not one of ours."""
    message_id = query.get(MESSAGE_PARAM) or None
    if message_id is not None and len(message_id) > MAX_MESSAGE_ID:
        return None
    return message_id


class TwilioWebhook:
    """The inbound half of the SMS channel (`bot.channels.base.Webhook`)."""

    body_cap = BODY_CAP
    prefix = PREFIX

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._inbound = TwilioInbound(settings, PREFIX, clock)
        self._status = TwilioStatusInbound(settings, STATUS_PATH, clock)

    def notes(self) -> list[str]:
        if self._inbound.unverifiable:
            return ["the SMS webhook is off: set HEARD_PUBLIC_URL to check signatures"]
        return []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def inbound(self) -> Sequence[Inbound]:
        return [self._inbound, self._status]

    def pages(self) -> Sequence[BaseRoute]:
        return []
