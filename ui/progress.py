"""Progress of long runs (Monte Carlo): paths per second and the time left, for the CLI bar
(rich) and the dashboard bar (``st.progress``). Presentation arithmetic only."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


def format_duration(seconds: float) -> str:
    """``42s``, ``3:07`` or ``1:02:05`` (— when unknown)."""
    if not math.isfinite(seconds) or seconds < 0:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


@dataclass
class RateClock:
    """Paths per second and the time left since the clock was made (monotonic time).

    Examples
    --------
    >>> clock = RateClock(total=1000, start=0.0)
    >>> clock.rate(250, now=5.0), clock.eta(250, now=5.0)
    (50.0, 15.0)
    """

    total: int
    start: float = field(default_factory=time.monotonic)

    def rate(self, done: int, *, now: float | None = None) -> float:
        """Paths per second so far (0 before the first second of work is measurable)."""
        elapsed = (time.monotonic() if now is None else now) - self.start
        return done / elapsed if elapsed > 0 and done > 0 else 0.0

    def eta(self, done: int, *, now: float | None = None) -> float:
        """Seconds left at the rate so far (inf while the rate is unknown)."""
        r = self.rate(done, now=now)
        return max(self.total - done, 0) / r if r > 0 else math.inf
