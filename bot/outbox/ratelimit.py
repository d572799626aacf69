"""Pacing of outbound messages: token buckets per channel and per address.

A provider limits how fast one sender may send (Telegram: about 30 messages a second overall;
Twilio: a number of SMS segments a second per sender), and a person should not get a burst of
messages that arrive out of order (Telegram allows about one message a second per chat).

`RateLimiter.delay_for(...)` either takes the tokens and returns 0 (send now), or takes nothing
and returns how long to wait before asking again. The clock is injected, so tests control time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class BucketSpec:
    rate: float  # tokens added per second
    burst: float  # bucket size: how many tokens can be spent at once after a quiet spell

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst <= 0:
            raise ValueError("rate and burst must be positive")


@dataclass(frozen=True)
class ChannelLimits:
    """`overall` is costed by `cost` (SMS: segments); `per_address` counts messages."""

    overall: BucketSpec
    per_address: BucketSpec


TELEGRAM_LIMITS = ChannelLimits(overall=BucketSpec(30, 30), per_address=BucketSpec(1, 1))


def sms_limits(
    segments_per_second: float = 1.0, seconds_between_messages: float = 2.0
) -> ChannelLimits:
    """A UK long-code number sends about 1 segment a second (a messaging service or short code
    more: configure it); a few seconds between one person's messages keeps them in order."""
    return ChannelLimits(
        overall=BucketSpec(segments_per_second, max(1.0, segments_per_second)),
        per_address=BucketSpec(1 / seconds_between_messages, 1),
    )


DEFAULT_LIMITS: Mapping[str, ChannelLimits] = {"telegram": TELEGRAM_LIMITS, "sms": sms_limits()}


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
        limits: Mapping[str, ChannelLimits] = DEFAULT_LIMITS,
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
