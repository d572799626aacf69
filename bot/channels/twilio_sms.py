"""Twilio Programmable Messaging: webhook verification, inbound and status parsing, sending."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.base import (
    Failed,
    InboundMessage,
    OptedOut,
    RetryLater,
    SendOutcome,
    Sent,
)
from bot.channels.twilio_http import HeardTwilioHttpClient

CHANNEL = "sms"
OPT_OUT_TYPES = frozenset({"STOP", "START", "HELP"})
UNSUBSCRIBED_RECIPIENT = 21610  # Twilio error: the recipient replied STOP to this sender
# Twilio's ids: two letters and 32 hex digits (SM / MM messages, AC accounts).
MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-f]{32}")
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
# A phone number or short code as Twilio writes it, or a channel address ("whatsapp:+44...").
_ADDRESS = re.compile(r"[A-Za-z:+0-9 ()-]{2,64}")


class NotTwilioShaped(ValueError):
    """A signed form that is not what Twilio sends; the message names the field only."""


def check_inbound_form(form: Mapping[str, str], account_sid: str) -> None:
    """Raises `NotTwilioShaped` unless the form has Twilio's shape and names our account.

    A valid signature says the form came from someone holding the auth token; these checks
    also refuse a captured, signed request replayed with shifted parameters and anything that
    could not be stored (an over-long id). A long body is taken: the person still gets an
    answer (the body cap in bot.web.limits bounds it).
    """
    _check_common(form, account_sid)
    sender = form.get("From", "")
    if not _ADDRESS.fullmatch(sender):
        raise NotTwilioShaped("From")


def check_status_form(form: Mapping[str, str], account_sid: str) -> None:
    _check_common(form, account_sid)
    if len(form.get("MessageStatus", form.get("SmsStatus", ""))) > 32:
        raise NotTwilioShaped("MessageStatus")


def _check_common(form: Mapping[str, str], account_sid: str) -> None:
    if not MESSAGE_SID.fullmatch(form.get("MessageSid", "")):
        raise NotTwilioShaped("MessageSid")
    if form.get("AccountSid") != account_sid:
        raise NotTwilioShaped("AccountSid")


class TwilioWebhookVerifier:
    """Checks `X-Twilio-Signature` over the URL Twilio called and every form field it sent.

    The URL is rebuilt from the configured public base URL (for example
    `https://heard.example.org`) plus the request path, never from the request itself: behind a
    TLS proxy the app sees `http://127.0.0.1:8000/...`, which Twilio did not sign.
    """

    def __init__(self, auth_token: str, public_url: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._public_url = public_url.rstrip("/")

    def verify(self, path: str, form: Mapping[str, str], signature: str | None) -> bool:
        """`path` starts with "/" and includes any query string Twilio was given."""
        if not signature:
            return False
        url = self._public_url + path
        return bool(self._validator.validate(url, dict(form), signature))


def parse_twilio_inbound(form: Mapping[str, str], at: datetime | None = None) -> InboundMessage:
    """An inbound SMS webhook as an `InboundMessage`.

    Keeps only MessageSid, From, Body and OptOutType; the geographic fields Twilio sometimes adds
    (FromCity, FromZip, ...) are personal data Heard has no use for, so they go no further.
    `at` is when the webhook arrived (Twilio sends no timestamp); it defaults to now.
    A picture message (MMS, `NumMedia` above 0) without words is marked `media`.
    """
    opt_out = form.get("OptOutType", "").strip().upper()
    body = form.get("Body", "")
    media = form.get("NumMedia", "0").strip()
    return InboundMessage(
        channel=CHANNEL,
        address=form["From"],
        text=body,
        provider_key=form["MessageSid"],
        at=at if at is not None else datetime.now(UTC),
        opt_out_type=opt_out if opt_out in OPT_OUT_TYPES else None,
        media=not body.strip() and media.isdigit() and int(media) > 0,
    )


class TwilioStatus(NamedTuple):
    message_sid: str
    status: str  # queued | sending | sent | delivered | undelivered | failed | read | ...
    error_code: int | None


def parse_twilio_status(form: Mapping[str, str]) -> TwilioStatus:
    """A status callback (`StatusCallback` URL) as (message_sid, status, error_code)."""
    raw_code = form.get("ErrorCode", "").strip()
    # ASCII digits only: "²".isdigit() is true and int("²") raises.
    numeric = raw_code.isascii() and raw_code.isdigit() and len(raw_code) < 10
    code = int(raw_code) if numeric else None
    return TwilioStatus(
        message_sid=form["MessageSid"],
        status=form.get("MessageStatus", form.get("SmsStatus", "")).strip().lower(),
        error_code=code,
    )


class TwilioSender:
    """Sends SMS through Twilio's REST API, one attempt per call.

    Exactly one of `from_number` and `messaging_service_sid` is given. `api_base_url` replaces
    `https://api.twilio.com` (a local double of the API in tests). The Twilio client is
    synchronous, so each attempt runs in a worker thread.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback_url: str | None = None,
        api_base_url: str | None = None,
        timeout: float = 10,
    ) -> None:
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give exactly one of from_number and messaging_service_sid")
        self._http = HeardTwilioHttpClient(timeout=timeout, api_base_url=api_base_url)
        # environment={} keeps TWILIO_* variables of the host from changing the account or region.
        self._client = Client(account_sid, auth_token, http_client=self._http, environment={})
        self._sender: dict[str, str] = (
            {"from_": from_number}
            if from_number is not None
            else {"messaging_service_sid": str(messaging_service_sid)}
        )
        self._status_callback_url = status_callback_url

    async def send(
        self, address: str, text: str, choices: Sequence[str], message_id: str
    ) -> SendOutcome:
        """`text` already holds the numbered choices (see `bot.render.sms`); `choices` is unused."""
        return await asyncio.to_thread(self._send_now, address, text, self._status_callback_url)

    def close(self) -> None:
        self._http.close()

    async def aclose(self) -> None:
        """The same as `close`, for hosts that close every sender the same way."""
        self.close()

    def _send_now(self, address: str, text: str, status_callback: str | None) -> SendOutcome:
        """One synchronous attempt (the twilio client blocks): run it off the event loop."""
        extra: dict[str, str] = dict(self._sender)
        if status_callback:
            extra["status_callback"] = status_callback
        try:
            message = self._client.messages.create(to=address, body=text, **extra)
        except (TwilioRestException, TwilioServiceException) as exc:
            status, code = int(exc.status), _int_or_none(exc.code)
            # Without a Twilio error code in the body, the library repeats the HTTP status.
            return self._outcome_of_error(status, None if code == status else code)
        except requests.Timeout:
            # The request may have reached Twilio: a retry can deliver the message twice.
            return RetryLater("twilio: timed out")
        except requests.RequestException as exc:
            return RetryLater(f"twilio: {type(exc).__name__}")
        return Sent(str(message.sid))

    def _outcome_of_error(self, status: int, code: int | None) -> SendOutcome:
        # Twilio's error messages can quote the phone number, so reasons carry codes only.
        reason = f"twilio: HTTP {status}" + (f" error {code}" if code is not None else "")
        if code == UNSUBSCRIBED_RECIPIENT:
            return OptedOut(str(code))
        if status == 429:
            return RetryLater(reason, self._retry_after())
        if status >= 500:
            return RetryLater(reason)
        return Failed(reason, str(code if code is not None else status))

    def _retry_after(self) -> float | None:
        response = self._http.last_response_in_this_thread()
        headers = response.headers if response is not None and response.headers else {}
        return parse_retry_after(headers.get("Retry-After"), datetime.now(UTC))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP date) as seconds from `now`."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
