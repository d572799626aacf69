"""Turns give way to webhooks in one process (`heard run` with its workers inside).

A webhook must be answered fast (Twilio gives up after 15 s; a person's phone shows the message
as sent only then), while a turn can wait a little: a burst is caught up once it is over. On a
small host the two share the CPU (and, on SQLite, the write lock; in one process, the GIL as
well), so a turn started while webhooks are being answered slows every one of them.

`WebLoad` counts the webhooks this process is recording now and remembers when the last one
was answered; the intake (bot.inbox.intake) keeps it. `TurnPacer.wait` is awaited by the inbox
worker before each turn: it returns once the web side has been quiet for `quiet_seconds`, or
at the latest `max_defer_seconds` after the previous turn ended. That bound is the guarantee
against starvation: while items wait, a turn starts at least once every `max_defer_seconds`
(plus one turn's length), however busy the web side is; between bursts nothing waits at all.

A separate `heard worker` process cannot see that count. It watches the inbox instead
(`InboxArrivals`): the newest item's id, read from the database at most every `probe_seconds`,
changes while webhooks are being recorded by any web process on any host. Its quiet window is
longer (`ARRIVALS_QUIET_SECONDS`), because one change is seen per commit of a batch, not per
request. The same bound applies. `HEARD_WORKER_PACING=0` turns this off for workers on hosts of
their own, where a turn takes nothing from the web service.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

QUIET_SECONDS = 0.01  # a keep-alive client's next request follows its answer within this
MAX_DEFER_SECONDS = 0.25  # while items wait, a turn starts at least this often
# Under load the web service commits a batch every few tens of milliseconds (bot.inbox.intake);
# a gap longer than this between two commits means the burst is over.
ARRIVALS_QUIET_SECONDS = 0.1
PROBE_SECONDS = 0.02  # a worker reads the newest inbox id at most this often


class WebActivity(Protocol):
    async def quiet_in(self, quiet_seconds: float) -> float:
        """Seconds until the web side will have been quiet for `quiet_seconds` if nothing new
        arrives (0: quiet now)."""
        ...


class WebLoad:
    """Webhooks in flight in this process, and when the last one ended (monotonic seconds).
    Used from the event loop only."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.in_flight = 0
        self.last_ended = float("-inf")

    @contextmanager
    def request(self) -> Iterator[None]:
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self.last_ended = self._clock()

    async def quiet_in(self, quiet_seconds: float) -> float:
        if self.in_flight > 0:
            return quiet_seconds
        return max(0.0, self.last_ended + quiet_seconds - self._clock())


class InboxArrivals:
    """Webhooks being recorded anywhere, as a worker process sees them: a change of the newest
    inbox item's id (`newest`, a read of the database that runs in a thread) since the last
    probe. Needs no clock shared with the web hosts: only this process's own."""

    def __init__(
        self,
        newest: Callable[[], int],
        *,
        probe_seconds: float = PROBE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._newest = newest
        self._probe = probe_seconds
        self._clock = clock
        self._seen: int | None = None
        self._probed_at = float("-inf")
        self._changed_at = float("-inf")

    async def quiet_in(self, quiet_seconds: float) -> float:
        if self._clock() - self._probed_at >= self._probe:
            newest = await asyncio.to_thread(self._newest)
            self._probed_at = self._clock()
            # The first look counts as a change: quiet means seen unchanged for `quiet_seconds`.
            if newest != self._seen:
                self._changed_at = self._probed_at
            self._seen = newest
        left = self._changed_at + quiet_seconds - self._clock()
        return 0.0 if left <= 0 else min(left, self._probe)


class TurnPacer:
    def __init__(
        self,
        web: WebActivity,
        *,
        quiet_seconds: float = QUIET_SECONDS,
        max_defer_seconds: float = MAX_DEFER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._web = web
        self._quiet = quiet_seconds
        self._max_defer = max_defer_seconds
        self._clock = clock

    async def wait(self) -> None:
        """Returns when a turn may start: once the web side is quiet, or `max_defer_seconds`
        after the call at the latest."""
        deadline = self._clock() + self._max_defer
        while True:
            left = deadline - self._clock()
            pause = await self._web.quiet_in(self._quiet)
            if pause <= 0 or left <= 0:
                return
            await asyncio.sleep(min(pause, left))
