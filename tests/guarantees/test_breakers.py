"""Circuit breakers in front of real SES and S3 clients (moto's server over HTTP, and a
port nothing listens on): they open after N failures in a row and then fail fast without
calling the adapter, half-open after the cool-down, and close on a successful trial."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from fakes import FixedClock
from fieldedge.errors import DependencyUnavailable, NotFound
from fieldedge.ports.mail import EmailMessage, Mailer
from fieldedge.ports.storage import ObjectStore
from fieldedge.services.breaker import BreakerState, CircuitBreaker
from fieldedge_adapters.guarded import GuardedMailer, GuardedStore
from fieldedge_adapters.mail import mailer_from_url
from fieldedge_adapters.storage import storage_from_url
from fixtures.aws import REGION

THRESHOLD = 3
COOLDOWN_S = 30.0
MESSAGE = EmailMessage(to=("rep@example.com",), subject="Order approved", text="Approved.")


@dataclass
class CountingMailer:
    """A test fake of the Mailer port: counts sends, forwards them to a real SES client
    that is either dead (a closed port) or alive (moto), as the test switches it."""

    dead: Mailer
    live: Mailer
    down: bool = True
    sends: int = 0
    name: str = "ses"

    async def send(self, message: EmailMessage) -> str:
        self.sends += 1
        return await (self.dead if self.down else self.live).send(message)

    async def ping(self) -> None:
        await (self.dead if self.down else self.live).ping()

    async def close(self) -> None:
        await self.dead.close()
        await self.live.close()


@dataclass
class CountingStore:
    """A test fake of the ObjectStore port: counts heads, forwards to a real S3 client."""

    inner: ObjectStore
    heads: list[str] = field(default_factory=list)
    name: str = "s3"

    async def head(self, key: str) -> object:
        self.heads.append(key)
        return await self.inner.head(key)

    async def get(self, key: str) -> object:
        return await self.inner.get(key)

    async def close(self) -> None:
        await self.inner.close()


def ses(endpoint: str, sender: str = "no-reply@fieldedge.test") -> Mailer:
    return mailer_from_url(
        f"ses://{REGION}?endpoint_url={endpoint}&from={sender}", sender=sender, timeout_s=2
    )


def s3(endpoint: str, bucket: str) -> ObjectStore:
    return storage_from_url(
        f"s3://{bucket}?endpoint_url={endpoint}&region={REGION}",
        timeout_s=2,
        signing_key=b"k" * 32,
        public_base_url="http://127.0.0.1",
    )


async def test_a_dead_ses_opens_the_breaker_then_half_opens_and_closes(
    moto_server: str, ses_sender: str, closed_port_url: str
) -> None:
    clock = FixedClock()
    fake = CountingMailer(dead=ses(closed_port_url), live=ses(moto_server, ses_sender))
    breaker = CircuitBreaker(
        "mail", threshold=THRESHOLD, cooldown_s=COOLDOWN_S, monotonic=clock.monotonic
    )
    mailer = GuardedMailer(fake, breaker, timeout_s=5)
    try:
        for _ in range(THRESHOLD):  # each one really tries the dead endpoint
            with pytest.raises(DependencyUnavailable):
                await mailer.send(MESSAGE)
        assert fake.sends == THRESHOLD
        assert breaker.state is BreakerState.OPEN

        for _ in range(5):  # open: refused at once, the adapter is never called
            with pytest.raises(DependencyUnavailable) as caught:
                await mailer.send(MESSAGE)
            assert caught.value.dependency == "mail"
            assert caught.value.status == 503
            assert int(caught.value.headers["Retry-After"]) == COOLDOWN_S
        assert fake.sends == THRESHOLD

        clock.advance(COOLDOWN_S)
        assert breaker.state is BreakerState.HALF_OPEN
        with pytest.raises(DependencyUnavailable):  # the one trial, still dead
            await mailer.send(MESSAGE)
        assert fake.sends == THRESHOLD + 1
        assert breaker.state is BreakerState.OPEN  # a fresh cool-down from the failed trial
        clock.advance(COOLDOWN_S - 1)
        with pytest.raises(DependencyUnavailable):
            await mailer.send(MESSAGE)
        assert fake.sends == THRESHOLD + 1

        fake.down = False  # SES is back
        clock.advance(1)
        message_id = await mailer.send(MESSAGE)  # the trial succeeds: closed again
        assert message_id
        assert breaker.state is BreakerState.CLOSED
        await mailer.send(MESSAGE)
        assert fake.sends == THRESHOLD + 3
    finally:
        await mailer.close()


async def test_health_probes_neither_trip_nor_are_blocked_by_the_breaker(
    moto_server: str, ses_sender: str, closed_port_url: str
) -> None:
    clock = FixedClock()
    fake = CountingMailer(dead=ses(closed_port_url), live=ses(moto_server, ses_sender))
    breaker = CircuitBreaker(
        "mail", threshold=THRESHOLD, cooldown_s=COOLDOWN_S, monotonic=clock.monotonic
    )
    mailer = GuardedMailer(fake, breaker, timeout_s=5)
    try:
        for _ in range(THRESHOLD + 2):
            with pytest.raises(DependencyUnavailable):
                await mailer.ping()
        assert breaker.state is BreakerState.CLOSED  # probes do not count

        for _ in range(THRESHOLD):
            with pytest.raises(DependencyUnavailable):
                await mailer.send(MESSAGE)
        fake.down = False
        await mailer.ping()  # open, yet the probe reaches SES and sees it back
        assert breaker.state is BreakerState.OPEN  # only a real call's trial closes it
    finally:
        await mailer.close()


async def test_a_missing_object_is_an_answer_not_an_outage(
    moto_server: str, s3_bucket: str, closed_port_url: str
) -> None:
    clock = FixedClock()
    live = CountingStore(s3(moto_server, s3_bucket))
    breaker = CircuitBreaker(
        "storage", threshold=THRESHOLD, cooldown_s=COOLDOWN_S, monotonic=clock.monotonic
    )
    store = GuardedStore(live, breaker, timeout_s=5)  # type: ignore[arg-type]
    try:
        for n in range(THRESHOLD + 2):
            assert await store.head(f"c/none-{n}.png") is None
            with pytest.raises(NotFound):
                await store.get(f"c/none-{n}.png")
        assert breaker.state is BreakerState.CLOSED
    finally:
        await store.close()

    dead = CountingStore(s3(closed_port_url, s3_bucket))
    breaker = CircuitBreaker(
        "storage", threshold=THRESHOLD, cooldown_s=COOLDOWN_S, monotonic=clock.monotonic
    )
    store = GuardedStore(dead, breaker, timeout_s=5)  # type: ignore[arg-type]
    try:
        for n in range(THRESHOLD + 4):
            with pytest.raises(DependencyUnavailable) as caught:
                await store.head(f"c/photo-{n}.png")
            assert caught.value.dependency == "storage"
        assert len(dead.heads) == THRESHOLD  # the rest failed fast
        assert breaker.state is BreakerState.OPEN
    finally:
        await store.close()
