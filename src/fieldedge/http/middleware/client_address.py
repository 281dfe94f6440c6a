"""Who the client is, decided once per request, the same way on every platform.

``client_address`` is the one rule; the middleware writes its answer into
``scope["client"]``, so the rate limits, the access log and the audit trail all read the
same address (``request.client``):

- API Gateway REST (v1), HTTP APIs (v2) and Function URLs: the ``sourceIp`` AWS puts in
  ``requestContext`` (Mangum passes it as the peer).
- ALB: there is no peer; the balancer appends the address it saw to ``X-Forwarded-For``,
  so the right-most hop is the client (Mangum would pass the whole header, which starts
  with whatever the client wrote).
- uvicorn (laptop, Cloud Run): the TCP peer.

Whenever the address so found is one of ``TRUSTED_PROXIES`` (addresses or networks), the
hops of ``X-Forwarded-For`` are walked from the right and the first untrusted one is the
client; the left-most hop a client writes itself is never believed for what it says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(hop: str) -> str | None:
    """A hop as a plain IP (``[::1]:443`` and ``1.2.3.4:80`` lose their port), or None."""
    hop = hop.strip().strip('"')
    if hop.startswith("[") and "]" in hop:
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def _forwarded_for(scope: Scope) -> list[str]:
    values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
    return [hop for value in values for hop in value.split(",") if hop.strip()]


def _platform_peer(scope: Scope, hops: list[str]) -> str | None:
    """The address the platform vouches for: API Gateway's ``sourceIp``, the hop an ALB
    appended to ``X-Forwarded-For`` (taken off ``hops``), or the TCP peer."""
    event: Any = scope.get("aws.event")
    if isinstance(event, dict):
        context = event.get("requestContext") or {}
        if "elb" in context:
            return _address(hops.pop()) if hops else None
        source = (context.get("http") or {}).get("sourceIp") or (context.get("identity") or {}).get(
            "sourceIp"
        )
        return _address(str(source)) if source else None
    client = scope.get("client")
    return _address(str(client[0])) if client else None


def client_address(scope: Scope, networks: Sequence[Network]) -> str | None:
    """The client's IP address for this request (see the module's rules)."""
    hops = _forwarded_for(scope)
    peer = _platform_peer(scope, hops)
    while peer is not None and hops and _trusted(peer, networks):
        forwarded = _address(hops.pop())
        if forwarded is None:
            break  # a trusted proxy passed on something that is no address: stop at it
        peer = forwarded
    return peer


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str]) -> None:
        self.app = app
        self.networks = trusted_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            address = client_address(scope, self.networks)
            scope["client"] = (address, 0) if address is not None else None
        await self.app(scope, receive, send)
