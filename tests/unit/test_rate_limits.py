"""Token-bucket rate limits (`ui.limits`) on a made-up clock: a burst, then one action per period, per key."""

from __future__ import annotations

import pytest

from ui.limits import Rate, RateLimiter, seconds_text


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_per_period_per_key():
    clock = Clock()
    limiter = RateLimiter(Rate(3, 10.0), clock)
    assert [limiter.take("ann") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("ann") == pytest.approx(10.0)
    assert limiter.take("bob") == 0.0  # each key has its own bucket
    clock.now = 4.0
    assert limiter.wait("ann") == pytest.approx(6.0)  # waiting takes nothing
    clock.now = 10.0
    assert limiter.take("ann") == 0.0 and limiter.take("ann") == pytest.approx(10.0)
    clock.now = 1000.0
    assert [limiter.take("ann") for _ in range(4)][-1] > 0  # refilled to the burst, never beyond


def test_keys_are_forgotten_rather_than_grown_without_bound():
    limiter = RateLimiter(Rate(1, 60.0), Clock(), max_keys=100)
    for i in range(1000):
        limiter.take(f"name-{i}")
    assert len(limiter._buckets) <= 100


def test_bad_rates_and_the_wait_in_words():
    with pytest.raises(ValueError):
        Rate(0, 1.0)
    assert (seconds_text(0.2), seconds_text(59.6), seconds_text(600)) == ("1 s", "60 s", "10 min")
