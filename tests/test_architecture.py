"""The layers stay honest: import-linter contracts, and no driver loaded unless chosen."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Loaded only when chosen (drivers) or needed (Pillow, by the first photo checked).
DRIVERS = ("aiosqlite", "asyncpg", "redis", "upstash_redis", "aioboto3", "botocore", "aiobotocore")
DRIVERS += ("PIL",)


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def loaded_after_first_request(env: dict[str, str]) -> set[str]:
    """Import the Lambda handler in a fresh process, answer /api/health/live, list drivers."""
    script = f"""
import json, sys
from fieldedge_handlers.aws_lambda import handler
event = {{"version": "2.0", "routeKey": "$default", "rawPath": "/api/health/live",
  "rawQueryString": "", "headers": {{"host": "x"}}, "isBase64Encoded": False,
  "requestContext": {{"http": {{"method": "GET", "path": "/api/health/live",
  "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4", "userAgent": "t"}}, "stage": "$default",
  "requestId": "r", "routeKey": "$default", "accountId": "1", "apiId": "a",
  "domainName": "x", "domainPrefix": "x", "time": "", "timeEpoch": 0}}}}
assert handler(event, None)["statusCode"] == 200
print(json.dumps(sorted(m for m in {DRIVERS!r} if m in sys.modules)))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_embedded_defaults_load_only_aiosqlite(tmp_path: Path) -> None:
    from fieldedge_adapters.sql.migrations import upgrade

    db = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    asyncio.run(upgrade(db))
    loaded = loaded_after_first_request(
        {
            "FIELDEDGE_ENV": "test",
            "JWT_SECRET": "s" * 40,
            "DATABASE_URL": db,
            "KV_URL": "memory://",
            "STORAGE_URL": f"file://{tmp_path}/storage",
            "MAIL_URL": "console://",
        }
    )
    assert loaded == {"aiosqlite"}
