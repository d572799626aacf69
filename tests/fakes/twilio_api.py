"""A local double of Twilio's REST API for sending SMS (`POST .../Messages.json`) and listing
sent messages (`GET .../Messages.json?To=...&DateSent>=...`).

It answers with the JSON shapes Twilio documents, checks HTTP Basic auth, validates the fields
Twilio requires, records every request, and plays a script of programmed replies (rate limits,
server errors, opted-out recipients, slow answers) one per call before answering normally.
Also builds realistic inbound webhook forms for parser and webhook tests.
"""

from __future__ import annotations

import asyncio
import base64
import math
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

API_VERSION = "2010-04-01"
DOCS = "https://www.twilio.com/docs/errors/"

# GSM 03.38: one septet each; the extension table costs two.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_segments(body: str) -> int:
    """Segments Twilio bills for `body`: GSM-7 160 (153 per part), else UCS-2 70 (67 per part)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in body):
        length = sum(2 if c in GSM7_EXTENSION else 1 for c in body)
        single, part = 160, 153
    else:
        length = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "more_info": f"{DOCS}{code}", "status": status}


@dataclass(frozen=True)
class Reply:
    """A programmed answer to one call. `status` None means: answer normally, after `delay`."""

    status: int | None
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def too_many_requests(retry_after: str | None = None) -> Reply:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Reply(429, error_body(429, 20429, "Too Many Requests"), headers)


def server_error() -> Reply:
    return Reply(500, error_body(500, 20500, "Internal Server Error"))


def unsubscribed_recipient() -> Reply:
    return Reply(400, error_body(400, 21610, "Attempt to send to unsubscribed recipient"))


def invalid_to_number() -> Reply:
    # Twilio's real message quotes the number; senders must keep it out of logs.
    return Reply(400, error_body(400, 21211, "The 'To' number +447700900999 is not valid."))


def slow(seconds: float) -> Reply:
    return Reply(None, delay=seconds)


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    account_sid: str
    form: dict[str, str]
    authorised: bool


class FakeTwilioApi:
    def __init__(self, account_sid: str, auth_token: str, price_unit: str = "GBP") -> None:
        self.account_sid = account_sid
        self._credentials = f"{account_sid}:{auth_token}"
        self._price_unit = price_unit
        self._script: deque[Reply] = deque()
        self.requests: list[ReceivedRequest] = []
        self.created: list[dict[str, Any]] = []  # every message resource answered with 201
        self.status_callbacks: dict[str, str] = {}  # message sid -> its StatusCallback URL
        self.list_requests: list[dict[str, str]] = []
        self.app = Starlette(
            routes=[
                Route(
                    f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json",
                    self._create_message,
                    methods=["POST"],
                ),
                Route(
                    f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json",
                    self._list_messages,
                    methods=["GET"],
                ),
            ]
        )

    def program(self, *replies: Reply) -> None:
        """Queue replies; each API call takes the next one, then calls are answered normally."""
        self._script.extend(replies)

    async def _create_message(self, request: Request) -> JSONResponse:
        account_sid = request.path_params["account_sid"]
        form = await url_encoded_form(request)
        authorised = self._authorised(request.headers.get("authorization", ""))
        self.requests.append(
            ReceivedRequest(request.method, request.url.path, account_sid, form, authorised)
        )
        refused = await self._gate(authorised, account_sid)
        if refused is not None:
            return refused
        problem = self._invalid(form)
        if problem is not None:
            return JSONResponse(problem, status_code=400)
        message = self._message_resource(form)
        self.created.append(message)
        if form.get("StatusCallback"):
            self.status_callbacks[message["sid"]] = form["StatusCallback"]
        return JSONResponse(
            message, status_code=201, headers={"Twilio-Request-Id": "RQ" + secrets.token_hex(16)}
        )

    async def _gate(self, authorised: bool, account_sid: str) -> JSONResponse | None:
        """Twilio's own 401, or the next scripted failure (after its delay), or None to go on."""
        if not authorised or account_sid != self.account_sid:
            return JSONResponse(error_body(401, 20003, "Authenticate"), status_code=401)
        reply = self._script.popleft() if self._script else Reply(None)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status is not None:
            return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)
        return None

    async def _list_messages(self, request: Request) -> JSONResponse:
        """Messages this fake accepted, newest first, filtered by `To` and `DateSent>` /
        `DateSent<` / `DateSent` as Twilio does. The fake sends at once: a listed message is
        `sent`, with `date_sent` equal to `date_created`."""
        account_sid = request.path_params["account_sid"]
        query = dict(request.query_params)
        self.list_requests.append(query)
        authorised = self._authorised(request.headers.get("authorization", ""))
        refused = await self._gate(authorised, account_sid)
        if refused is not None:
            return refused
        after = _when(query.get("DateSent>"))
        before = _when(query.get("DateSent<"))
        on_day = _when(query.get("DateSent"))
        found = []
        for message in reversed(self.created):
            sent = parsedate_to_datetime(message["date_created"])
            if query.get("To") and message["to"] != query["To"]:
                continue
            if after is not None and sent < after:
                continue
            if before is not None and sent > before:
                continue
            if on_day is not None and sent.date() != on_day.date():
                continue
            found.append({**message, "status": "sent", "date_sent": message["date_created"]})
        size = int(query.get("PageSize", "50"))
        uri = request.url.path
        return JSONResponse(
            {
                "messages": found[:size],
                "end": max(0, min(size, len(found)) - 1),
                "first_page_uri": f"{uri}?PageSize={size}&Page=0",
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": f"{uri}?PageSize={size}&Page=0",
            }
        )

    def _authorised(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded).decode()
        except ValueError:
            return False
        return secrets.compare_digest(decoded, self._credentials)

    @staticmethod
    def _invalid(form: dict[str, str]) -> dict[str, Any] | None:
        if not form.get("To"):
            return error_body(400, 21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return error_body(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body"):
            return error_body(400, 21602, "Message body is required.")
        if len(form["Body"]) > 1600:
            return error_body(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        return None

    def _message_resource(self, form: dict[str, str]) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC))
        service = form.get("MessagingServiceSid")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(sms_segments(form["Body"])),
            "price": None,
            "price_unit": self._price_unit,
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": form["To"],
            "uri": f"{uri}.json",
        }


