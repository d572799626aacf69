"""When to try a failed send again, and when to give up.

Exponential backoff with jitter, so messages that failed together (a provider outage) do not all
come back at the same moment. A provider's own `retry_after` is a floor, never shortened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class RetryPolicy:
    """`attempt` counts attempts made so far (1 after the first failure).

    The backoff before attempt n+1 is `min(cap, base * 2**(n-1))`, shortened by up to `jitter`
    of itself at random (so the cap is never exceeded); `seed` makes the jitter repeatable.
    """

    max_attempts: int = 5
    base: float = 2.0
    cap: float = 300.0
    jitter: float = 0.2
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base <= 0 or self.cap <= 0:
            raise ValueError("max_attempts, base and cap must be positive")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        self._rng = random.Random(self.seed)

    def next_delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None: give up (mark the message failed)."""
        if attempt < 1:
            raise ValueError("attempt counts from 1")
        if attempt >= self.max_attempts:
            return None
        backoff = min(self.cap, self.base * 2.0 ** min(attempt - 1, 64))
        backoff *= 1 - self.jitter * self._rng.random()
        if retry_after is not None:
            return max(backoff, retry_after)
        return backoff
