"""In `heard run`, turns give way to webhooks being answered, but never for long
(bot.inbox.pacing): while the web side stays busy a turn still starts at least every
`max_defer_seconds`, and once it is quiet the waiting turns run straight away."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import select

from bot.channels.base import InboundMessage
from bot.inbox.intake import Intake
from bot.inbox.pacing import InboxArrivals, TurnPacer, WebLoad
from bot.inbox.worker import InboxWorker
from storage import models as m
from storage.sql import SqlStore
from storage.timestamps import as_utc
from tests.web.harness import Brains


def _queue(store: SqlStore, count: int) -> None:
    intake = Intake(store)
    for n in range(count):
        at = datetime.now(UTC)
        intake.record_now(InboundMessage("sms", f"+4477009{n:05d}", "hello", f"SM{n:032d}", at))


def _done_times(store: SqlStore) -> list[float]:
    with store.engine.connect() as connection:
        rows = connection.scalars(
            select(m.InboxRow.processed_at)
            .where(m.InboxRow.status == "done")
            .order_by(m.InboxRow.processed_at)
        )
        return [as_utc(at).timestamp() for at in rows if at is not None]


async def _run_until_done(
    worker: InboxWorker, store: SqlStore, count: int, web: WebLoad, *, busy: bool, timeout: float
) -> float:
    """Runs the worker until `count` items are done (the web side held busy throughout, or
    quiet); returns how long that took."""
    stop = asyncio.Event()
    started = time.monotonic()
    with web.request() if busy else nullcontext():
        task = asyncio.create_task(worker.run(stop, poll_seconds=0.05))
        while len(await asyncio.to_thread(_done_times, store)) < count:
            assert time.monotonic() - started < timeout, "turns were starved"
            await asyncio.sleep(0.05)
        took = time.monotonic() - started
        stop.set()
        await task
    return took


def _paced_worker(store: SqlStore, brains: Brains, web: WebLoad, max_defer: float) -> InboxWorker:
    return InboxWorker(
        store, brains.runtime.conversation, brains.runtime.catalogue,
        pacer=TurnPacer(web, max_defer_seconds=max_defer),
    )


def test_turns_still_run_while_the_web_side_stays_busy_but_spaced_out(
    sql_store: SqlStore, brains: Brains
) -> None:
    count, max_defer = 4, 0.4
    _queue(sql_store, count)
    web = WebLoad()
    worker = _paced_worker(sql_store, brains, web, max_defer)
    # Never quiet: each turn waits its full deferral, and none waits much longer.
    asyncio.run(_run_until_done(worker, sql_store, count, web, busy=True, timeout=30))
    done = _done_times(sql_store)
    gaps = [later - earlier for earlier, later in pairwise(done)]
    assert all(gap >= max_defer * 0.9 for gap in gaps), gaps
    assert all(gap < max_defer + 3.0 for gap in gaps), gaps


def test_turns_run_at_once_when_the_web_side_is_quiet(
    sql_store: SqlStore, brains: Brains
) -> None:
    count, max_defer = 4, 5.0
    _queue(sql_store, count)
    web = WebLoad()
    worker = _paced_worker(sql_store, brains, web, max_defer)
    took = asyncio.run(_run_until_done(worker, sql_store, count, web, busy=False, timeout=30))
    assert took < max_defer  # no turn waited out its deferral


def test_a_waiting_turn_starts_soon_after_the_last_webhook_is_answered() -> None:
    async def scenario() -> float:
        web = WebLoad()
        pacer = TurnPacer(web, quiet_seconds=0.05, max_defer_seconds=10.0)
        with web.request():
            waiting = asyncio.create_task(pacer.wait())
            await asyncio.sleep(0.3)
            assert not waiting.done()  # a webhook is still being answered
            answered = time.monotonic()
        await asyncio.wait_for(waiting, timeout=5)
        return time.monotonic() - answered

    assert asyncio.run(scenario()) < 2.0


# `heard worker` in a process of its own sees the web side through the inbox: the newest item's
# id changing (InboxArrivals). Here the "web service" is a thread recording webhooks into the
# same SQLite file, as another process would.


def _arrivals_pacer(store: SqlStore, max_defer: float) -> TurnPacer:
    def newest() -> int:
        with store.reading() as reader:
            return reader.inbox.newest_id()

    return TurnPacer(
        InboxArrivals(newest, probe_seconds=0.01), quiet_seconds=0.3, max_defer_seconds=max_defer
    )


def _queued_for_arrivals_worker(
    store: SqlStore, brains: Brains, count: int, max_defer: float
) -> InboxWorker:
    """`count` items queued, and a worker that claims them in one batch, paced by arrivals."""
    _queue(store, count)
    return InboxWorker(
        store, brains.runtime.conversation, brains.runtime.catalogue, batch=count,
        pacer=_arrivals_pacer(store, max_defer),
    )


async def _run_with_arrivals(
    worker: InboxWorker, store: SqlStore, count: int, *, arriving: bool, timeout: float
) -> float:
    """Runs the worker until `count` items are done, while another writer records a new webhook
    every 20 ms (or records nothing); returns how long that took."""
    stop, done_arriving = asyncio.Event(), threading.Event()

    def arrivals() -> None:
        n = 0
        while not done_arriving.wait(0.02):
            # From new senders, whose turns come after the ones counted (oldest first).
            Intake(store).record_now(
                InboundMessage("sms", f"+4477008{n:05d}", "hi", f"SM9{n:031d}", datetime.now(UTC))
            )
            n += 1

    writer = threading.Thread(target=arrivals)
    if arriving:
        writer.start()
        await asyncio.sleep(0.2)  # the web side is busy before the worker starts
    started = time.monotonic()
    task = asyncio.create_task(worker.run(stop, poll_seconds=0.05))
    try:
        while len(await asyncio.to_thread(_done_times, store)) < count:
            assert time.monotonic() - started < timeout, "turns were starved"
            await asyncio.sleep(0.05)
        return time.monotonic() - started
    finally:
        done_arriving.set()
        if arriving:
            writer.join()
        stop.set()
        await task


def test_a_worker_process_defers_turns_while_webhooks_arrive_but_never_starves_them(
    sql_store: SqlStore, brains: Brains
) -> None:
    count, max_defer = 4, 0.8
    worker = _queued_for_arrivals_worker(sql_store, brains, count, max_defer)
    asyncio.run(_run_with_arrivals(worker, sql_store, count, arriving=True, timeout=30))
    done = _done_times(sql_store)[:count]
    gaps = [later - earlier for earlier, later in pairwise(done)]
    assert all(gap >= max_defer * 0.8 for gap in gaps), gaps  # each waited for a quiet moment
    assert all(gap < max_defer + 3.0 for gap in gaps), gaps  # and none for long


def test_a_worker_process_runs_turns_at_once_when_nothing_arrives(
    sql_store: SqlStore, brains: Brains
) -> None:
    count, max_defer = 4, 5.0
    worker = _queued_for_arrivals_worker(sql_store, brains, count, max_defer)
    took = asyncio.run(_run_with_arrivals(worker, sql_store, count, arriving=False, timeout=30))
    assert took < max_defer
