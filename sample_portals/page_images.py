"""The page images of the sample 图片版 report: its printed text rendered in a CJK font, as a scan shows it.

A 图片版 page is only images, so the report's words exist only as pixels; the crawl reads them back by
OCR. Rendering real text (not a striped placeholder) is what lets a test prove a sentence of the report
survives. The font is Debian's Noto Sans CJK (package fonts-noto-cjk, installed by `make test`), found by
its file name in the system font folders; without it the images are placeholders and the build says so.
"""

from __future__ import annotations

import io
import sys

__all__ = ["FONT_FILE", "page_image_bytes"]

FONT_FILE = "NotoSansCJK-Regular.ttc"
WIDTH = 900
MARGIN = 40
SIZE = 26  # pixels per character: a 150 dpi scan of 12 pt print
LEADING = 46


def _font():
    from PIL import ImageFont

    try:
        return ImageFont.truetype(FONT_FILE, SIZE)
    except OSError:
        return None


def _wrap(line: str, per_line: int) -> list[str]:
    return [line[i : i + per_line] for i in range(0, len(line), per_line)] or [""]


def page_image_bytes(lines: list[str]) -> bytes | None:
    """A greyscale PNG of the lines, wrapped to the page width; None (and a message on stderr) when
    the CJK font is not installed, so the caller can fall back to a placeholder."""
    from PIL import Image, ImageDraw

    font = _font()
    if font is None:
        print(
            f"sample_portals: font {FONT_FILE} not found (apt-get install fonts-noto-cjk): "
            "图片版 page images are placeholders without text",
            file=sys.stderr,
        )
        return None
    per_line = (WIDTH - 2 * MARGIN) // SIZE
    wrapped = [w for line in lines for w in _wrap(line, per_line)]
    image = Image.new("L", (WIDTH, 2 * MARGIN + LEADING * len(wrapped)), 255)
    draw = ImageDraw.Draw(image)
    for n, text in enumerate(wrapped):
        draw.text((MARGIN, MARGIN + n * LEADING), text, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
