"""Secrets read at cold start by name, so their values are never in a deploy template.

A setting ``X`` may be given as ``X_FROM`` naming where its value lives:

- ``X_FROM=ssm:/fieldedge/prod/jwt-secret``: an SSM parameter (a SecureString is
  decrypted with the function's own role);
- ``X_FROM=secretsmanager:fieldedge/prod/db`` (a name or an ARN): a Secrets Manager
  secret, its whole string, or one key of a JSON secret with ``#key``
  (``secretsmanager:fieldedge/prod/db#password``);
- a trailing ``?optional`` lets the parameter be missing (the setting stays unset).

The values are read once per process (cached, one ``GetParameters`` per ten names) with
botocore, imported only when some ``*_FROM`` is configured, and with short timeouts: a
missing parameter or a denied read stops the start with one line naming the variable.
Region and endpoint come from the usual AWS configuration (``AWS_REGION``,
``AWS_ENDPOINT_URL``), credentials from the function's role.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldedge.errors import ConfigError

SUFFIX = "_FROM"
_OPTIONAL = "?optional"
_BATCH = 10  # GetParameters takes at most ten names
_cache: dict[str, str | None] = {}


@dataclass(frozen=True, slots=True)
class Reference:
    setting: str  # JWT_SECRET
    source: str  # ssm | secretsmanager
    name: str  # /fieldedge/prod/jwt-secret, or a secret id
    key: str | None = None  # one key of a JSON secret
    optional: bool = False

    @property
    def variable(self) -> str:
        return f"{self.setting}{SUFFIX}"


def references(environ: Mapping[str, str], settings: Iterable[str]) -> list[Reference]:
    """Every ``X_FROM`` in ``environ`` for a known setting ``X``; a malformed one, or one
    set beside ``X`` itself, is a ``ConfigError``."""
    known = {name.upper() for name in settings}
    found = []
    for variable, value in sorted(environ.items()):
        setting = variable.removesuffix(SUFFIX)
        if not variable.endswith(SUFFIX) or setting not in known or not value.strip():
            continue
        if environ.get(setting):
            raise ConfigError(f"{variable}: set {setting} or {variable}, not both")
        found.append(_parse(setting, value.strip()))
    return found


def _parse(setting: str, value: str) -> Reference:
    optional = value.endswith(_OPTIONAL)
    source, _, name = value.removesuffix(_OPTIONAL).partition(":")
    key = None
    if source == "secretsmanager" and "#" in name:
        name, _, key = name.partition("#")
    if source not in ("ssm", "secretsmanager") or not name:
        raise ConfigError(
            f"{setting}{SUFFIX}: {value!r} is not ssm:/path/name or secretsmanager:name[#key]"
        )
    return Reference(setting, source, name, key, optional)


def resolve(refs: list[Reference]) -> dict[str, str]:
    """``{setting: value}`` for ``refs`` (an optional one that is missing is left out)."""
    wanted = [ref for ref in refs if _cache_key(ref) not in _cache]
    if wanted:
        _fetch(wanted)
    values: dict[str, str] = {}
    for ref in refs:
        value = _cache[_cache_key(ref)]
        if value is None:
            if not ref.optional:
                raise ConfigError(f"{ref.variable}: {ref.source}:{ref.name} does not exist")
            continue
        values[ref.setting] = value
    return values


def _cache_key(ref: Reference) -> str:
    return f"{ref.source}:{ref.name}#{ref.key or ''}"


def _client(service: str) -> Any:
    import botocore.session
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=5, retries={"total_max_attempts": 3})
    return botocore.session.get_session().create_client(service, config=config)


def _fetch(refs: list[Reference]) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    current: Reference | None = None
    try:
        for source in ("ssm", "secretsmanager"):
            batch = [ref for ref in refs if ref.source == source]
            if not batch:
                continue
            client = _client(source)
            try:
                if source == "ssm":
                    current = batch[0]
                    _from_ssm(client, batch)
                for current in batch if source == "secretsmanager" else ():
                    _cache[_cache_key(current)] = _from_secrets_manager(client, current)
            finally:
                client.close()
    except (BotoCoreError, ClientError) as exc:
        variable = current.variable if current else "secrets"
        raise ConfigError(f"{variable}: cannot read it ({exc})") from None


def _from_ssm(client: Any, refs: list[Reference]) -> None:
    names = sorted({ref.name for ref in refs})
    found: dict[str, str] = {}
    for start in range(0, len(names), _BATCH):
        answer = client.get_parameters(Names=names[start : start + _BATCH], WithDecryption=True)
        found |= {param["Name"]: param["Value"] for param in answer.get("Parameters", [])}
    for ref in refs:
        _cache[_cache_key(ref)] = found.get(ref.name)


def _from_secrets_manager(client: Any, ref: Reference) -> str | None:
    from botocore.exceptions import ClientError

    try:
        secret = client.get_secret_value(SecretId=ref.name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    text = str(secret.get("SecretString") or "")
    if ref.key is None:
        return text
    try:
        value = json.loads(text)[ref.key]
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"{ref.variable}: the secret has no JSON key {ref.key!r}") from None
    return str(value)
