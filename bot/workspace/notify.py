"""New safeguarding alerts and requests to talk to a person announced at once to the team: a
chat webhook (a JSON POST with a `text` field, the shape Slack, Mattermost, Rocket.Chat and
Google Chat accept) and/or an email.

The notice says that an entry is waiting, an alert's kind and level, the language and channel,
and where to read it; never the person's words or number: a chat channel or mailbox is not the
place for them. Runs with the workers (bot.workers): each entry is announced once, marked
`notified_at` after a notice was accepted; a failed notice is tried again on the next round.
Entries older than `MAX_AGE` when first seen (a notifier configured later) are marked without
a notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

import httpx

from bot.clock import Clock, utcnow
from bot.config import AlertNotifyConfig, SmtpConfig
from storage.records import SafetyItem
from storage.unit_of_work import Store

log = logging.getLogger("heard.notify")

MAX_AGE = timedelta(hours=24)
TIMEOUT_SECONDS = 10.0

KIND_LABELS = {
    "risk_to_self": "risk to themselves",
    "harm_from_others": "harm from others",
    "immediate_danger": "immediate danger",
    "unspecified": "a call for help",
}
LEVEL_LABELS = {"clear": "clear sign", "check": "possible sign, asked if they want help"}


def notice_text(item: SafetyItem, queue_url: str) -> str:
    """The words of a notice: what kind of entry waits and where; nothing about the person."""
    when = item.at.strftime("%H:%M UTC on %d %b")
    where = f"language {item.language}, {item.channel}, at {when}"
    if item.type == "request":
        return (
            f"Heard: someone asked to talk to a person ({where}). "
            f"Read it and act in the safety queue: {queue_url}"
        )
    kind = KIND_LABELS.get(item.reason, item.reason)
    level = LEVEL_LABELS.get(item.level or "", item.level or "")
    return (
        f"Heard: a new safeguarding alert is waiting ({kind}, {level}; {where}). "
        f"Read it and act in the safety queue: {queue_url}"
    )


Send = Callable[[str], None]


def webhook_sender(url: str) -> Send:
    def send(text: str) -> None:
        response = httpx.post(url, json={"text": text}, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()

    return send


def email_sender(smtp: SmtpConfig) -> Send:
    def send(text: str) -> None:
        message = EmailMessage()
        message["Subject"] = text.split(" (", 1)[0]  # the notice's first words
        message["From"] = smtp.sender
        message["To"] = ", ".join(smtp.to)
        message.set_content(text)
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if smtp.tls == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
        with client:
            if smtp.tls == "starttls":
                client.starttls(context=context)
            if smtp.user and smtp.password:
                client.login(smtp.user, smtp.password)
            client.send_message(message)

    return send


class AlertNotifier:
    def __init__(
        self,
        store: Store,
        config: AlertNotifyConfig,
        public_url: str | None,
        *,
        clock: Clock = utcnow,
        poll_seconds: float = 2.0,
    ) -> None:
        self._store = store
        self._senders: list[tuple[str, Send]] = []
        if config.webhook_url:
            self._senders.append(("webhook", webhook_sender(config.webhook_url)))
        if config.smtp is not None:
            self._senders.append(("email", email_sender(config.smtp)))
        self._queue_url = f"{public_url or 'http://127.0.0.1:8000'}/safety"
        self._clock = clock
        self._poll = poll_seconds
        self._woken = asyncio.Event()

    @property
    def enabled(self) -> bool:
        return bool(self._senders)

    def wake(self) -> None:
        self._woken.set()

    def run_once(self) -> int:
        """Announces every alert not yet announced; returns how many were announced."""
        if not self._senders:
            return 0
        with self._store.unit_of_work() as uow:
            pending = uow.safety.unnotified_alerts() + uow.safety.unnotified_requests()
        sent = 0
        for item in pending:
            now = self._clock()
            if now - item.at <= MAX_AGE:
                text = notice_text(item, self._queue_url)
                try:
                    for _name, send in self._senders:
                        send(text)
                except Exception as exc:  # tried again next round; the queue lists it anyway
                    log.warning("safety notice failed (%s); will try again", type(exc).__name__)
                    return sent
                sent += 1
            with self._store.unit_of_work() as uow:
                if item.type == "alert":
                    uow.safety.mark_notified(item.number, now)
                else:
                    uow.safety.mark_request_notified(item.number, now)
                uow.commit()
        if sent:
            log.info("announced %d new safety queue entries", sent)
        return sent

    async def run(self, stop: asyncio.Event) -> None:
        if not self._senders:
            return
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.run_once)
            except Exception as exc:
                log.error("alert notifier failed: %s", type(exc).__name__)
            self._woken.clear()
            with contextlib.suppress(TimeoutError):
                waiter = asyncio.ensure_future(self._woken.wait())
                stopper = asyncio.ensure_future(stop.wait())
                try:
                    await asyncio.wait_for(
                        asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED),
                        timeout=self._poll,
                    )
                finally:
                    waiter.cancel()
                    stopper.cancel()
