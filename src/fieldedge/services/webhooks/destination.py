"""Where a webhook may go: checked when an ADMIN subscribes and again before every send
(a name's DNS can change between the two). Every address the name resolves to must be
public; the one connected to is one of those checked (``WebhookSender.post``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fieldedge.domain.webhooks import address_refusal, url_refusal
from fieldedge.errors import ValidationFailed
from fieldedge.ports.webhooks import WebhookFailed
from fieldedge.services.deps import Deps


def _refused(reason: str) -> ValidationFailed:
    return ValidationFailed(details={"url": [reason]})


async def checked_address(url: str, deps: Deps) -> str:
    """An address of ``url``'s host that fieldedge may connect to; 422 naming ``url``
    otherwise (HTTP only outside production; loopback only where the settings allow)."""
    settings = deps.settings
    refusal = url_refusal(url, allow_http=settings.fieldedge_env != "prod")
    if refusal is not None:
        raise _refused(refusal)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await deps.webhooks.resolve(parts.hostname or "", port)
    except WebhookFailed:
        raise _refused("The host does not resolve.") from None
    if not addresses:
        raise _refused("The host does not resolve.")
    for address in addresses:
        refusal = address_refusal(address, allow_loopback=settings.webhook_allow_loopback)
        if refusal is not None:
            raise _refused(refusal)
    return addresses[0]
