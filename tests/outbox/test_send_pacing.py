"""Token buckets with a fake clock: each step advances time, asks, and checks the wait."""

from __future__ import annotations

import pytest

from bot.channels.telegram.channel import TELEGRAM_LIMITS
from bot.channels.twilio_sms.channel import sms_limits
from bot.outbox.ratelimit import BucketSpec, ChannelLimits, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# (seconds to advance first, channel, address, cost, expected delay)
Step = tuple[float, str, str, float, float]

A, B = "+447700900101", "+447700900102"


def many_chats(n: int, at: float = 0.0) -> list[Step]:
    return [(at if i == 0 else 0.0, "telegram", f"chat-{i}", 1, 0.0) for i in range(n)]


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [(0, "telegram", "c1", 1, 0.0), (0, "telegram", "c1", 1, 1.0)],
            id="telegram-one-message-a-second-per-chat",
        ),
        pytest.param(
            [(0, "telegram", "c1", 1, 0.0), (0.25, "telegram", "c1", 1, 0.75)],
            id="telegram-partly-refilled",
        ),
        pytest.param(
            [(0, "telegram", "c1", 1, 0.0), (1.0, "telegram", "c1", 1, 0.0)],
            id="telegram-after-a-second-send-again",
        ),
        pytest.param(
            [(0, "telegram", "c1", 1, 0.0), (0, "telegram", "c2", 1, 0.0)],
            id="other-chats-are-not-held-up",
        ),
        pytest.param(
            [*many_chats(30), (0, "telegram", "chat-30", 1, pytest.approx(1 / 30))],
            id="telegram-30-a-second-overall",
        ),
        pytest.param(
            [
                (0, "telegram", "c1", 1, 0.0),
                (0, "telegram", "c1", 1, 1.0),
                (0, "telegram", "c1", 1, 1.0),
                (0.5, "telegram", "c1", 1, 0.5),
            ],
            id="a-refused-ask-takes-nothing",
        ),
        pytest.param(
            [(0, "sms", A, 3, 0.0), (0, "sms", B, 1, 3.0), (3, "sms", B, 1, 0.0)],
            id="sms-costed-by-segments",
        ),
        pytest.param(
            [(0, "sms", A, 1, 0.0), (1, "sms", A, 1, 1.0), (1, "sms", A, 1, 0.0)],
            id="sms-two-seconds-between-one-persons-messages",
        ),
        pytest.param(
            [(0, "sms", A, 1, 0.0), (1, "sms", B, 1, 0.0)],
            id="sms-one-segment-a-second-across-people",
        ),
        pytest.param(
            [(0, "telegram", "c1", 1, 0.0), (0, "sms", A, 1, 0.0)],
            id="channels-are-independent",
        ),
        pytest.param(
            [(0, "telegram", "c1", 1, 0.0), (-5, "telegram", "c1", 1, 1.0)],
            id="clock-going-back-refills-nothing",
        ),
    ],
)
def test_delays(steps: list[Step]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, {"telegram": TELEGRAM_LIMITS, "sms": sms_limits()})
    for advance, channel, address, cost, expected in steps:
        clock.now += advance
        assert limiter.delay_for(channel, address, cost) == expected, (clock.now, address)


def test_a_faster_sms_sender_can_be_configured() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, {"sms": sms_limits(segments_per_second=10)})
    delays = [limiter.delay_for("sms", f"+4477009002{i:02d}", 1) for i in range(11)]
    assert delays == [0.0] * 10 + [pytest.approx(0.1)]


def test_waiting_the_returned_delay_is_enough() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, {"telegram": TELEGRAM_LIMITS})
    sent = 0
    while clock.now < 10:
        wait = limiter.delay_for("telegram", "c1")
        if wait == 0:
            sent += 1
        clock.now += wait or 0.01
    assert sent in (10, 11)  # one a second, plus the first at t=0


def test_idle_address_buckets_are_forgotten_without_changing_answers() -> None:
    clock = FakeClock()
    limits = {"x": ChannelLimits(BucketSpec(1000, 1000), BucketSpec(1, 1))}
    pruning = RateLimiter(clock, limits, prune_every=1)
    keeping = RateLimiter(clock, limits, prune_every=10**9)
    for step in range(200):
        clock.now += 0.3
        address = f"a{step % 7}"
        assert pruning.delay_for("x", address) == keeping.delay_for("x", address)


def test_unknown_channel_is_a_configuration_error() -> None:
    with pytest.raises(KeyError):
        RateLimiter(FakeClock(), {"sms": sms_limits()}).delay_for("fax", "x")


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0), (-1, 1)])
def test_bucket_sizes_must_be_positive(rate: float, burst: float) -> None:
    with pytest.raises(ValueError):
        BucketSpec(rate, burst)
