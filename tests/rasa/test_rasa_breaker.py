"""The circuit breaker on its own, with a fake clock."""

from __future__ import annotations

import threading

import pytest
from rasa_fakes import FakeClock

from bot.nlu.breaker import BreakerState, CircuitBreaker

# Steps: "ok" / "fail" (a call that was allowed, and its outcome), "wait N" (the clock moves).
# After each step, whether the next call would be allowed (checked without reserving a trial).


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        (["fail", "fail"], BreakerState.CLOSED),
        (["fail", "fail", "fail"], BreakerState.OPEN),
        (["fail", "fail", "ok", "fail", "fail"], BreakerState.CLOSED),  # consecutive only
        (["fail", "fail", "fail", "wait 29.9"], BreakerState.OPEN),
        (["fail", "fail", "fail", "wait 30"], BreakerState.HALF_OPEN),
        (["fail", "fail", "fail", "wait 30", "ok"], BreakerState.CLOSED),
        (["fail", "fail", "fail", "wait 30", "fail"], BreakerState.OPEN),
        (["fail", "fail", "fail", "wait 30", "fail", "wait 30"], BreakerState.HALF_OPEN),
    ],
)
def test_states(clock: FakeClock, steps: list[str], final: BreakerState) -> None:
    breaker = CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)
    for step in steps:
        if step.startswith("wait"):
            clock.advance(float(step.split()[1]))
            continue
        assert breaker.allow()
        if step == "ok":
            breaker.record_success()
        else:
            breaker.record_failure()
    assert breaker.state is final


def test_open_breaker_refuses_until_cool_down(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=1, cool_down=5.0, clock=clock)
    breaker.record_failure()
    refused = []
    for _ in range(5):
        refused.append(not breaker.allow())
        clock.advance(0.9)
    assert refused == [True] * 5
    clock.advance(0.6)
    assert breaker.allow()


def test_half_open_lets_exactly_one_trial_through(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=1, cool_down=5.0, clock=clock)
    breaker.record_failure()
    clock.advance(5.0)
    allowed: list[bool] = []
    lock = threading.Lock()

    def ask() -> None:
        answer = breaker.allow()
        with lock:
            allowed.append(answer)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(allowed) == [False] * 7 + [True]


@pytest.mark.parametrize(("threshold", "cool_down"), [(0, 30.0), (3, -1.0)])
def test_rejects_nonsense_settings(threshold: int, cool_down: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=threshold, cool_down=cool_down)
