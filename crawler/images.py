"""The images of a 图片版 report, downloaded and kept like attachments.

A report published only as images has no text; its images are the report. ClassifyPipeline flags such an
item (`image_only`, `images` = their URLs); this pipeline then fetches each image through the engine (so the
download middlewares apply: safety checks, retries, and the WARC record of crawler/warc.py), stores the bytes
under data/files/ named by their sha256, and lists what it kept in `image_files` for the archive's
report_images table. A failed image keeps its row with the reason; it never costs the report.

The kept images are then read by OCR (archive/tables/ocr.py: its own child process with memory and time
limits, at most 40 images, a size limit per image) in a thread pool of this pipeline's own, as attachments
are read, so the reactor goes on downloading. Their text, page after page, becomes the report's text,
marked `text_source = 'ocr'`; an image OCR could not read is an error on its row, not a lost report.
"""

from __future__ import annotations

from pathlib import Path

from crawler.attachments import FILES_DIR, MAX_BYTES, store_file

__all__ = ["ImagePipeline", "image_type"]

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


class ImagePipeline:
    def __init__(self, crawler, files_dir: Path):
        self.crawler = crawler
        self.files_dir = files_dir
        self._threads = None

    @classmethod
    def from_crawler(cls, crawler):
        files_dir = crawler.settings.get("NIANBAO_FILES_DIR")
        if not files_dir:
            db = getattr(crawler.spider, "db", None) or crawler.settings.get("NIANBAO_DB")
            files_dir = Path(db).parent / "files" if db else FILES_DIR
        return cls(crawler, Path(files_dir))

    async def process_item(self, item):
        from scrapy import Request

        from crawler.items import ReportItem

        if not isinstance(item, ReportItem) or not item.get("image_only") or not item.get("images"):
            return item
        kept = []
        for position, url in enumerate(item["images"]):
            row = {"position": position, "url": url, "sha256": None, "path": None, "size": None}
            row.update({"type": None, "error": None})
            try:
                response = await self.crawler.engine.download_async(
                    Request(
                        url, meta={"bureau_id": item.get("bureau_id"), "nianbao_attachment": True}
                    )
                )
            except Exception as exc:
                row["error"] = f"download failed: {exc.__class__.__name__}: {exc}"
                kept.append(row)
                continue
            if response.status >= 400:
                row["error"] = f"HTTP {response.status}"
            elif len(response.body) > MAX_BYTES:
                row["error"] = f"too large: {len(response.body)} bytes > {MAX_BYTES}"
            elif (kind := image_type(response.body)) is None:
                row["error"] = "not an image"
            else:
                row["type"] = kind
                row["size"] = len(response.body)
                row["sha256"], row["path"] = store_file(response.body, kind, self.files_dir)
            if response.meta.get("nianbao_warc"):
                row["warc"] = response.meta["nianbao_warc"]
            self.crawler.stats.inc_value(f"nianbao/images_{row['type'] or 'error'}")
            kept.append(row)
        item["image_files"] = kept
        if not (item.get("text") or "").strip():
            await self._ocr(item, kept)
        return item

    async def _ocr(self, item, kept: list[dict]) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, threads
        from twisted.python.threadpool import ThreadPool

        stored = [row for row in kept if row.get("path")]
        if not stored:
            return
        if self._threads is None:
            self._threads = ThreadPool(0, 1, "nianbao-image-ocr")
            self._threads.start()
        deferred = threads.deferToThreadPool(
            reactor, self._threads, ocr_into_item, item, stored, self.files_dir
        )
        text = await maybe_deferred_to_future(deferred)
        self.crawler.stats.inc_value(
            "nianbao/images_ocr_text" if text else "nianbao/images_ocr_none"
        )

    def close_spider(self):
        if self._threads is not None:
            self._threads.stop()
            self._threads = None


def ocr_into_item(item, stored: list[dict], files_dir: Path) -> str:
    """OCR the stored images (rows with `url` and `path` under files_dir, in page order) and make their
    text the item's text, marked 'ocr'; images it could not read go to item["ocr_errors"] for
    crawl_errors. Returns the text ('' when nothing was read). Shared with archive/reextract.py."""
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
