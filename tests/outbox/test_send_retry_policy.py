from __future__ import annotations

import pytest

from bot.outbox.retry import RetryPolicy


@pytest.mark.parametrize(
    ("policy", "attempt", "retry_after", "expected"),
    [
        pytest.param(RetryPolicy(jitter=0), 1, None, 2.0, id="first-retry"),
        pytest.param(RetryPolicy(jitter=0), 2, None, 4.0, id="doubles"),
        pytest.param(RetryPolicy(jitter=0), 4, None, 16.0, id="fourth"),
        pytest.param(RetryPolicy(jitter=0), 5, None, None, id="gives-up-after-max-attempts"),
        pytest.param(RetryPolicy(jitter=0, base=100, cap=300), 3, None, 300.0, id="capped"),
        pytest.param(
            RetryPolicy(jitter=0, max_attempts=10_000), 5000, None, 300.0, id="huge-attempt"
        ),
        pytest.param(RetryPolicy(jitter=0), 1, 30.0, 30.0, id="retry-after-is-a-floor"),
        pytest.param(RetryPolicy(jitter=0), 3, 0.5, 8.0, id="short-retry-after-keeps-backoff"),
        pytest.param(
            RetryPolicy(jitter=0, cap=60), 1, 600.0, 600.0, id="retry-after-beyond-the-cap"
        ),
        pytest.param(RetryPolicy(jitter=0), 5, 3.0, None, id="retry-after-does-not-extend"),
        pytest.param(RetryPolicy(jitter=0, max_attempts=1), 1, None, None, id="never-retry"),
    ],
)
def test_next_delay(
    policy: RetryPolicy, attempt: int, retry_after: float | None, expected: float | None
) -> None:
    assert policy.next_delay(attempt, retry_after) == expected


def delays(seed: int, jitter: float = 0.2) -> list[float]:
    policy = RetryPolicy(max_attempts=50, jitter=jitter, seed=seed)
    return [d for d in (policy.next_delay(1) for _ in range(20)) if d is not None]


def test_jitter_spreads_retries_within_bounds() -> None:
    spread = delays(seed=7)
    assert all(1.6 <= d <= 2.0 for d in spread)
    assert len(set(spread)) > 1


def test_jitter_is_repeatable_with_a_seed() -> None:
    assert delays(seed=7) == delays(seed=7)
    assert delays(seed=7) != delays(seed=8)


def test_jitter_never_shortens_retry_after() -> None:
    policy = RetryPolicy(jitter=0.5, seed=1)
    assert all(policy.next_delay(1, retry_after=3.0) == 3.0 for _ in range(20))


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"base": 0}, {"cap": -1}, {"jitter": 1.0}, {"jitter": -0.1}],
)
def test_nonsense_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError):
        RetryPolicy().next_delay(0)
