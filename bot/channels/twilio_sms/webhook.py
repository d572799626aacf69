"""Twilio Programmable Messaging, inbound: webhook signature, the shape of a signed form, and
parsing inbound messages and status callbacks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from twilio.request_validator import RequestValidator

from bot.channels.base import InboundMessage

CHANNEL = "sms"
OPT_OUT_TYPES = frozenset({"STOP", "START", "HELP"})
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