def inbound_form(
    account_sid: str,
    from_: str,
    body: str | None,
    to: str = "+447700900001",
    opt_out_type: str | None = None,
    with_geography: bool = True,
) -> dict[str, str]:
    """The form Twilio POSTs to an inbound-SMS webhook. `body` None leaves Body out."""
    sid = "SM" + secrets.token_hex(16)
    form = {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "To": to,
        "NumSegments": str(sms_segments(body or "")),
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": from_,
        "ApiVersion": API_VERSION,
    }
    if body is not None:
        form["Body"] = body
    if opt_out_type is not None:
        form["OptOutType"] = opt_out_type
    if with_geography:
        form.update(
            FromCity="CARDIFF",
            FromState="",
            FromZip="CF10",
            FromCountry="GB",
            ToCity="",
            ToState="",
            ToZip="",
        )
    return form


def status_form(
    account_sid: str, message_sid: str, status: str, error_code: int | None = None
) -> dict[str, str]:
    """The form Twilio POSTs to a message's StatusCallback URL."""
    form = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "From": "+447700900001",
        "MessageSid": message_sid,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "To": "+447700900123",
    }
    if error_code is not None:
        form["ErrorCode"] = str(error_code)
    return form


async def url_encoded_form(request: Request) -> dict[str, str]:
    """The body as a form, parsed without python-multipart (not a dependency of Heard's tests)."""
    body = (await request.body()).decode()
    return dict(parse_qsl(body, keep_blank_values=True))


def _when(value: str | None) -> datetime | None:
    """A DateSent filter value: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (UTC)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
