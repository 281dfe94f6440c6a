"""``infra/ssm_params.py`` against SSM (moto's server over real HTTP): a stage missing
parameters is refused with their names; once they exist the check passes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts processes: run first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "infra/ssm_params.py"
REQUIRED = {
    "database-url", "database-url-direct", "kv-url", "storage-url", "mail-url", "mail-from",
    "jwt-secret", "cors-origins", "public-base-url", "app-base-url",
}  # fmt: skip


def ssm_params(*args: str, endpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    extra = ["--endpoint-url", endpoint, "--region", "eu-west-1"] if endpoint else []
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),  # moto_server's fake credentials
        check=False,
    )


def test_names_lists_the_stage_parameters_from_serverless_yml() -> None:
    result = ssm_params("names", "--stage", "prod")
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    required = {name.split("/")[-1] for name, _, kind, _ in rows if kind == "required"}
    assert required == REQUIRED
    # A secret is read by the function at run time; a plain URL is resolved at deploy.
    assert ["/fieldedge/prod/jwt-secret", "JWT_SECRET", "required", "runtime"] in rows
    assert ["/fieldedge/prod/storage-url", "STORAGE_URL", "required", "deploy"] in rows


def test_a_stage_without_its_parameters_is_refused_naming_each(moto_server: str) -> None:
    stage = f"t{uuid.uuid4().hex[:8]}"
    result = ssm_params("check", "--stage", stage, endpoint=moto_server)
    assert result.returncode == 1, result.stderr
    assert f"stage '{stage}' is missing {len(REQUIRED)} SSM parameter(s)" in result.stdout
    for name in REQUIRED:
        assert f"/fieldedge/{stage}/{name} " in result.stdout


def test_only_the_missing_ones_are_named_and_a_complete_stage_passes(moto_server: str) -> None:
    from fixtures.aws import boto3_client

    stage = f"t{uuid.uuid4().hex[:8]}"
    client = boto3_client("ssm", moto_server)
    try:
        for name in REQUIRED - {"jwt-secret"}:
            client.put_parameter(Name=f"/fieldedge/{stage}/{name}", Value="v", Type="String")
    finally:
        client.close()
    partial = ssm_params("check", "--stage", stage, endpoint=moto_server)
    assert partial.returncode == 1
    assert f"/fieldedge/{stage}/jwt-secret  (for JWT_SECRET)" in partial.stdout
    assert "is missing 1 SSM parameter(s)" in partial.stdout

    filled = ssm_params("put-placeholders", "--stage", stage, endpoint=moto_server)
    assert filled.returncode == 0, filled.stderr
    complete = ssm_params("check", "--stage", stage, endpoint=moto_server)
    assert complete.returncode == 0, complete.stdout
    assert f"stage '{stage}' has all {len(REQUIRED)} required parameters" in complete.stdout


def test_an_unreachable_ssm_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    result = ssm_params("check", "--stage", "prod", endpoint="http://127.0.0.1:9")
    assert result.returncode == 2
    assert result.stderr.startswith("ssm_params: SSM refused or could not be reached")
    assert "Traceback" not in result.stderr
