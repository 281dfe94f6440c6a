"""A report as a PNG bar chart, drawn with Pillow (already the photo checks' dependency,
so the Lambda bundle carries nothing more; matplotlib and numpy would not fit its 50 MB).

Imported only by a ``?format=png`` request (``reports._png``): Pillow stays out of cold
start, as ``tests/http/test_reports.py`` and ``tests/test_architecture.py`` check.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 960, 540
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 110, 30, 50, 110
BAR, GRID, INK, BACKGROUND = (37, 99, 235), (226, 232, 240), (15, 23, 42), (255, 255, 255)
TICKS = 5


def _nice_top(peak: int) -> int:
    """The axis top: the peak rounded up to 1, 2 or 5 times a power of ten."""
    if peak <= 0:
        return 1
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= peak:
                return step * scale
        scale *= 10


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int], y_label: str,
              ticks: Sequence[str] | None = None) -> bytes:  # fmt: skip
    """A PNG of ``WIDTH`` x ``HEIGHT``: one bar per label, a gridded y axis from 0."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    big = ImageFont.load_default(size=18)
    draw.text((MARGIN_LEFT, 14), title, fill=INK, font=big)
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    peak = _nice_top(max(values, default=0))
    for i in range(TICKS + 1):
        y = bottom - (bottom - top) * i / TICKS
        draw.line([(left, y), (right, y)], fill=GRID)
        text = ticks[i] if ticks is not None else f"{peak * i // TICKS:,}"
        draw.text((left - 8, y), text, fill=INK, font=font, anchor="rm")
    draw.text((14, top - 24), y_label, fill=INK, font=font)
    if values:
        slot = (right - left) / len(values)
        width = max(1.0, slot * 0.7)
        every = max(1, len(values) // 40)  # at most 40 labels fit under the axis
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            x = left + slot * i + (slot - width) / 2
            height = (bottom - top) * value / peak
            if value > 0:
                draw.rectangle([(x, bottom - height), (x + width, bottom)], fill=BAR)
            if i % every == 0:
                place = (x + width / 2, bottom + 6)
                short = _short(label, 16)
                label_image = Image.new("RGBA", (120, 16), (0, 0, 0, 0))
                ImageDraw.Draw(label_image).text((120, 8), short, fill=INK, font=font,
                                                 anchor="rm")  # fmt: skip
                rotated = label_image.rotate(45, expand=True)
                image.paste(rotated, (int(place[0] - rotated.width), int(place[1])), rotated)
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
