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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import urlencode

from bot.channels.base import SendOutcome
from bot.channels.twilio_sms import TwilioSender

STATUS_PATH = "/webhooks/twilio/status"
MESSAGE_PARAM = "m"
# Our clock and Twilio's need not agree to the second.
CLOCK_MARGIN = timedelta(seconds=60)


def status_callback_url(public_url: str, message_id: str) -> str:
    return f"{public_url.rstrip('/')}{STATUS_PATH}?{urlencode({MESSAGE_PARAM: message_id})}"


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
