"""The images of a 图片版 report, downloaded and kept like attachments.

A report published only as images has no text; its images are the report. ClassifyPipeline flags such an
item (`image_only`, `images` = their URLs); this pipeline then fetches each image through the engine (so the
download middlewares apply: safety checks, retries, and the WARC record of crawler/warc.py), stores the bytes
under data/files/ named by their sha256, and lists what it kept in `image_files` for the archive's
report_images table. A failed image keeps its row with the reason; it never costs the report.
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
        return item
