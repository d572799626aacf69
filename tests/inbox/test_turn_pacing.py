"""In `heard run`, turns give way to webhooks being answered, but never for long
(bot.inbox.pacing): while the web side stays busy a turn still starts at least every
`max_defer_seconds`, and once it is quiet the waiting turns run straight away."""

from __future__ import annotations

import asyncio
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import select

from bot.channels.base import InboundMessage
from bot.inbox.intake import Intake
from bot.inbox.pacing import TurnPacer, WebLoad
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
