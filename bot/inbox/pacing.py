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

Separate `heard worker` processes cannot see this count. They can lower their own CPU priority
instead (bot.workers.lower_priority, `HEARD_WORKER_NICE`), off by default: docs/DESIGN.md says
what lowering it cost when measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

QUIET_SECONDS = 0.01  # a keep-alive client's next request follows its answer within this
MAX_DEFER_SECONDS = 0.25  # while items wait, a turn starts at least this often


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

    def quiet_in(self, quiet_seconds: float) -> float:
        """Seconds until the web side will have been quiet for `quiet_seconds` if nothing new
        arrives (0: quiet now)."""
        if self.in_flight > 0:
            return quiet_seconds
        return max(0.0, self.last_ended + quiet_seconds - self._clock())


class TurnPacer:
    def __init__(
        self,
        web: WebLoad,
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
            pause = self._web.quiet_in(self._quiet)
            if pause <= 0 or left <= 0:
                return
            await asyncio.sleep(min(pause, left))
