"""The images of a 图片版 report, downloaded and kept like attachments.

A report published only as images has no text; its images are the report. Classification flags such an
item (`image_only`, `images` = their URLs); the page→record chain (crawler/record.py) then fetches each image
(through the engine in a crawl, so safety checks, retries and the WARC record of crawler/warc.py apply),
checks it is one (`image_type`), stores the bytes under data/files/ named by their sha256, and lists what
it kept in `image_files` for the archive's report_images table. A failed image keeps its row with the
reason; it never costs the report.

The kept images are then read by OCR (archive/tables/ocr.py: its own child process with memory and time
limits, at most 40 images, a size limit per image), in a crawl in a thread pool of its own, so the reactor
goes on downloading. Their text, page after page, becomes the report's text, marked `text_source = 'ocr'`;
an image OCR could not read is an error on its row, not a lost report.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["image_type", "ocr_into_item", "ocr_report_images"]

_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
]


def image_type(data: bytes) -> str | None:
    """The image format from the first bytes, or None when the body is not an image (an HTML error page)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def ocr_into_item(item, stored: list[dict], files_dir: Path) -> str:
    """OCR the stored images (rows with `url` and `path` under files_dir, in page order) and make their
    text the item's text, marked 'ocr'; images it could not read go to item["ocr_errors"] for
    crawl_errors. Returns the text ('' when nothing was read)."""
    text, errors = ocr_report_images([Path(files_dir) / r["path"] for r in stored])
    # crawl_errors rows (archive/ingest.py): the image's URL, or the report's when OCR failed whole
    item["ocr_errors"] = [
        {"url": stored[n]["url"] if n < len(stored) else item["url"], "reason": f"OCR: {why}"}
        for n, why in errors.items()
    ]
    if text:
        from archive.textnorm import search_text

        item["text"], item["text_source"] = text, "ocr"
        extra = item.get("attachment_text") or ""
        item["text_normalized"] = search_text(f"{text}\n{extra}" if extra else text)
    return text


def ocr_report_images(paths: list[Path]) -> tuple[str, dict[int, str]]:
    """The text of a 图片版 report's stored images by OCR, in page order, and {index: why} for the
    images it could not read (index len(paths) when the OCR process failed as a whole)."""
    from archive.tables.ocr import OCRError, ocr_images

    try:
        pages = ocr_images(paths)
    except (OCRError, OSError, ValueError) as exc:
        return "", {len(paths): str(exc)}
    errors = {n: p["error"] for n, p in enumerate(pages) if p.get("error")}
    text = "\n".join(p["text"] for p in pages if (p.get("text") or "").strip())
    return text.strip(), errors
