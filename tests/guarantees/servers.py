"""Real server processes, started exactly as Cloud Run starts the container
(``python -m fieldedge_handlers.cloudrun``), logging to a file the test reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from fixtures.services import free_port

SECRET = "guarantees-test-secret-" + "g" * 32
CMD = [sys.executable, "-m", "fieldedge_handlers.cloudrun"]
PASSWORD = "a-long-enough-passphrase"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log_path: Path

    def events(self, name: str) -> list[dict[str, Any]]:
        """The JSON log lines with ``event == name`` written so far."""
        lines = self.log_path.read_text().splitlines()
        parsed = (json.loads(raw) for raw in lines if raw.startswith("{"))
        return [line for line in parsed if line.get("event") == name]


@contextmanager
def running(tmp_path: Path, name: str, **env: str) -> Iterator[Server]:
    port = free_port()
    log_path = tmp_path / f"{name}.log"
    log: IO[bytes] = log_path.open("wb")
    process = subprocess.Popen(
        CMD,
        env={
            **os.environ,
            "PORT": str(port),
            "FIELDEDGE_ENV": "prod",
            "JWT_SECRET": SECRET,
            "STORAGE_URL": f"file://{tmp_path}/storage",
            "ARGON2_MEMORY_KIB": "1024",
            "ARGON2_TIME_COST": "1",
            **env,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        for _ in range(150):  # bounded: 15 s
            if process.poll() is not None:
                raise AssertionError(log_path.read_text())
            try:
                if httpx.get(f"{server.base}/api/health/live", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"server did not start: {log_path.read_text()}")
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def register(base: str, email: str) -> str:
    """A new company and its ADMIN; the access token."""
    response = httpx.post(
        f"{base}/api/v1/auth/register",
        json={"companyName": "Acme Pharma", "name": "Asha", "email": email, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["accessToken"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
