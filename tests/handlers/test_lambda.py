"""The Lambda handler answers all four event kinds, binary bodies included, warm and cold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts processes: run first (tests/conftest.py)

HERE = Path(__file__).resolve().parent


def run_driver(database_url: str, tmp_path: Path) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": "lambda-test-secret-" + "k" * 32,
        "DATABASE_URL": database_url,
        "KV_URL": "memory://",
        "STORAGE_URL": f"file://{tmp_path}/storage",
        "MAIL_URL": "console://",
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, str(HERE / "lambda_driver.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Event loop is closed" not in result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_event_kind_through_the_handler(database_url: str, tmp_path: Path) -> None:
    results = run_driver(database_url, tmp_path)
    assert [r["kind"] for r in results] == ["rest_v1", "http_v2", "function_url", "alb"] * 2
    for result in results:
        assert result["health"] == 200, result
        assert result["healthBody"]["data"]["services"]["database"]["status"] == "up"
        assert result["healthHeaders"]["x-content-type-options"] == "nosniff"
        assert result["healthHeaders"]["x-request-id"] == result["healthBody"]["meta"]["requestId"]
        assert result["put"] == 200, result
        assert result["get"] == 200, result
        assert result["roundTrip"] is True, result
        assert result["app"] == 200, result
        assert result["icon"] is True, result


def test_a_schema_behind_the_code_is_a_503_naming_the_command(tmp_path: Path) -> None:
    script = (
        "import json\n"
        "from lambda_events import KINDS, event\n"
        "from fieldedge_handlers.aws_lambda import handler\n"
        "print(json.dumps([handler(event(k, 'GET', '/api/v1/auth/me'), None) for k in KINDS]))\n"
    )
    env = {
        **os.environ,
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": "lambda-test-secret-" + "k" * 32,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/never-migrated.db",
        "STORAGE_URL": f"file://{tmp_path}/storage",
        "LOG_LEVEL": "ERROR",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for answer in json.loads(result.stdout.strip().splitlines()[-1]):
        assert answer["statusCode"] == 503
        error = json.loads(answer["body"])["error"]
        assert error["code"] == "SERVICE_UNAVAILABLE"
        assert "fieldedge migrate up" in error["message"]
