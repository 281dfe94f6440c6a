"""Photo type detection from the bytes, the size cap and the storage key."""

from __future__ import annotations

import struct
import zlib
from uuid import UUID

import pytest

from fieldedge.domain.photos import (
    JPEG,
    MAX_PHOTO_BYTES,
    PNG,
    WEBP,
    ImageType,
    check_photo,
    declared_image_type,
    photo_key,
    sniff_image,
)
from fieldedge.errors import PayloadTooLarge, UnsupportedMediaType


def png_1x1() -> bytes:
    """A real, decodable 1x1 PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00"  # JFIF APP0, as cameras write
JPEG_EXIF_HEAD = b"\xff\xd8\xff\xe1\x12\x34Exif\x00\x00"  # EXIF APP1, as phones write
WEBP_HEAD = b"RIFF" + struct.pack("<I", 1234) + b"WEBPVP8 "

SAMPLES = [(png_1x1(), PNG), (JPEG_HEAD, JPEG), (JPEG_EXIF_HEAD, JPEG), (WEBP_HEAD, WEBP)]


@pytest.mark.parametrize(("data", "expected"), SAMPLES)
def test_each_type_is_known_by_its_bytes(data: bytes, expected: ImageType) -> None:
    assert sniff_image(data) == expected
    assert check_photo(data, len(data)) == expected


@pytest.mark.parametrize(("data", "minimum"), [(png_1x1(), 8), (JPEG_HEAD, 3), (WEBP_HEAD, 12)])
def test_a_truncated_header_is_no_image(data: bytes, minimum: int) -> None:
    for cut in range(minimum):
        assert sniff_image(data[:cut]) is None


@pytest.mark.parametrize(
    "data",
    [
        b"hello, I am text pretending to be a PNG",
        b"%PDF-1.7\n",
        b"GIF89a\x01\x00\x01\x00",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # a RIFF that is audio
        b"\x89PNX\r\n\x1a\n....",
        b"",
    ],
)
def test_anything_else_is_refused_whatever_its_label(data: bytes) -> None:
    assert sniff_image(data) is None
    with pytest.raises(UnsupportedMediaType) as caught:
        check_photo(data, len(data))
    assert (caught.value.status, caught.value.code) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_the_real_type_wins_over_the_label() -> None:
    assert declared_image_type("image/png") == PNG
    assert check_photo(JPEG_HEAD, 5_000).content_type == "image/jpeg"


def test_ten_mib_is_the_limit() -> None:
    assert check_photo(JPEG_HEAD, MAX_PHOTO_BYTES) == JPEG
    with pytest.raises(PayloadTooLarge) as caught:
        check_photo(JPEG_HEAD, MAX_PHOTO_BYTES + 1)
    assert caught.value.status == 413
    with pytest.raises(PayloadTooLarge):
        check_photo(b"not even an image", 11 * 1024 * 1024)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("image/jpeg", JPEG),
        ("IMAGE/WEBP; charset=binary", WEBP),
        ("image/gif", None),
        ("text/plain", None),
    ],
)
def test_declared_types(header: str, expected: ImageType | None) -> None:
    assert declared_image_type(header) == expected


def test_keys_are_tenant_prefixed() -> None:
    company, visit, photo = UUID(int=1), UUID(int=2), UUID(int=3)
    assert photo_key(company, visit, photo, "webp") == (
        "00000000-0000-0000-0000-000000000001/visits/"
        "00000000-0000-0000-0000-000000000002/00000000-0000-0000-0000-000000000003.webp"
    )
