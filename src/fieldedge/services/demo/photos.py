"""Small real JPEGs for the demo's selfies and receipts: each passes the photo checks
(Pillow made it, so it is whole) and differs by ``seed``, so no two share a hash."""

from __future__ import annotations

import io


def demo_photo(seed: int) -> bytes:
    from PIL import Image  # the photo checks' own dependency, loaded only to seed

    colour = ((seed * 67) % 256, (seed * 131) % 256, (seed * 29 + 90) % 256)
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
