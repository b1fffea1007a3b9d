"""OCR seconds per page image of a 图片版 report: the sample report's rendered pages read by the limited
OCR child process (archive/tables/ocr.py), as the crawl reads them. Prints one line per image and the
total, which includes starting the child and loading the models once.

    .venv/bin/python -m bench.image_ocr [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    from archive.tables.ocr import ocr_images
    from sample_portals.attachment_items import IMAGE_PAGES, attachment_bytes

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="read the pages this many times")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name in IMAGE_PAGES:
            path = Path(tmp) / name
            path.write_bytes(attachment_bytes(name) or b"")
            paths.append(path)
        paths *= args.repeat
        start = time.perf_counter()
        pages = ocr_images(paths)
        total = time.perf_counter() - start
    for path, page in zip(paths, pages, strict=True):
        chars = len((page.get("text") or "").replace("\n", ""))
        print(
            f"{path.name}: {page.get('seconds', 0):.2f} s, {chars} characters {page.get('error') or ''}"
        )
    read = sum(p.get("seconds", 0) for p in pages)
    print(f"{len(pages)} images: {read / len(pages):.2f} s per image read, {total:.2f} s in all")


if __name__ == "__main__":
    main()
