"""Monte Carlo progress text: paths per second and the time left (CLI and dashboard bars)."""

from __future__ import annotations

import math

import pytest

from ui.progress import RateClock, format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0s"),
        (41.6, "42s"),
        (60.0, "1:00"),
        (187.0, "3:07"),
        (3725.0, "1:02:05"),
        (math.inf, "—"),
        (math.nan, "—"),
        (-1.0, "—"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_rate_and_eta_from_the_start_of_the_run() -> None:
    clock = RateClock(total=100_000, start=10.0)
    assert clock.rate(0, now=12.0) == 0.0 and clock.eta(0, now=12.0) == math.inf
    assert clock.rate(8192, now=12.0) == 4096.0
    assert clock.eta(8192, now=12.0) == pytest.approx((100_000 - 8192) / 4096.0)
    assert clock.eta(100_000, now=30.0) == 0.0
    assert clock.rate(10, now=10.0) == 0.0  # no time elapsed yet: unknown, not infinite
