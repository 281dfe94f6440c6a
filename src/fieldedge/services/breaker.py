"""A circuit breaker per outbound dependency (KV, storage, mail): the state machine only.

Closed: calls go through and consecutive failures are counted. After ``threshold`` of
them in a row the breaker opens: calls fail fast with ``DependencyUnavailable`` without
touching the network, so a dead SES costs a request nothing instead of a timeout. After
``cooldown_s`` it is half-open and lets exactly one trial call through: success closes
it, failure opens it for another cool-down. The clock is injected (``Clock.monotonic``)
so tests move time instead of sleeping. The wrapper that applies it to a port lives in
``fieldedge_adapters.guarded``; this module touches no driver and no event loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol, runtime_checkable

import structlog

from fieldedge.errors import DependencyUnavailable

log = structlog.get_logger("fieldedge.breaker")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        dependency: str,
        *,
        threshold: int = 5,
        cooldown_s: float = 30.0,
        monotonic: Callable[[], float],
    ) -> None:
        if threshold < 1 or cooldown_s <= 0:
            raise ValueError("breaker threshold must be >= 1 and cool-down > 0")
        self.dependency = dependency
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._monotonic() - self._opened_at >= self.cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def failures(self) -> int:
        """Consecutive failures counted while closed (reset by any success)."""
        return self._failures

    def acquire(self) -> None:
        """Before a call: pass, or raise ``DependencyUnavailable`` at once.

        Half-open admits one trial at a time; its callers must end it with exactly one
        of ``succeeded``, ``failed`` or ``abandoned``.
        """
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return
        raise DependencyUnavailable(
            self.dependency,
            f"{self.dependency} is unavailable (circuit open); retry shortly.",
            retry_after=self._retry_after(),
        )

    def succeeded(self) -> None:
        if self._opened_at is not None:
            log.info("breaker.closed", dependency=self.dependency)
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def failed(self) -> None:
        if self._trial_running or self._opened_at is not None:
            # The half-open trial failed (or a call admitted before opening): another
            # full cool-down, counted from now.
            self._opened_at = self._monotonic()
            self._trial_running = False
            return
        self._failures += 1
        if self._failures >= self.threshold:
            self._opened_at = self._monotonic()
            log.warning(
                "breaker.open",
                dependency=self.dependency,
                failures=self._failures,
                cooldown_s=self.cooldown_s,
            )

    def abandoned(self) -> None:
        """The call ended without a verdict (cancelled): free the trial slot, keep state."""
        self._trial_running = False

    def _retry_after(self) -> int:
        if self._opened_at is None:
            return 1
        left = self.cooldown_s - (self._monotonic() - self._opened_at)
        return max(1, math.ceil(left))


@runtime_checkable
class Guarded(Protocol):
    """A port wrapped in a breaker; health reads its state without tripping it."""

    @property
    def breaker(self) -> CircuitBreaker: ...
