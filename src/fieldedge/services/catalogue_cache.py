"""Cache-aside for catalogue lists in the KV, invalidated by a version number, not deletes.

The tenant's catalogue version lives at ``fe:{companyId}:products:ver``; each cached page
sits under ``fe:{companyId}:products:v{n}:{query}``. A product write bumps the version
(``incr``) after its commit, so every process, on its next read, looks under the new
version and never sees a page cached before the write; the old pages age out by TTL.

A reader takes the version *before* reading the database: a page filled from a read
that raced a write lands under the old version, which nobody reads any more.

The KV is a cache, never a dependency: when it is down a read falls through to the
database and a write's bump is skipped with a warning. Entries carry ``TTL_S`` so even a
lost bump (KV down at the moment of a write, or the version key evicted) is stale for
at most that long. Pages are stored as JSON text: the Upstash adapter stores UTF-8 only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import structlog

from fieldedge.domain.products import Product
from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.kv import KeyValue
from fieldedge.services.pagination import Page

log = structlog.get_logger("fieldedge.catalogue")

TTL_S = 300.0


def version_key(company_id: UUID) -> str:
    return f"fe:{company_id}:products:ver"


def page_key(company_id: UUID, version: int, query: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:32]
    return f"fe:{company_id}:products:v{version}:{digest}"


def _dump(page: Page[Product]) -> bytes:
    items = [product.model_dump(mode="json") for product in page.items]
    body = {"items": items, "limit": page.limit, "next": page.next_cursor}
    return json.dumps(body, separators=(",", ":")).encode()


def _load(raw: bytes) -> Page[Product]:
    body = json.loads(raw.decode())
    items = [Product.model_validate(item) for item in body["items"]]
    return Page(items=items, limit=body["limit"], next_cursor=body["next"])


async def cached_page(
    kv: KeyValue,
    company_id: UUID,
    query: dict[str, Any],
    load: Callable[[], Awaitable[Page[Product]]],
) -> Page[Product]:
    """The page for ``query`` from the cache, or from ``load()`` (then cached)."""
    try:
        raw_version = await kv.get(version_key(company_id))
        version = int(raw_version) if raw_version else 0
        key = page_key(company_id, version, query)
        hit = await kv.get(key)
    except DependencyUnavailable:
        log.warning("catalogue.cache_unavailable", kv=kv.name, step="read")
        return await load()
    if hit is not None:
        return _load(hit)
    page = await load()
    try:
        await kv.set(key, _dump(page), ttl_s=TTL_S)
    except DependencyUnavailable:
        log.warning("catalogue.cache_unavailable", kv=kv.name, step="fill")
    return page


async def invalidate(kv: KeyValue, company_id: UUID) -> None:
    """Move the tenant to a new catalogue version (call after the write committed)."""
    try:
        await kv.incr(version_key(company_id))
    except DependencyUnavailable:
        log.warning("catalogue.invalidate_skipped", kv=kv.name, company_id=str(company_id))
