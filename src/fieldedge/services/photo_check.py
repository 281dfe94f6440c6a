"""Whether an upload really is a whole JPEG, PNG or WebP, read with Pillow.

Magic bytes alone (``check_photo``) take ``FF D8 FF E0`` followed by anything, or a PNG
signature followed by zeros. Here Pillow parses the header (``Image.open`` is lazy: it
reads the format, the size and the mode, no pixels), the dimensions must be present and
sane, and the file must be whole:

- PNG: ``verify()`` walks every chunk to ``IEND`` checking CRCs, without inflating
  the image data.
- JPEG: the end-of-image marker must follow the start of the scan data (a cut-off
  upload has none; ``verify()`` is a no-op for JPEG).
- WebP: libwebp refuses to open a file whose RIFF chunks are cut short.

No image is ever decoded into memory on the request path. Pillow is imported on the
first photo checked, never at cold start.
"""

from __future__ import annotations

import io
import warnings

from fieldedge.domain.photos import JPEG, PNG, SNIFF_BYTES, WEBP, ImageType, check_photo
from fieldedge.errors import UnsupportedMediaType

MAX_SIDE = 20_000  # pixels, either way: beyond any phone camera
MAX_PIXELS = 200_000_000  # a 200 MP sensor's photo; more is a decompression bomb
_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_NOT_AN_IMAGE = "Only JPEG, PNG and WebP photos are accepted."
_EOI = b"\xff\xd9"


def _refuse(why: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(f"{_NOT_AN_IMAGE} This file {why}.")


def inspect_photo(data: bytes) -> ImageType:
    """The type of a whole, sane image in ``data``; 413 when it is over the cap, 415
    when it is not an image we take, or is cut short, or has no sane dimensions."""
    sniffed = check_photo(data[:SNIFF_BYTES], len(data))
    from PIL import Image

    expected = _FORMATS[sniffed]
    try:
        with warnings.catch_warnings():
            # Our own bound below decides; Pillow's warning would only be logged.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                scan_at = image.fp.tell() if image.fp is not None else 0
                if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                    raise _refuse(f"claims to be {width}x{height} pixels")
                if width * height > MAX_PIXELS:
                    raise _refuse(f"has more than {MAX_PIXELS // 1_000_000} megapixels")
                if sniffed is JPEG and data.find(_EOI, scan_at) < 0:
                    raise _refuse("is cut short (no end of image)")
                image.verify()
    except UnsupportedMediaType:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        # UnidentifiedImageError is an OSError; Pillow's parsers raise SyntaxError too.
        raise _refuse(f"is not a whole {expected} image") from None
    return sniffed
