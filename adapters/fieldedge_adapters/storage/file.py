"""Object storage on local disk: the embedded default, and the fake the tests trust.

Layout under the root: the object at ``{root}/{key}`` and its content type in a hidden
sidecar ``{dir}/.{name}.type`` (keys cannot have dot segments, so sidecars and temp files
never collide with objects). Every write goes to a temp file then ``os.replace``, so a
reader sees the old object or the new one, never half of one. Disk calls run in a
thread so a slow disk never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fieldedge.errors import Conflict, DependencyUnavailable, NotFound
from fieldedge.ports.storage import ObjectInfo, PresignedUpload, StoredObject
from fieldedge.signing import signed_file_url
from fieldedge_adapters.storage.keys import check_content_type, check_key

DEFAULT_TYPE = "application/octet-stream"

T = TypeVar("T")


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FileStore:
    def __init__(self, root: Path, *, signing_key: bytes, public_base_url: str) -> None:
        self._root = root.resolve()
        self._signing_key = signing_key
        self._public_base_url = public_base_url

    @property
    def name(self) -> str:
        return "file"

    @property
    def root(self) -> Path:
        return self._root

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*check_key(key).split("/"))

    @staticmethod
    def _type_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.type")

    def _info(self, key: str, path: Path) -> ObjectInfo:
        size = path.stat().st_size  # raises FileNotFoundError for a missing key
        try:
            content_type = self._type_path(path).read_text("utf-8").strip() or DEFAULT_TYPE
        except FileNotFoundError:
            content_type = DEFAULT_TYPE
        return ObjectInfo(key=key, size=size, content_type=content_type)

    async def put(self, key: str, data: bytes, *, content_type: str) -> ObjectInfo:
        path = self._path(key)
        check_content_type(content_type)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(self._type_path(path), content_type.encode())
            _write_atomic(path, data)

        await self._run(write, key, writing=True)
        return ObjectInfo(key=key, size=len(data), content_type=content_type)

    async def get(self, key: str) -> StoredObject:
        path = self._path(key)

        def read() -> StoredObject:
            info = self._info(key, path)
            return StoredObject(info=info, data=path.read_bytes())

        return await self._run(read, key)

    async def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        try:
            return await self._run(lambda: self._info(key, path), key)
        except NotFound:
            return None

    async def read_prefix(self, key: str, length: int) -> bytes:
        return await self.read_range(key, 0, length)

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        path = self._path(key)

        def read() -> bytes:
            with path.open("rb") as handle:
                handle.seek(max(start, 0))
                return handle.read(max(length, 0))

        return await self._run(read, key)

    async def delete(self, key: str) -> None:
        path = self._path(key)

        def remove() -> None:
            path.unlink(missing_ok=True)
            self._type_path(path).unlink(missing_ok=True)

        with contextlib.suppress(NotFound):  # deleting what is not there is done, as on S3
            await self._run(remove, key)

    async def presign_put(self, key: str, *, content_type: str, expires_s: int) -> PresignedUpload:
        check_key(key)
        check_content_type(content_type)
        url = signed_file_url(
            self._public_base_url,
            self._signing_key,
            method="PUT",
            key=key,
            expires=int(time.time()) + expires_s,
            content_type=content_type,
        )
        return PresignedUpload(url=url, method="PUT", headers={"Content-Type": content_type})

    async def presign_get(self, key: str, *, expires_s: int) -> str:
        check_key(key)
        expires = int(time.time()) + expires_s
        return signed_file_url(
            self._public_base_url, self._signing_key, method="GET", key=key, expires=expires
        )

    async def ping(self) -> None:
        def probe() -> None:
            self._root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self._root, prefix=".ping-"):
                pass

        try:
            await asyncio.to_thread(probe)
        except OSError as exc:  # any reason the root cannot take a file means "down"
            raise DependencyUnavailable("storage", "Local storage is not writable.") from exc

    async def close(self) -> None:
        """Nothing to release: every call opens and closes its own files."""

    async def _run(self, work: Callable[[], T], key: str, *, writing: bool = False) -> T:
        try:
            return await asyncio.to_thread(work)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, FileExistsError) as exc:
            if writing and not isinstance(exc, FileNotFoundError):
                # "a" is an object and "a/b" is written (or the reverse): S3 allows it,
                # a directory tree cannot, so say so instead of failing as a 503.
                raise Conflict(f"Key {key!r} clashes with another object's path.") from exc
            # Reading "a/b" when "a" is an object (or "a" when it is a directory) is a miss.
            raise NotFound(f"No object at {key!r}.") from exc
        except OSError as exc:
            raise DependencyUnavailable("storage") from exc
