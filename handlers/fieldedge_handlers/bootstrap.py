"""The composition root: settings in, container of ports out. The one module that imports
both the core and the adapters; every entry adapter (Lambda, Cloud Run, CLI) goes through it."""

from __future__ import annotations

import asyncio
import os
import secrets as random_secrets
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from fieldedge.errors import ConfigError
from fieldedge.ports.database import Database
from fieldedge.services.breaker import CircuitBreaker
from fieldedge.services.deps import Deps
from fieldedge.settings import Settings
from fieldedge.signing import storage_signing_key
from fieldedge_adapters import secrets
from fieldedge_adapters.guarded import GuardedKV, GuardedMailer, GuardedStore
from fieldedge_adapters.kv import MemoryKV, kv_from_url
from fieldedge_adapters.mail import mailer_from_url
from fieldedge_adapters.sql import database_from_url
from fieldedge_adapters.storage import storage_from_url
from fieldedge_adapters.system import SystemClock, UuidV7Ids
from fieldedge_adapters.webhooks import HttpxWebhookSender
from fieldedge_handlers.logs import configure_logging

DEV_SECRET_FILE = Path("var/jwt_secret")


def _one_line(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if ":" not in message.split(" ", 1)[0]:  # pydantic's own message: name the setting
        field = ".".join(str(part) for part in first["loc"]).upper() or "settings"
        message = f"{field}: {message}"
    return message


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (and ``.env``) once; a bad setting raises one readable line.
    A setting given as ``X_FROM`` (an SSM parameter or a Secrets Manager secret, by name)
    is read from there, once per process (``fieldedge_adapters.secrets``)."""
    refs = secrets.references(os.environ, Settings.model_fields)
    if refs:
        resolved = {name.lower(): value for name, value in secrets.resolve(refs).items()}
        overrides = {**resolved, **overrides}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    if settings.dev and settings.jwt_secret is None:
        settings = settings.model_copy(update={"jwt_secret": SecretStr(_dev_secret())})
    return settings


def _dev_secret() -> str:
    """Dev mode only: a secret made once and kept under ./var/, so sessions survive restarts."""
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    secret = random_secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(secret)
    DEV_SECRET_FILE.chmod(0o600)
    return secret


def setup_logging(settings: Settings) -> None:
    configure_logging(level=settings.log_level, fmt=settings.resolved_log_format)


def build_deps(settings: Settings) -> Deps:
    """Adapters chosen by URL, each outbound one behind a breaker and a timeout.

    No I/O here: connections open on first use.
    """
    upstash_token = settings.upstash_redis_rest_token
    clock = SystemClock()

    def breaker(dependency: str) -> CircuitBreaker:
        return CircuitBreaker(
            dependency,
            threshold=settings.breaker_failures,
            cooldown_s=settings.breaker_cooldown_s,
            monotonic=clock.monotonic,
        )

    kv_timeout_s = settings.kv_timeout_ms / 1000
    kv = kv_from_url(
        settings.kv_url,
        timeout_s=kv_timeout_s,
        upstash_url=settings.upstash_redis_rest_url,
        upstash_token=upstash_token.get_secret_value() if upstash_token else None,
    )
    storage = storage_from_url(
        settings.storage_url,
        timeout_s=settings.storage_timeout_s,
        signing_key=storage_signing_key(settings.jwt_key),
        public_base_url=settings.public_base_url,
        credentials=settings.credentials("storage"),
    )
    mailer = mailer_from_url(
        settings.mail_url,
        sender=settings.mail_from,
        timeout_s=settings.mail_timeout_s,
        credentials=settings.credentials("mail"),
    )
    return Deps.build(
        settings,
        db=database_from_url(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout_s=settings.db_pool_timeout_s,
            connect_timeout_s=settings.db_connect_timeout_s,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            migrations_url=settings.migrations_url,
        ),
        kv=GuardedKV(kv, breaker("kv"), timeout_s=kv_timeout_s),
        storage=GuardedStore(storage, breaker("storage"), timeout_s=settings.storage_timeout_s),
        # Rate limits fall back to this in-process store while the shared KV is down.
        fallback_kv=MemoryKV(),
        mailer=GuardedMailer(mailer, breaker("mail"), timeout_s=settings.mail_timeout_s),
        clock=clock,
        ids=UuidV7Ids(),
        webhooks=HttpxWebhookSender(
            timeout_s=settings.webhook_timeout_s,
            max_body_bytes=settings.webhook_max_response_bytes,
        ),
    )


async def check_schema(db: Database) -> None:
    """Refuse to serve a database whose schema is behind the code (dev mode migrates itself)."""
    state = await db.schema_state()
    if not state.up_to_date:
        raise ConfigError(
            f"database schema is at {state.current or 'nothing'}, this release needs "
            f"{state.head}: run `fieldedge migrate up` (with DATABASE_URL_DIRECT for a pooled host)"
        )


def verify_schema(settings: Settings) -> None:
    """The schema check for a server about to start, on a connection of its own."""

    async def run() -> None:
        db = database_from_url(
            settings.database_url,
            pool_size=1,
            max_overflow=0,
            pool_timeout_s=settings.db_pool_timeout_s,
            connect_timeout_s=settings.db_connect_timeout_s,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )
        try:
            await check_schema(db)
        finally:
            await db.close()

    asyncio.run(run())


async def close_deps(deps: Deps) -> None:
    await asyncio.gather(
        deps.db.close(),
        deps.kv.close(),
        deps.storage.close(),
        deps.mailer.close(),
        deps.webhooks.close(),
        return_exceptions=True,
    )
