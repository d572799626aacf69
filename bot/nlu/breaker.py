"""A circuit breaker for a remote dependency (the Rasa server).

Contract: after `failure_threshold` consecutive failures the breaker opens, and for `cool_down`
seconds `allow()` answers False at once, so callers use their fallback without waiting on the
network. Then it half-opens: exactly one caller is allowed a trial call; its success closes the
breaker, its failure opens it for another cool-down. One log line when it opens and one when it
closes (never any message text). Safe to share between threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import Enum

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(
        self,
        name: str = "rasa",
        failure_threshold: int = 3,
        cool_down: float = 30.0,
        clock: Clock = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cool_down < 0:
            raise ValueError("cool_down must not be negative")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cool_down = cool_down
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self.cool_down:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allow(self) -> bool:
        """Whether the caller may try the dependency now. A True in the half-open state reserves
        the single trial call; the caller must then report `record_success` or `record_failure`."""
        with self._lock:
            state = self._state_locked()
            if state is BreakerState.CLOSED:
                return True
            if state is BreakerState.OPEN or self._trial_running:
                return False
            self._trial_running = True
            return True

    def record_success(self) -> None:
        with self._lock:
            was_open = self._opened_at is not None
            self._failures = 0
            self._opened_at = None
            self._trial_running = False
        if was_open:
            log.info("circuit %s closed: the dependency answers again", self.name)

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            trial_failed = self._trial_running
            self._trial_running = False
            if trial_failed:
                # Still down: a fresh cool-down, already logged as open.
                self._opened_at = self._clock()
                return
            if self._opened_at is not None or self._failures < self.failure_threshold:
                return
            self._opened_at = self._clock()
            failures = self._failures
        log.warning(
            "circuit %s opened after %d consecutive failures; using the fallback for %.0f s",
            self.name,
            failures,
            self.cool_down,
        )
