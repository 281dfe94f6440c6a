"""Secrets by name, read at cold start from SSM and Secrets Manager (moto's server over
real HTTP): the values never pass through the environment or a template."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from fieldedge.errors import ConfigError
from fieldedge_handlers.bootstrap import load_settings
from fixtures.aws import boto3_client

SECRET = "a-jwt-secret-from-ssm-" + "z" * 32
DB = "postgresql+asyncpg://app:s3cr3t@db.example.com/app"


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """SSM and Secrets Manager clients on moto, and a unique path for this test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("FIELDEDGE_ENV", "test")
    for name in ("JWT_SECRET", "DATABASE_URL", "UPSTASH_REDIS_REST_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    ssm, manager = boto3_client("ssm", moto_server), boto3_client("secretsmanager", moto_server)
    try:
        yield {"ssm": ssm, "sm": manager, "path": f"/fieldedge/t{uuid.uuid4().hex[:8]}"}
    finally:
        ssm.close()
        manager.close()


def test_settings_come_from_ssm_and_secrets_manager_by_name(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = aws["path"]
    aws["ssm"].put_parameter(Name=f"{path}/jwt-secret", Value=SECRET, Type="SecureString")
    aws["sm"].create_secret(Name=f"{path}/db", SecretString=json.dumps({"url": DB}))
    monkeypatch.setenv("JWT_SECRET_FROM", f"ssm:{path}/jwt-secret")
    monkeypatch.setenv("DATABASE_URL_FROM", f"secretsmanager:{path}/db#url")
    monkeypatch.setenv("UPSTASH_REDIS_REST_TOKEN_FROM", f"ssm:{path}/absent?optional")

    settings = load_settings(_env_file=None)

    assert settings.jwt_key == SECRET
    assert settings.database_url == DB
    assert settings.upstash_redis_rest_token is None
    # Cached for the life of the process: a cold start reads once, warm starts never.
    aws["ssm"].delete_parameter(Name=f"{path}/jwt-secret")
    assert load_settings(_env_file=None).jwt_key == SECRET


def test_a_missing_or_doubly_given_secret_is_one_line(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET_FROM", f"ssm:{aws['path']}/nothing-here")
    with pytest.raises(ConfigError, match=r"JWT_SECRET_FROM: ssm:/fieldedge/.*does not exist"):
        load_settings(_env_file=None)
    monkeypatch.setenv("JWT_SECRET", SECRET)
    with pytest.raises(ConfigError, match="set JWT_SECRET or JWT_SECRET_FROM, not both"):
        load_settings(_env_file=None)
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_FROM", "vault:/somewhere")
    with pytest.raises(ConfigError, match="is not ssm:/path/name"):
        load_settings(_env_file=None)


def test_without_a_name_configured_botocore_is_never_imported(tmp_path: Any) -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from fieldedge_handlers.bootstrap import load_settings\n"
        "load_settings(_env_file=None)\n"
        "print('botocore' in sys.modules)\n"
    )
    env = {"FIELDEDGE_ENV": "test", "JWT_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
