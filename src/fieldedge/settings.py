"""Every setting, validated once in the composition root (``fieldedge_handlers.bootstrap``).

Nothing reads the environment at import time; adapters get explicit arguments.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The schemes each adapter URL accepts; the composition root maps them to adapters.
DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
KV_SCHEMES = ("memory", "redis", "rediss", "upstash")
STORAGE_SCHEMES = ("file", "s3")
MAIL_SCHEMES = ("console", "ses")

MIN_SECRET_BYTES = 32


def _check_scheme(setting: str, url: str, allowed: tuple[str, ...]) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in allowed:
        raise ValueError(
            f"{setting}: unsupported scheme {scheme!r} (use one of: {', '.join(allowed)})"
        )
    return url


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    fieldedge_env: Literal["dev", "test", "prod"] = "prod"

    database_url: str = "sqlite+aiosqlite:///./var/fieldedge.db"
    database_url_direct: str | None = None
    # Requests one process serves at once (Cloud Run's containerConcurrency). When set, it
    # sizes DB_POOL_SIZE, DB_MAX_OVERFLOW and ARGON2_CONCURRENCY unless those are set too.
    server_concurrency: int | None = Field(default=None, ge=1, le=1000)
    db_pool_size: int = Field(default=5, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    db_connect_timeout_s: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)

    kv_url: str = "memory://"
    kv_timeout_ms: int = Field(default=200, ge=1, le=30_000)
    upstash_redis_rest_url: str | None = None
    upstash_redis_rest_token: SecretStr | None = None

    storage_url: str = "file://./var/storage"
    storage_timeout_s: float = Field(default=10.0, gt=0)
    # Keys of the store's own (R2 beside SES on the AWS role); unset: the AWS chain.
    storage_access_key_id: str | None = None
    storage_secret_access_key: SecretStr | None = None
    mail_url: str = "console://"
    mail_access_key_id: str | None = None
    mail_secret_access_key: SecretStr | None = None
    mail_from: str = "fieldedge <no-reply@fieldedge.local>"
    mail_timeout_s: float = Field(default=10.0, gt=0)
    # Circuit breakers on the KV, storage and mail: open after this many failures in a
    # row, then one trial call after the cool-down (the database has its pool timeouts).
    breaker_failures: int = Field(default=5, ge=1, le=1000)
    breaker_cooldown_s: float = Field(default=30.0, gt=0, le=3600)
    # The mail outbox: events claimed per batch, sends before an event is dead, how long
    # a claim holds, and whether uvicorn/Cloud Run dispatch after each write (Lambda
    # freezes after the response, so there a schedule runs it instead).
    outbox_batch: int = Field(default=50, ge=1, le=1000)
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    outbox_lease_s: int = Field(default=60, ge=5, le=3600)
    outbox_inline: bool = True

    # Webhooks: one POST's whole deadline, the most of a response read, and whether an
    # endpoint may be on loopback (a test's receiver; never in production).
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=30)
    webhook_max_response_bytes: int = Field(default=64 * 1024, ge=1024, le=1024 * 1024)
    webhook_allow_loopback: bool = False

    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "fieldedge"
    jwt_audience: str = "fieldedge-api"
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    reset_token_ttl_s: int = Field(default=3600, ge=300, le=7 * 86400)

    # OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
    argon2_memory_kib: int = Field(default=19_456, ge=1024, le=1_048_576)
    argon2_time_cost: int = Field(default=2, ge=1, le=10)
    argon2_parallelism: int = Field(default=1, ge=1, le=8)
    # Hashes at once per process: each holds argon2_memory_kib while it runs.
    argon2_concurrency: int = Field(default=2, ge=1, le=64)

    # Rate limits: per minute unless named otherwise (upload is per day).
    rate_auth_email_per_min: int = Field(default=5, ge=1)
    rate_auth_ip_per_min: int = Field(default=30, ge=1)
    rate_read_per_min: int = Field(default=300, ge=1)
    rate_write_per_min: int = Field(default=60, ge=1)
    rate_upload_per_day: int = Field(default=100, ge=1)
    rate_sync_per_min: int = Field(default=60, ge=1)
    # A pull cursor older than this is refused (RESET_REQUIRED); results and scope
    # changes older than it are swept.
    sync_retention_days: int = Field(default=30, ge=1, le=3650)
    # Missed occurrences of a maintenance schedule one job run makes per machine (the
    # newest ones); older ones are skipped and the job's report says so.
    maintenance_catchup_cap: int = Field(default=5, ge=1, le=1000)
    sync_page_max_bytes: int = Field(default=1_000_000, ge=10_000, le=50_000_000)

    public_base_url: str = "http://127.0.0.1:8000"
    # The PWA's address: links in emails (password reset, invites) point there.
    app_base_url: str = "http://127.0.0.1:5173"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    max_json_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Arrays and objects inside one another in a JSON body; deeper is a 400.
    max_json_depth: int = Field(default=32, ge=2, le=1000)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] | None = None
    slow_request_ms: int = Field(default=1000, ge=1)
    health_timeout_s: float = Field(default=2.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _sized_by_concurrency(cls, data: object) -> object:
        """A quarter of the concurrent requests may hold a connection at once, the same
        again as overflow; one Argon2 hash per 20 (each holds 19 MiB while it runs)."""
        if not isinstance(data, dict):
            return data
        raw = data.get("server_concurrency")
        if raw in (None, ""):
            return data
        try:
            concurrency = int(raw)
        except (TypeError, ValueError):
            return data  # the field's own validation names the problem
        pool = min(20, max(2, concurrency // 4))
        derived = {
            "db_pool_size": pool,
            "db_max_overflow": pool,
            "argon2_concurrency": min(4, max(1, concurrency // 20)),
        }
        return {**derived, **data}

    @field_validator("database_url", "database_url_direct")
    @classmethod
    def _database_scheme(cls, url: str | None) -> str | None:
        return None if url is None else _check_scheme("DATABASE_URL", url, DATABASE_SCHEMES)

    @field_validator("kv_url")
    @classmethod
    def _kv_scheme(cls, url: str) -> str:
        return _check_scheme("KV_URL", url, KV_SCHEMES)

    @field_validator("storage_url")
    @classmethod
    def _storage_scheme(cls, url: str) -> str:
        return _check_scheme("STORAGE_URL", url, STORAGE_SCHEMES)

    @field_validator("mail_url")
    @classmethod
    def _mail_scheme(cls, url: str) -> str:
        return _check_scheme("MAIL_URL", url, MAIL_SCHEMES)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _cors(cls, value: object) -> object:
        origins = _split_list(value)
        if isinstance(origins, list):
            for origin in origins:
                parts = urlsplit(str(origin))
                bad_path = parts.path not in ("", "/") or parts.query or parts.fragment
                if parts.scheme not in ("http", "https") or not parts.netloc or bad_path:
                    raise ValueError(
                        f"CORS_ORIGINS: {origin!r} is not an origin "
                        "(scheme://host[:port], comma-separated, no wildcard)"
                    )
            return [str(origin).rstrip("/") for origin in origins]
        return origins

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        proxies = _split_list(value)
        for proxy in proxies if isinstance(proxies, list) else []:
            try:
                ipaddress.ip_network(str(proxy), strict=False)
            except ValueError:
                raise ValueError(
                    f"TRUSTED_PROXIES: {proxy!r} is not an address or network "
                    "(e.g. 10.0.0.0/8, comma-separated)"
                ) from None
        return proxies

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        if self.fieldedge_env != "dev":
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            if len(secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(
                    f"JWT_SECRET: must be at least {MIN_SECRET_BYTES} bytes outside dev mode "
                    "(make one: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
        if urlsplit(self.kv_url).scheme == "upstash" and not (
            self.upstash_redis_rest_url and self.upstash_redis_rest_token
        ):
            raise ValueError(
                "KV_URL: upstash:// needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN"
            )
        return self

    @model_validator(mode="after")
    def _key_pairs(self) -> Settings:
        for prefix in ("storage", "mail"):
            key_id = getattr(self, f"{prefix}_access_key_id")
            secret = getattr(self, f"{prefix}_secret_access_key")
            if (key_id is None) != (secret is None):
                name = prefix.upper()
                raise ValueError(
                    f"{name}_ACCESS_KEY_ID: set it and {name}_SECRET_ACCESS_KEY together, "
                    "or neither (then the AWS credential chain is used)"
                )
        return self

    def credentials(self, prefix: str) -> tuple[str, str] | None:
        """``(key id, secret)`` of ``storage`` or ``mail``, or None for the AWS chain."""
        key_id = getattr(self, f"{prefix}_access_key_id")
        secret: SecretStr | None = getattr(self, f"{prefix}_secret_access_key")
        return (key_id, secret.get_secret_value()) if key_id and secret else None

    @model_validator(mode="after")
    def _outbox_lease(self) -> Settings:
        # The dispatcher starts no send within MAIL_TIMEOUT_S of its lease's end.
        if self.outbox_lease_s <= self.mail_timeout_s:
            raise ValueError(
                "OUTBOX_LEASE_S: must be longer than MAIL_TIMEOUT_S (a send must end in its lease)"
            )
        return self

    @property
    def dev(self) -> bool:
        return self.fieldedge_env == "dev"

    @property
    def resolved_log_format(self) -> str:
        return self.log_format or ("console" if self.dev else "json")

    @property
    def migrations_url(self) -> str:
        """Migrations bypass a transaction pooler when a direct URL is given."""
        return self.database_url_direct or self.database_url

    @property
    def jwt_key(self) -> str:
        if self.jwt_secret is None:
            raise ValueError("JWT_SECRET is not set")
        return self.jwt_secret.get_secret_value()
