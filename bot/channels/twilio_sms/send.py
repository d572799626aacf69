"""Twilio sending as the outbox needs it: our message id in each StatusCallback URL, and a way
to find out whether an earlier attempt was accepted after all.

`TwilioSender` makes one attempt with one fixed callback URL. Here every message's callback is
`<public url>/webhooks/twilio/status?m=<outbox id>`, so a status callback finds its outbox row
even when it beats our own record of the send. `find_accepted` asks Twilio's message list
(`GET .../Messages.json?To=...&DateSent>=...`) for a message to the same number with the same
text, created since the outbox row was, whose sid no other outbox row has: that is an earlier
attempt of this message that reached Twilio although we never recorded it (the worker died, or
the request timed out after Twilio had accepted it).

Known limit: Twilio lists a message by `DateSent`, which it sets once the message leaves its
queue; a message still queued at Twilio when the lease runs out is not found and is sent again.
The lease (a minute) makes this rare; a messaging service with a long queue should use a longer
one.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client

from bot.channels.base import Failed, OptedOut, RetryLater, SendOutcome, Sent
from bot.channels.twilio_sms.http import HeardTwilioHttpClient

UNSUBSCRIBED_RECIPIENT = 21610  # Twilio error: the recipient replied STOP to this sender

STATUS_PATH = "/webhooks/twilio/status"
MESSAGE_PARAM = "m"
# Our clock and Twilio's need not agree to the second.
CLOCK_MARGIN = timedelta(seconds=60)


def status_callback_url(public_url: str, message_id: str) -> str:
    return f"{public_url.rstrip('/')}{STATUS_PATH}?{urlencode({MESSAGE_PARAM: message_id})}"


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
        self._timeout = timeout
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
        """`text` already holds the numbered choices (see `render.py`); `choices` is unused."""
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
            # The request may have reached Twilio, which can still accept it after we stopped
            # waiting: the retry reconciles first (asks Twilio's list), and asks no sooner than
            # one more timeout from now, so a late acceptance is listed by then.
            return RetryLater("twilio: timed out", retry_after=self._timeout)
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


class OutboxTwilioSender(TwilioSender):
    """`public_url` None: no status callbacks (reconciliation then relies on the list alone)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        public_url: str | None,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base_url: str | None = None,
        timeout: float = 10,
        threads: int = 32,
    ) -> None:
        """`threads`: the twilio client blocks, so each call holds a thread of this sender's
        own pool (the event loop's default pool is sized for CPUs, not for waiting on HTTP)."""
        super().__init__(
            account_sid,
            auth_token,
            from_number=from_number,
            messaging_service_sid=messaging_service_sid,
            api_base_url=api_base_url,
            timeout=timeout,
        )
        self._public_url = public_url
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="twilio")

    async def send(
        self, address: str, text: str, choices: Sequence[str], message_id: str
    ) -> SendOutcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, self._send_with_id, address, text, message_id
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().close()

    def _send_with_id(self, address: str, text: str, message_id: str) -> SendOutcome:
        callback = status_callback_url(self._public_url, message_id) if self._public_url else None
        return self._send_now(address, text, callback)

    async def find_accepted(
        self, address: str, text: str, since: datetime, known: Callable[[str], bool]
    ) -> str | None:
        """The sid of an earlier, unrecorded attempt of this message, or None. `known(sid)`
        says whether an outbox row already owns a sid. Raises on any API error: the caller
        must then not send (it cannot tell whether sending would duplicate)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, self._find_accepted, address, text, since, known
        )

    def _find_accepted(
        self, address: str, text: str, since: datetime, known: Callable[[str], bool]
    ) -> str | None:
        earliest = since - CLOCK_MARGIN
        listed = self._client.messages.list(to=address, date_sent_after=earliest, limit=50)
        for message in listed:
            created = message.date_created
            if message.body != text or created is None or created < earliest:
                continue
            if message.sid and not known(str(message.sid)):
                return str(message.sid)
        return None
