"""An image-only PDF made from a text PDF, the way a scanner leaves a printed report.

pypdfium2 renders each page (the CJK font comes from the system: fonts-noto-cjk, which `make test`
installs), then the page is turned by a small angle, blurred, speckled and saved as JPEG inside a PDF
with no text layer (Pillow's PDF writer).
"""

from __future__ import annotations

import io
import random


def make_scan(
    pdf_bytes: bytes, dpi: int, angle: float, seed: int = 0, quality: int = 55, noise: bool = True
) -> bytes:
    """noise=False is a clean scan: the page only turned and saved as JPEG (a good office scanner)."""
    import pypdfium2
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    pages = []
    for page in pdf:
        im = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        im = im.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
        if noise:
            im = im.filter(ImageFilter.GaussianBlur(0.7))
            px = im.load()
            w, h = im.size
            for _ in range(w * h // 4000):  # dust and toner specks
                x, y = rng.randrange(w - 1), rng.randrange(h - 1)
                px[x, y] = rng.choice((0, 90, 255))
        pages.append(im.convert("RGB"))
    pdf.close()
    out = io.BytesIO()
    pages[0].save(
        out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:], quality=quality
    )
    return out.getvalue()
