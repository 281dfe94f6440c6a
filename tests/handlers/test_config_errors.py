"""A bad setting stops the process at start with one readable line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts processes: run first (tests/conftest.py)

GOOD = {"FIELDEDGE_ENV": "prod", "JWT_SECRET": "s" * 40}


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_URL") and k != "JWT_SECRET"}
    return subprocess.run(
        args,
        cwd=tmp_path,
        env={**clean, "PORT": "0", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**GOOD, "KV_URL": "memcached://x"}, "KV_URL: unsupported scheme 'memcached'"),
        ({**GOOD, "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL: unsupported scheme 'mysql'"),
        ({**GOOD, "JWT_SECRET": "short"}, "JWT_SECRET: must be at least 32 bytes"),
        ({"FIELDEDGE_ENV": "prod"}, "JWT_SECRET: must be at least 32 bytes"),
        ({**GOOD, "CORS_ORIGINS": "*"}, "CORS_ORIGINS: '*' is not an origin"),
        ({**GOOD, "CORS_ORIGINS": "https://app.example.com/path"}, "is not an origin"),
        ({**GOOD, "KV_URL": "upstash://"}, "UPSTASH_REDIS_REST_URL"),
        ({**GOOD, "DB_POOL_SIZE": "lots"}, "DB_POOL_SIZE"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "fieldedge_handlers.cloudrun"],
        [str(Path(sys.executable).with_name("fieldedge")), "migrate", "status"],
    ],
    ids=["cloudrun", "cli"],
)
def test_bad_setting_is_one_line(
    tmp_path: Path, env: dict[str, str], message: str, command: list[str]
) -> None:
    result = run(command, tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_a_schema_behind_the_code_stops_the_server_naming_the_command(tmp_path: Path) -> None:
    result = run(
        [sys.executable, "-m", "fieldedge_handlers.cloudrun"],
        tmp_path,
        **GOOD,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/empty.db",
    )
    assert result.returncode == 2
    assert "fieldedge migrate up" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
