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


# Webhooks: the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after
# the failures before it: about 28 hours from the first attempt to the last of eight),
# each delay drawn within ±20 % so that many deliveries that failed together (a receiver
# that was down) come back spread out, and the whole still spans about a day.
WEBHOOK_DELAYS_S = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


def webhook_delay_s(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after a delivery's ``attempts``-th failed attempt."""
    base = WEBHOOK_DELAYS_S[min(max(attempts, 1), len(WEBHOOK_DELAYS_S)) - 1]
    return base * (rng or random).uniform(0.8, 1.2)
