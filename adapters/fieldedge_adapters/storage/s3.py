"""Object storage on S3 or anything speaking its API (R2, MinIO) through aioboto3.

Presigned URLs go straight to the bucket, so photo bytes never pass through the API
(on Lambda they could not: the request body is capped at 6 MB). The upload URL signs
the ``Content-Type``, so a client cannot store an object under another type than the
one the API agreed to.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from fieldedge.errors import NotFound
from fieldedge.ports.storage import ObjectInfo, PresignedUpload, StoredObject
from fieldedge_adapters.storage.aws_client import AwsClient, error_code
from fieldedge_adapters.storage.keys import check_content_type, check_key

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Store:
    def __init__(self, bucket: str, aws: AwsClient) -> None:
        self._bucket = bucket
        self._aws = aws

    @property
    def name(self) -> str:
        return "s3"

    async def put(self, key: str, data: bytes, *, content_type: str) -> ObjectInfo:
        check_key(key)
        check_content_type(content_type)
        async with self._aws.call() as client:
            await client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=content_type
            )
        return ObjectInfo(key=key, size=len(data), content_type=content_type)

    async def get(self, key: str) -> StoredObject:
        check_key(key)
        async with self._aws.call() as client:
            try:
                response = await client.get_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if error_code(exc) in _MISSING:
                    raise NotFound(f"No object at {key!r}.") from exc
                raise
            async with response["Body"] as body:
                data = await body.read()
        content_type = response.get("ContentType") or "application/octet-stream"
        return StoredObject(ObjectInfo(key=key, size=len(data), content_type=content_type), data)

    async def head(self, key: str) -> ObjectInfo | None:
        check_key(key)
        async with self._aws.call() as client:
            try:
                response = await client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if error_code(exc) in _MISSING:
                    return None
                raise
        return ObjectInfo(
            key=key,
            size=int(response["ContentLength"]),
            content_type=response.get("ContentType") or "application/octet-stream",
        )

    async def read_prefix(self, key: str, length: int) -> bytes:
        return await self.read_range(key, 0, length)

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        check_key(key)
        if length <= 0:
            return b""
        start = max(start, 0)
        async with self._aws.call() as client:
            try:
                response = await client.get_object(
                    Bucket=self._bucket, Key=key, Range=f"bytes={start}-{start + length - 1}"
                )
            except ClientError as exc:
                if error_code(exc) in _MISSING:
                    raise NotFound(f"No object at {key!r}.") from exc
                if error_code(exc) == "InvalidRange":  # at or past the end (or empty)
                    return b""
                raise
            async with response["Body"] as body:
                data: bytes = await body.read()
        return data[:length]

    async def delete(self, key: str) -> None:
        check_key(key)
        async with self._aws.call() as client:
            await client.delete_object(Bucket=self._bucket, Key=key)

    async def presign_put(self, key: str, *, content_type: str, expires_s: int) -> PresignedUpload:
        check_key(key)
        check_content_type(content_type)
        async with self._aws.call() as client:
            url: str = await client.generate_presigned_url(
                "put_object",
                Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=expires_s,
            )
        return PresignedUpload(url=url, method="PUT", headers={"Content-Type": content_type})

    async def presign_get(self, key: str, *, expires_s: int) -> str:
        check_key(key)
        async with self._aws.call() as client:
            url: str = await client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_s
            )
        return url

    async def ping(self) -> None:
        async with self._aws.call() as client:
            await client.head_bucket(Bucket=self._bucket)

    async def close(self) -> None:
        await self._aws.close()
