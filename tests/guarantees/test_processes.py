"""Real server processes: two uvicorns sharing one Postgres and one Redis enforce one
limit between them, and a server whose KV is gone keeps answering on per-instance limits
with health ``degraded`` and one warning, not one per request."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from guarantees.conftest import ROOMY_AUTH_IP, unique_email
from guarantees.servers import PASSWORD, bearer, register, running

pytestmark = pytest.mark.slow
LIMIT = 10


def test_two_processes_on_one_redis_share_one_limit(
    tmp_path: Path, migrated_postgres_url: str, redis_url: str
) -> None:
    env = {
        "DATABASE_URL": migrated_postgres_url,
        "KV_URL": redis_url,
        "RATE_READ_PER_MIN": str(LIMIT),
        "RATE_AUTH_IP_PER_MIN": str(ROOMY_AUTH_IP),
    }
    with running(tmp_path, "a", **env) as a, running(tmp_path, "b", **env) as b:
        token = register(a.base, unique_email("admin"))
        statuses: list[tuple[str, int]] = []
        with httpx.Client(timeout=10, headers=bearer(token)) as client:
            for n in range(3 * LIMIT):  # bounded; stops at the first refusal
                server = (a, b)[n % 2]
                response = client.get(f"{server.base}/api/v1/company")
                statuses.append((server.base, response.status_code))
                assert response.headers["ratelimit-limit"] == str(LIMIT)
                if response.status_code == 429:
                    assert int(response.headers["retry-after"]) >= 1
                    assert response.json()["error"]["code"] == "RATE_LIMITED"
                    break
            # Both instances refuse now: the window is the same one.
            for server in (a, b):
                assert client.get(f"{server.base}/api/v1/company").status_code == 429
        allowed = [base for base, status in statuses if status == 200]
        assert len(allowed) == LIMIT  # not 2 x LIMIT
        assert set(allowed) == {a.base, b.base}  # both really served
        for server in (a, b):
            health = httpx.get(f"{server.base}/api/health", timeout=10).json()["data"]
            assert health["status"] == "healthy"
            assert health["services"]["kv"]["fallbackLimiter"] is False
            assert health["services"]["kv"]["breaker"] == "closed"


def test_with_the_kv_gone_every_route_answers_on_per_instance_limits(
    tmp_path: Path, closed_port_url: str
) -> None:
    from fieldedge_adapters.sql.migrations import upgrade
    from fixtures.database import run_async

    database = f"sqlite+aiosqlite:///{tmp_path}/outage.db"
    run_async(lambda: upgrade(database))
    dead_kv = f"redis://127.0.0.1:{urlsplit(closed_port_url).port}/0"
    env = {"DATABASE_URL": database, "KV_URL": dead_kv, "RATE_READ_PER_MIN": str(LIMIT)}
    with running(tmp_path, "outage", **env) as server, httpx.Client(timeout=10) as client:
        email = unique_email("admin")
        token = register(server.base, email)

        login = {"email": email, "password": PASSWORD}
        logins = [client.post(f"{server.base}/api/v1/auth/login", json=login) for _ in range(6)]
        assert [r.status_code for r in logins] == [200] * 5 + [429]  # still 5 a minute
        assert logins[-1].json()["error"]["code"] == "RATE_LIMITED"
        assert int(logins[-1].headers["retry-after"]) >= 1

        reads = [
            client.get(f"{server.base}/api/v1/company", headers=bearer(token))
            for _ in range(LIMIT + 2)
        ]
        assert [r.status_code for r in reads] == [200] * LIMIT + [429] * 2
        assert reads[0].headers["ratelimit-remaining"] == str(LIMIT - 1)
        patched = client.patch(
            f"{server.base}/api/v1/company", json={"name": "Still Serving"}, headers=bearer(token)
        )
        assert patched.status_code == 200

        response = client.get(f"{server.base}/api/health")
        assert response.status_code == 200
        health = response.json()["data"]
        assert health["status"] == "degraded"
        assert health["services"]["kv"]["status"] == "down"
        assert health["services"]["kv"]["fallbackLimiter"] is True
        assert health["services"]["kv"]["breaker"] == "open"  # later calls fail fast
        assert health["services"]["database"]["status"] == "up"
        assert health["services"]["database"]["breaker"] is None

        assert len(server.events("ratelimit.fallback")) == 1  # once, not per request
        assert len(server.events("breaker.open")) == 1


def test_an_idempotency_key_used_on_one_process_replays_on_the_other(
    tmp_path: Path, migrated_postgres_url: str, redis_url: str
) -> None:
    env = {
        "DATABASE_URL": migrated_postgres_url,
        "KV_URL": redis_url,
        "RATE_AUTH_IP_PER_MIN": str(ROOMY_AUTH_IP),
    }
    with running(tmp_path, "a", **env) as a, running(tmp_path, "b", **env) as b:
        token = register(a.base, unique_email("admin"))
        body = {
            "name": "Rep",
            "email": unique_email("rep"),
            "role": "SALES_REP",
            "password": PASSWORD,
        }
        headers = {**bearer(token), "Idempotency-Key": "across-processes"}
        with httpx.Client(timeout=10) as client:
            first = client.post(f"{a.base}/api/v1/users", json=body, headers=headers)
            again = client.post(f"{b.base}/api/v1/users", json=body, headers=headers)
            listed = client.get(f"{b.base}/api/v1/users?role=SALES_REP", headers=bearer(token))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert [user["email"] for user in listed.json()["data"]] == [body["email"]]
