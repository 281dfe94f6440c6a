"""The Cloud Run entry, run exactly as the container runs it: ``$PORT``, proxy headers from
trusted proxies only, and SIGTERM during a slow request (it finishes, then exit 0 within 10 s)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fieldedge.signing import signed_file_url, storage_signing_key
from fieldedge_adapters.sql.migrations import upgrade
from fixtures.services import free_port

pytestmark = pytest.mark.slow  # starts processes: run first (tests/conftest.py)

SECRET = "cloudrun-test-secret-" + "c" * 32
CMD = [sys.executable, "-m", "fieldedge_handlers.cloudrun"]  # the Dockerfile's CMD


def start(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], str]:
    database = f"sqlite+aiosqlite:///{tmp_path}/cr.db"
    asyncio.run(upgrade(database))
    port = free_port()
    process = subprocess.Popen(
        CMD,
        env={
            **os.environ,
            "PORT": str(port),
            "FIELDEDGE_ENV": "prod",
            "JWT_SECRET": SECRET,
            "DATABASE_URL": database,
            "STORAGE_URL": f"file://{tmp_path}/storage",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):  # bounded: 10 s
        try:
            if httpx.get(f"{base}/api/health/live", timeout=0.5).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(process.communicate()[1])


def access_lines(stdout: str) -> list[dict[str, object]]:
    return [
        line
        for line in (json.loads(raw) for raw in stdout.splitlines() if raw.startswith("{"))
        if line.get("event") == "request"
    ]


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize(
    ("trusted", "expected"), [("127.0.0.1", "198.51.100.7"), ("", "127.0.0.1")]
)
def test_port_and_proxy_headers(
    tmp_path: Path, stop: list[subprocess.Popen[str]], trusted: str, expected: str
) -> None:
    process, base = start(tmp_path, TRUSTED_PROXIES=trusted)
    stop.append(process)
    response = httpx.get(f"{base}/api/health", headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 200
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    health = [line for line in access_lines(stdout) if line["route"] == "/api/health"]
    assert health[0]["client_ip"] == expected


def test_sigterm_lets_a_slow_request_finish_then_exits_zero(
    tmp_path: Path, stop: list[subprocess.Popen[str]]
) -> None:
    process, base = start(tmp_path)
    stop.append(process)
    key = storage_signing_key(SECRET)
    url = signed_file_url(
        base,
        key,
        method="PUT",
        key="c/v/slow.png",
        expires=int(time.time()) + 60,
        content_type="image/png",
    )
    first_chunk_sent = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield b"\x89PNG\r\n\x1a\n"
        first_chunk_sent.set()
        for _ in range(15):  # ~1.5 s of upload after SIGTERM
            time.sleep(0.1)
            yield b"x" * 1024

    result: dict[str, int] = {}

    def upload() -> None:
        response = httpx.put(
            url, content=slow_body(), headers={"content-type": "image/png"}, timeout=20
        )
        result["status"] = response.status_code

    uploader = threading.Thread(target=upload)
    uploader.start()
    assert first_chunk_sent.wait(10)
    time.sleep(0.2)
    signalled = time.monotonic()
    process.send_signal(signal.SIGTERM)
    uploader.join(20)
    process.communicate(timeout=10)
    assert result.get("status") == 200
    assert process.returncode == 0
    assert time.monotonic() - signalled < 10
    assert (tmp_path / "storage" / "c" / "v" / "slow.png").stat().st_size == 8 + 15 * 1024
