"""When to try a failed event again: exponential backoff with full jitter.

Full jitter (a uniform draw between 0 and the exponential ceiling) spreads the retries
of many events that failed together (an SES outage) instead of sending them back in
one burst when it ends. The floor of a second keeps a run that drains the outbox from
picking a just-failed event up again in the same breath.
"""

from __future__ import annotations

import random

BASE_S = 30.0
CAP_S = 3600.0
FLOOR_S = 1.0


def retry_delay_s(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1 for the first)."""
    ceiling = min(CAP_S, BASE_S * 2 ** max(0, attempts - 1))
    return max(FLOOR_S, (rng or random).uniform(0.0, ceiling))
