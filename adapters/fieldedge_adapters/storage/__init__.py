"""Object storage, chosen by ``STORAGE_URL``; aioboto3 is imported only for ``s3://``.

- ``file://./var/storage`` or ``file:///abs/path``: local disk, presigned URLs served by
  the API itself (``/api/files/...``, HMAC-signed).
- ``s3://bucket?endpoint_url=...&region=...&addressing_style=path|virtual``: S3, R2 or
  MinIO. Credentials are ``credentials`` (``STORAGE_ACCESS_KEY_ID`` /
  ``STORAGE_SECRET_ACCESS_KEY``: R2's keys beside SES mail on the AWS role) or else the
  usual AWS chain (``AWS_ACCESS_KEY_ID``…, the Lambda / Cloud Run role), never the URL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fieldedge.errors import ConfigError
from fieldedge.ports.storage import ObjectStore

_S3_PARAMS = frozenset({"endpoint_url", "region", "addressing_style"})


def storage_from_url(
    url: str,
    *,
    timeout_s: float,
    signing_key: bytes,
    public_base_url: str,
    credentials: tuple[str, str] | None = None,
) -> ObjectStore:
    parts = urlsplit(url)
    if parts.scheme == "file":
        # file://./var/storage puts "." in the netloc; file:///srv/x has an empty one.
        host = "" if parts.netloc in ("", "localhost") else parts.netloc
        root = host + parts.path
        if not root:
            raise ConfigError("STORAGE_URL: file:// needs a directory, e.g. file://./var/storage")
        from fieldedge_adapters.storage.file import FileStore

        return FileStore(Path(root), signing_key=signing_key, public_base_url=public_base_url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ConfigError("STORAGE_URL: s3:// needs a bucket, e.g. s3://my-bucket")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        unknown = sorted(set(query) - _S3_PARAMS)
        if unknown:
            raise ConfigError(
                f"STORAGE_URL: unknown parameter(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(_S3_PARAMS))})"
            )
        endpoint_url = query.get("endpoint_url")
        # A custom endpoint (R2, MinIO, a local server) rarely has per-bucket DNS.
        style = query.get("addressing_style") or ("path" if endpoint_url else None)
        if style not in (None, "path", "virtual"):
            raise ConfigError("STORAGE_URL: addressing_style must be path or virtual")
        from fieldedge_adapters.storage.aws_client import AwsClient
        from fieldedge_adapters.storage.s3 import S3Store

        aws = AwsClient(
            "s3",
            dependency="storage",
            timeout_s=timeout_s,
            region=query.get("region"),
            endpoint_url=endpoint_url,
            s3_addressing_style=style,
            credentials=credentials,
        )
        return S3Store(parts.netloc, aws)
    raise ConfigError(f"STORAGE_URL: unsupported scheme {parts.scheme!r} (use file or s3)")
