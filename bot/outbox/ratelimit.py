"""Pacing of outbound messages: token buckets per channel and per address.

A provider limits how fast one sender may send (Telegram: about 30 messages a second overall;
Twilio: a number of SMS segments a second per sender), and a person should not get a burst of
messages that arrive out of order (Telegram allows about one message a second per chat).

Each channel declares its own limits as data (`ChannelAdapter.limits`, bot.channels.base).
`RateLimiter.delay_for(...)` either takes the tokens and returns 0 (send now), or takes nothing
and returns how long to wait before asking again. The clock is injected, so tests control time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from bot.channels.base import BucketSpec, ChannelLimits

__all__ = ["BucketSpec", "ChannelLimits", "RateLimiter"]

Clock = Callable[[], float]


class _Bucket:
    __slots__ = ("spec", "tokens", "updated")

    def __init__(self, spec: BucketSpec, now: float) -> None:
        self.spec = spec
        self.tokens = spec.burst
        self.updated = now

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.spec.burst, self.tokens + elapsed * self.spec.rate)
        self.updated = now

    def wait_for(self, cost: float) -> float:
        """Seconds until `cost` may be spent. A cost above the bucket size waits only for a full
        bucket and then leaves it in debt, so a long SMS is sent rather than never, and slows
        what follows by its full cost."""
        needed = min(cost, self.spec.burst)
        return max(0.0, (needed - self.tokens) / self.spec.rate)

    def full(self) -> bool:
        return self.tokens >= self.spec.burst


class RateLimiter:
    """Thread-safe. Address buckets are dropped once full again (a full bucket is the same as a
    new one), so memory follows the number of people recently messaged, not ever messaged."""

    def __init__(
        self,
        clock: Clock,
        limits: Mapping[str, ChannelLimits],
        prune_every: int = 1000,
    ) -> None:
        self._clock = clock
        self._limits = dict(limits)
        self._channels: dict[str, _Bucket] = {}
        self._addresses: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self._prune_every = prune_every
        self._calls = 0

    def delay_for(self, channel: str, address: str, cost: float = 1) -> float:
        """0: the tokens are taken, send now. Otherwise: nothing is taken; ask again after that
        many seconds. An unknown channel raises KeyError (a configuration mistake)."""
        limits = self._limits[channel]
        now = self._clock()
        with self._lock:
            self._maybe_prune(now)
            overall = self._channels.get(channel)
            if overall is None:
                overall = self._channels[channel] = _Bucket(limits.overall, now)
            key = (channel, address)
            personal = self._addresses.get(key)
            if personal is None:
                personal = self._addresses[key] = _Bucket(limits.per_address, now)
            overall.refill(now)
            personal.refill(now)
            wait = max(overall.wait_for(cost), personal.wait_for(1))
            if wait > 0:
                return wait
            overall.tokens -= cost
            personal.tokens -= 1
            return 0.0

    def _maybe_prune(self, now: float) -> None:
        self._calls += 1
        if self._calls % self._prune_every:
            return
        for key, bucket in list(self._addresses.items()):
            bucket.refill(now)
            if bucket.full():
                del self._addresses[key]
