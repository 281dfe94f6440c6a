"""Outbound mail, chosen by ``MAIL_URL``; aioboto3 is imported only for ``ses://``.

- ``console://``: the whole message is logged (development).
- ``ses://REGION?from=addr&endpoint_url=...``: Amazon SES v2; ``from`` overrides the
  configured sender; credentials are ``credentials`` (``MAIL_ACCESS_KEY_ID`` /
  ``MAIL_SECRET_ACCESS_KEY``) or else the usual AWS chain, never the URL.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fieldedge.errors import ConfigError
from fieldedge.ports.mail import Mailer

_SES_PARAMS = frozenset({"from", "endpoint_url"})


def mailer_from_url(
    url: str, *, sender: str, timeout_s: float, credentials: tuple[str, str] | None = None
) -> Mailer:
    parts = urlsplit(url)
    if parts.scheme == "console":
        from fieldedge_adapters.mail.console import ConsoleMailer

        return ConsoleMailer(sender=sender)
    if parts.scheme == "ses":
        region = parts.netloc
        if not region:
            raise ConfigError("MAIL_URL: ses:// needs a region, e.g. ses://eu-west-1")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        unknown = sorted(set(query) - _SES_PARAMS)
        if unknown:
            raise ConfigError(
                f"MAIL_URL: unknown parameter(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(_SES_PARAMS))})"
            )
        from fieldedge_adapters.mail.ses import SesMailer
        from fieldedge_adapters.storage.aws_client import AwsClient

        aws = AwsClient(
            "sesv2",
            dependency="mail",
            timeout_s=timeout_s,
            region=region,
            endpoint_url=query.get("endpoint_url"),
            credentials=credentials,
        )
        return SesMailer(aws, sender=query.get("from") or sender)
    raise ConfigError(f"MAIL_URL: unsupported scheme {parts.scheme!r} (use console or ses)")
