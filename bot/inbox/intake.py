"""Recording an inbound message in the inbox, the one thing a webhook does after verifying.

The insert is committed before the webhook answers, so an acknowledged message is never lost;
the provider's key makes a repeated delivery a no-op (`False`). Workers do the rest.

Group commit: webhooks arriving together share one transaction. `record` queues the message
and waits; one writer per process takes everything queued, inserts it in one unit of work and
commits, then answers each waiter, while the next arrivals queue for the following commit. On
SQLite that is one write lock taken per batch instead of one per request (the web service's own
requests no longer queue for the lock behind each other), and on PostgreSQL one commit per
batch. Each waiter is answered only after the commit holding its row. When a batch fails as a
whole, its messages are recorded one by one, so one bad message fails only its own request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.channels.base import InboundMessage
from bot.inbox.pacing import WebLoad
from bot.inbox.payload import to_payload
from storage.repositories.inbox import Delivery
from storage.unit_of_work import Store

log = logging.getLogger("heard.intake")

BATCH_MAX = 64  # messages per commit at most


class Intake:
    def __init__(self, store: Store, on_added: Callable[[], None] | None = None) -> None:
        """`on_added` runs in the event loop after a new item is committed (wakes a worker).
        `load` counts the messages being recorded: turns in this process give way to them
        (bot.inbox.pacing)."""
        self.load = WebLoad()
        self._store = store
        self._on_added = on_added
        self._queued: list[tuple[InboundMessage, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    def record_now(self, inbound: InboundMessage) -> bool:
        return self._record_batch([inbound])[0]

    async def record(self, inbound: InboundMessage) -> bool:
        with self.load.request():
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._queued.append((inbound, future))
            if self._writer is None or self._writer.done():
                self._writer = asyncio.create_task(self._write())
            added = await future
        if added and self._on_added is not None:
            self._on_added()
        return added

    async def _write(self) -> None:
        while self._queued:
            batch, self._queued = self._queued[:BATCH_MAX], self._queued[BATCH_MAX:]
            try:
                results = await asyncio.to_thread(self._record_batch, [m for m, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _fail(batch[0], exc)
                    continue
                log.warning("a batch of %d inbound messages failed; recording each", len(batch))
                for one in batch:
                    try:
                        _answer(one, (await asyncio.to_thread(self._record_batch, [one[0]]))[0])
                    except Exception as exc_one:
                        _fail(one, exc_one)
                continue
            for one, added in zip(batch, results, strict=True):
                _answer(one, added)

    def _record_batch(self, messages: Sequence[InboundMessage]) -> list[bool]:
        """The batch in one unit of work: on PostgreSQL one INSERT for all of it and its
        commit (storage.repositories.inbox.Inbox.add_many)."""
        with self._store.unit_of_work() as uow:
            added = uow.inbox.add_many([_delivery(inbound) for inbound in messages])
            uow.commit()
        return added


def _delivery(inbound: InboundMessage) -> Delivery:
    return Delivery(
        inbound.channel, inbound.provider_key, to_payload(inbound), inbound.at,
        sender=inbound.address,
    )


def _answer(waiter: tuple[InboundMessage, asyncio.Future[bool]], added: bool) -> None:
    if not waiter[1].done():  # else its request was cancelled (the client went away)
        waiter[1].set_result(added)


def _fail(waiter: tuple[InboundMessage, asyncio.Future[bool]], exc: BaseException) -> None:
    """The failure is raised in the waiting request, as if it had recorded the message."""
    if not waiter[1].done():
        waiter[1].set_exception(exc)
