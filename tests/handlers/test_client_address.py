"""One rule for the client's address on every platform: the four Lambda event sources as
Mangum turns them into ASGI scopes, and a uvicorn-style peer, with and without trusted
proxies. A client writing its own ``X-Forwarded-For`` never chooses its address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lambda_events import KINDS, scope_for

from fieldedge.http.middleware.client_address import client_address, trusted_networks
from fieldedge.ports.database import Database
from fixtures.app import open_api

SPOOF = "6.6.6.6"
CLIENT = "203.0.113.9"


@pytest.mark.parametrize("kind", KINDS)
def test_the_platforms_address_wins_over_a_forged_header(kind: str) -> None:
    scope = scope_for(kind, headers={"x-forwarded-for": SPOOF}, source_ip=CLIENT)
    assert client_address(scope, ()) == CLIENT
    plain = scope_for(kind, source_ip="2001:db8::7")
    assert client_address(plain, ()) == "2001:db8::7"


def test_mangum_alone_would_pass_the_whole_header_on_alb() -> None:
    scope = scope_for("alb", headers={"x-forwarded-for": SPOOF}, source_ip=CLIENT)
    assert scope["client"][0] == f"{SPOOF}, {CLIENT}"  # what this rule is there to fix


@pytest.mark.parametrize("kind", KINDS)
def test_behind_a_trusted_proxy_the_right_most_untrusted_hop(kind: str) -> None:
    # A CDN (trusted, 198.51.100.0/24) in front: the platform saw the CDN, the CDN
    # appended the client, and whatever the client wrote is further left.
    scope = scope_for(
        kind, headers={"x-forwarded-for": f"{SPOOF}, {CLIENT}"}, source_ip="198.51.100.20"
    )
    assert client_address(scope, trusted_networks(["198.51.100.0/24"])) == CLIENT
    assert client_address(scope, ()) == "198.51.100.20"  # not trusted: the CDN is the client


def test_a_chain_of_trusted_proxies_and_junk_in_the_header() -> None:
    networks = trusted_networks(["10.0.0.0/8", "192.0.2.1"])
    scope = scope_for(
        "alb", headers={"x-forwarded-for": f"{SPOOF}, {CLIENT}, 192.0.2.1"}, source_ip="10.1.2.3"
    )
    assert client_address(scope, networks) == CLIENT
    junk = scope_for("alb", headers={"x-forwarded-for": "not-an-ip"}, source_ip="10.1.2.3")
    assert client_address(junk, networks) == "10.1.2.3"  # nothing better than the proxy
    everyone_trusted = scope_for("http_v2", source_ip="10.9.9.9")
    assert client_address(everyone_trusted, networks) == "10.9.9.9"


def test_a_uvicorn_peer_and_its_forwarded_header() -> None:
    scope = {
        "type": "http",
        "client": ("127.0.0.1", 5555),
        "headers": [(b"x-forwarded-for", f"{SPOOF}, {CLIENT}:443".encode())],
    }
    assert client_address(scope, ()) == "127.0.0.1"
    assert client_address(scope, trusted_networks(["127.0.0.1"])) == CLIENT
    assert client_address({"type": "http", "client": None, "headers": []}, ()) is None


async def test_the_app_logs_and_limits_by_that_address(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = {"trusted_proxies": ["127.0.0.1"], "rate_auth_ip_per_min": 2}
    async with open_api(db, tmp_path, **settings) as api:  # httpx's ASGI peer: 127.0.0.1
        statuses = []
        for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
            response = await api.client.post(
                "/api/v1/auth/login",
                json={"email": f"x@{forged}.example", "password": "a-long-enough-passphrase"},
                headers={"x-forwarded-for": f"{forged}, {CLIENT}"},
            )
            statuses.append(response.status_code)
    assert statuses == [401, 401, 429]  # changing the left-most hop buys nothing
    logged = re.findall(r"client_ip=(\S+)", capsys.readouterr().out)
    assert set(logged) == {CLIENT}
