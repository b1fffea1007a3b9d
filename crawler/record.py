"""One path from a fetched detail page to the record the archive saves, without Scrapy.

The crawl (crawler/pipelines.py `RecordPipeline`), a scrapy-redis worker (the same pipeline, its records sent
to the one writer of crawler/distributed.py) and `nianbao reextract` (crawler/reextract.py, from the WARC
files) all call `page_to_record`, so a page is cleaned, classified and given its attachments' and images'
text in the same order by the same code wherever it was fetched. What differs is only where bytes come
from: the caller's `fetch` — Scrapy's engine in a crawl, the WARC records (or what the archive already
holds) in a re-extraction.

The chain: extract (crawler/extract/, the item's family first; a page with text but nothing extracted is refused, never archived
empty) → attachments (fetched, stored by hash, read in reader processes; a stub page takes their text) →
their errors in clear words (crawler/failures.py) → classify (kind, year, subordinate unit, region, 图片版
flag, search text) → the images of a 图片版 report (fetched, stored, read by OCR when the page has no text).

`page_to_record` is a coroutine because a crawl fetches and reads without blocking its reactor; with
synchronous hooks it never suspends, and `run_now` drives it to its end in the calling thread.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.attachments import (
    FILES_DIR,
    MAX_BYTES,
    merge_attachment_texts,
    read_attachment,
    store_file,
)
from crawler.docguard import Limits
from crawler.failures import attachment_reason
from crawler.images import image_type, ocr_into_item

__all__ = ["FetchFailed", "Fetched", "PageRejected", "page_to_record", "run_now"]


@dataclass
class Fetched:
    """The bytes a fetch got for an attachment or image, and where they are kept in the WARC."""

    body: bytes
    status: int = 200
    content_type: str = ""
    warc: dict | None = None  # {"file", "offset", "record_id"}


class FetchFailed(Exception):
    """No bytes for this URL; the message is the reason written on its row (a download error, a refusal)."""


class PageRejected(Exception):
    """The page gives no record (extraction failed, or nothing extracted from a page that has text); the
    message is the reason for crawl_errors."""


# fetch(url, role) with role "attachment" or "image": Fetched, or a dict of row fields the source already
# holds (a re-extraction keeping what the archive has), or raises FetchFailed. May return an awaitable.
Fetch = Callable[[str, str], "Fetched | dict | Awaitable[Fetched | dict]"]


async def _done(value):
    """A hook's result, awaited when the hook is a coroutine (the crawl's), as is otherwise."""
    return await value if inspect.isawaitable(value) else value


def run_now(coroutine):
    """Run `page_to_record` with synchronous hooks to its end, without an event loop: nothing in it
    waits, so the first step already returns. Raises RuntimeError if a hook did wait after all."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise RuntimeError("page_to_record waited on a hook; run it in an event loop instead")


def _silently_empty(fields: dict, html: str, url: str) -> bool:
    """No text, no attachment and no content image, from a page whose body does show text."""
    if fields.get("text") or fields.get("attachments"):
        return False
    import lxml.html

    from crawler.depth import parse_within_depth
    from crawler.metadata import image_only

    if image_only(html, url, ""):
        return False  # a 图片版 report: classify keeps its images
    try:
        _, root = parse_within_depth(html, lambda h, p: lxml.html.document_fromstring(h, parser=p))
    except ValueError:  # no markup at all (lxml's ParserError), or too deep even flattened
        return bool(html.strip())
    texts = root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    return any(t.strip() for t in texts)


def extract(item: dict) -> dict:
    """The page's clean text and metadata merged into the item; raises PageRejected."""
    from crawler.extract import extract_page  # on first use: its family rules load Scrapy's Request

    try:
        fields = extract_page(item["html"], item["url"], family=item.get("family"))
    except Exception as exc:  # one broken page must not end a crawl of hundreds of portals
        raise PageRejected(f"extraction failed: {exc.__class__.__name__}: {exc}") from exc
    if _silently_empty(fields, item["html"], item["url"]):
        # Archiving it would replace a report's text with nothing; the error keeps the gap visible.
        raise PageRejected("empty body: nothing extracted from a page that has text")
    item.update(fields)
    # The page title can be missing or chrome-only; the list's title attribute is the full title.
    if not item.get("title"):
        item["title"] = item.get("list_title")
    if not item.get("published") and item.get("list_date"):
        item["published"] = item["list_date"]
    return item


