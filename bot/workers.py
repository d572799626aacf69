"""The inbox and outbox workers of one process, built from a `Runtime`.

With them runs the retention job (bot.retention), hourly.

`heard run` starts them as asyncio tasks in the web app's lifespan (one process for `make run`);
`heard worker` runs them alone (for scaling out, and for the crash test). Several worker
processes may share one PostgreSQL database: claims never hand the same row to two of them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping

from bot.channels.base import ChannelAdapter
from bot.channels.registry import OutboxWiring, provider_wiring
from bot.inbox.pacing import ARRIVALS_QUIET_SECONDS, InboxArrivals, TurnPacer, WebLoad
from bot.inbox.worker import InboxWorker
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.retry import RetryPolicy
from bot.outbox.worker import OutboxWorker
from bot.retention import RetentionJob
from bot.runtime import Runtime
from bot.updates.send import UpdateSender
from bot.workspace.notify import AlertNotifier

log = logging.getLogger("heard.workers")


def lower_priority(nice: int) -> int:
    """Lowers this process's CPU priority by `nice` (`heard worker` only; HEARD_WORKER_NICE):
    on a host shared with the web service, the kernel then gives the CPU to answering webhooks
    first, and turns take what is left; on a host of their own the workers lose nothing.
    Returns the niceness now. A process cannot raise its priority again, so `heard run`
    (webhooks and workers in one process) never calls this; its turns give way to webhooks
    in the event loop instead (bot.inbox.pacing)."""
    return os.nice(nice) if nice > 0 else os.nice(0)


def _newest_inbox_id(runtime: Runtime) -> int:
    with runtime.store.reading() as reader:
        return reader.inbox.newest_id()


class Workers:
    def __init__(
        self,
        runtime: Runtime,
        *,
        extra_channels: Mapping[str, ChannelAdapter] | None = None,
        wiring: OutboxWiring | None = None,
        poll_seconds: float = 0.25,
        web_load: WebLoad | None = None,
    ) -> None:
        """`web_load`: the webhooks of the web service in this process (`heard run`), which
        turns give way to (bot.inbox.pacing); None in `heard worker`, whose turns give way to
        the inbox's arrivals instead unless `settings.worker_pacing` is off."""
        settings = runtime.settings
        pacer: TurnPacer | None = None
        if web_load is not None:
            pacer = TurnPacer(web_load)
        elif settings.worker_pacing:
            pacer = TurnPacer(
                InboxArrivals(lambda: _newest_inbox_id(runtime)),
                quiet_seconds=ARRIVALS_QUIET_SECONDS,
            )
        self.wiring = wiring if wiring is not None else provider_wiring(settings)
        channels = {**self.wiring.channels, **(extra_channels or {})}
        limits = {name: channel.limits for name, channel in channels.items()}
        self.inbox = InboxWorker(
            runtime.store,
            runtime.conversation,
            runtime.catalogue,
            lease_seconds=settings.inbox_lease_seconds,
            pacer=pacer,
        )
        self.outbox = OutboxWorker(
            runtime.store,
            channels,
            RateLimiter(time.monotonic, limits),
            RetryPolicy(max_attempts=settings.outbox_max_attempts),
            lease_seconds=settings.outbox_lease_seconds,
            poll_seconds=poll_seconds,
            on_inbox_added=self.inbox.wake,
        )
        self.retention = RetentionJob(
            runtime.store,
            inbox_days=settings.inbox_retention_days,
            message_log_days=settings.message_log_retention_days,
        )
        # New safeguarding alerts announced to the team (HEARD_ALERT_WEBHOOK_URL / _EMAIL).
        self.notifier = AlertNotifier(runtime.store, settings.alert_notify, settings.public_url)
        # "You said, we did": updates marked sending, fanned out to the outbox in batches.
        self.updates = UpdateSender(
            runtime.store, runtime.catalogue, on_queued=self.outbox.wake,
            poll_seconds=max(poll_seconds, 0.5),
        )
        self._poll = poll_seconds
        self.channel_names = tuple(channels)

    def wake(self) -> None:
        self.inbox.wake()

    def _progress(self) -> None:
        self.outbox.wake()
        self.notifier.wake()

    async def run(self, stop: asyncio.Event) -> None:
        log.info("workers started; sending on: %s", ", ".join(self.channel_names) or "nothing")
        try:
            await asyncio.gather(
                self.inbox.run(stop, self._poll, on_progress=self._progress),
                self.outbox.run(stop),
                self.retention.run(stop),
                self.notifier.run(stop),
                self.updates.run(stop),
            )
        finally:
            await self.wiring.aclose()
