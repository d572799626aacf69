"""The retention job: what Heard keeps only for a while is removed on a schedule.

Every `every_seconds` (an hour by default) one unit of work:
* deletes inbox rows that are done or failed and older than `inbox_days` (their encrypted
  payload holds the sender's number and words); pending and processing rows stay;
* deletes outbox rows that are sent or failed and older than `inbox_days` (their text may be
  filled in with the person's answers); pending and sending rows stay;
* clears the text of message log rows older than `message_log_days` (the row stays: direction,
  channel, text id, language and time still count what happened);
* deletes expired workspace sessions and failed sign-ins older than a day (the throttle looks
  back 15 minutes).

`heard run` and `heard worker` run it beside the inbox and outbox workers. Several processes may
run it at once: each statement is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, utcnow
from storage.unit_of_work import Store

log = logging.getLogger("heard.retention")

HOUR = 3600.0


@dataclass(frozen=True)
class Purged:
    inbox: int
    outbox: int
    message_texts: int


class RetentionJob:
    def __init__(
        self,
        store: Store,
        *,
        inbox_days: float,
        message_log_days: float,
        clock: Clock = utcnow,
        every_seconds: float = HOUR,
    ) -> None:
        self._store = store
        self._inbox = timedelta(days=inbox_days)
        self._log = timedelta(days=message_log_days)
        self._clock = clock
        self._every = every_seconds

    def run_once(self) -> Purged:
        now = self._clock()
        with self._store.unit_of_work() as uow:
            purged = Purged(
                inbox=uow.inbox.purge(now - self._inbox),
                outbox=uow.outbox.purge(now - self._inbox),
                message_texts=uow.messages.clear_text(now - self._log),
            )
            uow.web_sessions.purge_expired(now)
            uow.throttle.purge(now - timedelta(days=1))
            uow.commit()
        if purged.inbox or purged.outbox or purged.message_texts:
            log.info(
                "retention: deleted %d inbox and %d outbox rows, cleared %d message texts",
                purged.inbox, purged.outbox, purged.message_texts,
            )
        return purged

    async def run(self, stop: asyncio.Event) -> None:
        """Runs at once, then every `every_seconds`, until `stop` is set. A failure (the
        database away) is logged by type and tried again next time."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.run_once)
            except Exception as exc:
                log.error("retention job failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._every)