def classify(item: dict) -> dict:
    """Kind, year, subordinate unit, region, the 图片版 flag and the search text."""
    from archive.textnorm import search_text
    from crawler.classify import classify as kind_and_year
    from crawler.classify import subordinate_unit
    from crawler.metadata import image_only, region_fields

    title = item.get("title") or item.get("list_title") or ""
    text = item.get("text") or ""
    kind, year = kind_and_year(title, text)
    item["kind"] = kind
    item["subordinate_unit"] = subordinate_unit(title)
    # extract_page reads the year from the title; keep it so the year field and title always agree.
    if item.get("year") is None:
        item["year"] = year
    item.update(region_fields(item.get("site_id_code")))
    if not item.get("attachments"):
        refused = list(item.get("refused_links") or [])
        images = image_only(item.get("html") or "", item["url"], text, refused)
        item["refused_links"] = refused
        if images:  # 图片版: kept, flagged, images listed
            item["image_only"] = True
            item["images"] = images
    # Repaired (PDF spaces, width, ruby) then normalized: the stored text stays the faithful extraction.
    # Attachment text is searchable too (merge_attachment_texts puts it here when the page has a body).
    extra = item.get("attachment_text") or ""
    item["text_normalized"] = search_text(f"{text}\n{extra}" if extra else text)
    return item


async def _attachments(item: dict, fetch: Fetch, read, count) -> None:
    for att in item["attachments"]:
        try:
            got = await _done(fetch(att["url"], "attachment"))
        except FetchFailed as exc:
            att.update(read_attachment(b"", att["url"], files_dir=None))
            att["error"] = str(exc)
            continue
        if isinstance(got, dict):
            att.update(got)
            continue
        if got.status >= 400:
            att["error"] = f"HTTP {got.status}"
            continue
        att.update(await _done(read(got.body, att["url"], got.content_type)))
        if got.warc:
            att["warc"] = got.warc
        count(f"attachments_{att.get('type') or 'error'}")
    merge_attachment_texts(item, [a["text"] for a in item["attachments"] if a.get("text")])
    for att in item["attachments"]:
        if att.get("error"):  # the words crawl_errors shows, the same for every path
            att["error"] = attachment_reason(att["error"])


async def _images(item: dict, fetch: Fetch, files_dir: Path, count) -> list[dict]:
    """One report_images row per image of a 图片版 report; a failed image keeps its row with the reason."""
    rows = []
    for position, url in enumerate(item["images"]):
        row = {"position": position, "url": url, "sha256": None, "path": None, "size": None}
        row.update({"type": None, "error": None})
        rows.append(row)
        try:
            got = await _done(fetch(url, "image"))
        except FetchFailed as exc:
            row["error"] = str(exc)
            continue
        if isinstance(got, dict):
            row.update(got)
            continue
        if got.status >= 400:
            row["error"] = f"HTTP {got.status}"
        elif len(got.body) > MAX_BYTES:
            row["error"] = f"too large: {len(got.body)} bytes > {MAX_BYTES}"
        elif (kind := image_type(got.body)) is None:
            row["error"] = "not an image"
        else:
            row["type"], row["size"] = kind, len(got.body)
            row["sha256"], row["path"] = store_file(got.body, kind, files_dir)
        if got.warc:
            row["warc"] = got.warc
        count(f"images_{row['type'] or 'error'}")
    return rows


async def page_to_record(
    page: dict,
    fetch: Fetch | None = None,
    *,
    files_dir: str | Path = FILES_DIR,
    limits: Limits | None = None,
    read: Callable | None = None,
    ocr: Callable | None = None,
    count: Callable[[str], Any] | None = None,
) -> dict:
    """The record `Archive.save_report` takes, from a page dict (`url`, `html`, and what the spider knew:
    bureau_id, column_url, list_title, list_date, family, http_status, fetched_at, run_id, etag, warc…).

    `fetch(url, role)` gets an attachment's or image's bytes; None leaves attachments and images as the
    page lists them. `read(data, url, content_type)` reads an attachment (default: read_attachment under
    `limits`, files under `files_dir`); `ocr(item, stored_rows)` reads a 图片版 report's stored images into
    the item's text (default: crawler.images.ocr_into_item, nothing when no image was stored); `count(name)`
    is told each attachment and image type met (the crawl's stats). Raises PageRejected."""
    files_dir = Path(files_dir)
    item = extract(dict(page))
    count = count or (lambda name: None)
    if fetch is not None and item.get("attachments"):
        if read is None:

            def read(data, url, ctype):
                return read_attachment(data, url, ctype, files_dir, limits)

        await _attachments(item, fetch, read, count)
    classify(item)
    if fetch is not None and item.get("image_only") and item.get("images"):
        rows = await _images(item, fetch, files_dir, count)
        item["image_files"] = rows
        if not (item.get("text") or "").strip():
            stored = [r for r in rows if r.get("path")]
            if ocr is None:
                await _done(ocr_into_item(item, stored, files_dir) if stored else "")
            else:
                await _done(ocr(item, stored))
    return {k: v for k, v in item.items() if k != "html"}
