"""What every use case receives: the ports the composition root chose, plus the few
process-wide objects built from settings once (hasher, token codec, rate limiter)."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.ports.clock import Clock, Ids
from fieldedge.ports.database import Database
from fieldedge.ports.kv import KeyValue
from fieldedge.ports.mail import Mailer
from fieldedge.ports.storage import ObjectStore
from fieldedge.ports.webhooks import WebhookSender
from fieldedge.services.ratelimit import Limit, RateLimiter
from fieldedge.services.security.passwords import PasswordHasher, PasswordPolicy
from fieldedge.services.security.tokens import AccessTokens
from fieldedge.settings import Settings

MINUTE = 60.0
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Limits:
    auth_email: Limit
    auth_ip: Limit
    read: Limit
    write: Limit
    upload: Limit
    sync: Limit

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        return cls(
            auth_email=Limit("auth-email", s.rate_auth_email_per_min, MINUTE),
            auth_ip=Limit("auth-ip", s.rate_auth_ip_per_min, MINUTE),
            read=Limit("read", s.rate_read_per_min, MINUTE),
            write=Limit("write", s.rate_write_per_min, MINUTE),
            upload=Limit("upload", s.rate_upload_per_day, DAY),
            sync=Limit("sync", s.rate_sync_per_min, MINUTE),
        )


@dataclass(frozen=True, slots=True)
class Deps:
    settings: Settings
    db: Database
    kv: KeyValue
    storage: ObjectStore
    mailer: Mailer
    clock: Clock
    ids: Ids
    passwords: PasswordHasher
    policy: PasswordPolicy
    tokens: AccessTokens
    limiter: RateLimiter
    limits: Limits
    webhooks: WebhookSender

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        db: Database,
        kv: KeyValue,
        fallback_kv: KeyValue,
        storage: ObjectStore,
        mailer: Mailer,
        clock: Clock,
        ids: Ids,
        webhooks: WebhookSender,
    ) -> Deps:
        """The one place the process-wide service objects are made from settings."""
        return cls(
            settings=settings,
            db=db,
            kv=kv,
            storage=storage,
            mailer=mailer,
            clock=clock,
            ids=ids,
            passwords=PasswordHasher(
                memory_kib=settings.argon2_memory_kib,
                time_cost=settings.argon2_time_cost,
                parallelism=settings.argon2_parallelism,
                concurrency=settings.argon2_concurrency,
            ),
            policy=PasswordPolicy(),
            tokens=AccessTokens(
                secret=settings.jwt_key,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                ttl_s=settings.access_token_ttl_s,
            ),
            limiter=RateLimiter(kv, fallback_kv),
            limits=Limits.from_settings(settings),
            webhooks=webhooks,
        )
