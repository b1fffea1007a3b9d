"""Rebuild the archive from its WARC files, without any network: `nianbao reextract`.

The crawl keeps every response in `data/warc/` (crawler/warc.py). When extraction, classification or the
statutory-table parser improves, this applies the new code to everything ever fetched: for each detail page
the newest 200 response in the WARCs is decoded as the crawl decoded it (charset from the bytes), run
through the same pipeline steps (extract → attachments from their own WARC records → classify) and saved
with `Archive.save_report`, so a text that changes gets a new `report_versions` row and an unchanged one
leaves the row alone. Tables are re-parsed for every annual report and the search index is rebuilt at
the end. The metadata record beside each response says what the spider knew (bureau, column, list title
and date), so this also works on a fresh, empty archive file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.schema import canonical_url, rebuild_fts, report_id, transaction

__all__ = ["WarcIndex", "reextract"]


@dataclass
class Entry:
    file: str
    offset: int
    record_id: str
    uri: str
    status: int | None
    context: dict[str, Any]


class WarcIndex:
    """Every response record of a WARC directory with its context, in crawl order (files by run id)."""

    def __init__(self, warc_dir: str | Path):
        self.warc_dir = Path(warc_dir)
        self.entries: list[Entry] = []
        pending: dict[str, Entry] = {}
        for path in sorted(self.warc_dir.glob("*.warc.gz")):
            with open(path, "rb") as fh:
                it = ArchiveIterator(fh)
                for record in it:
                    headers = record.rec_headers
                    if record.rec_type == "response":
                        http = record.http_headers
                        code = http.get_statuscode() if http else None
                        entry = Entry(
                            path.name,
                            it.get_record_offset(),
                            headers.get_header("WARC-Record-ID"),
                            headers.get_header("WARC-Target-URI"),
                            int(code) if code and code.isdigit() else None,
                            {},
                        )
                        pending[entry.record_id] = entry
                        self.entries.append(entry)
                    elif record.rec_type == "metadata":
                        target = pending.get(headers.get_header("WARC-Concurrent-To") or "")
                        if target is not None:
                            target.context = json.loads(record.content_stream().read() or b"{}")

    def details(self) -> dict[str, Entry]:
        """Newest 200 response of each detail page, by canonical URL of the list entry."""
        out: dict[str, Entry] = {}
        for e in self.entries:
            if e.context.get("role") == "detail" and e.status == 200:
                out[canonical_url(e.context.get("entry_url") or e.uri)] = e
        return out

    def by_uri(self, role: str) -> dict[str, Entry]:
        """Newest response (any status) of each URL fetched in a role, e.g. attachments."""
        return {e.uri: e for e in self.entries if e.context.get("role") == role}

    def read(self, entry: Entry):
        """The Scrapy response the crawl saw, rebuilt from the record (the class chosen as Scrapy does)."""
        from scrapy.http import Headers
        from scrapy.responsetypes import responsetypes

        from crawler.warc import read_record

        summary, body = read_record(self.warc_dir, entry.file, entry.offset)
        headers = Headers()
        for name, value in summary["headers"]:
            if name.lower() != "content-encoding":  # read_record already undid it
                headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=entry.uri, body=body)
        return cls(url=entry.uri, status=summary["status"] or 200, headers=headers, body=body)


def _pointer(entry: Entry) -> dict:
    return {"file": entry.file, "offset": entry.offset, "record_id": entry.record_id}


def reextract(
    db: str | Path,
    warc_dir: str | Path,
    files_dir: str | Path | None = None,
    registry: str | None = None,
) -> dict[str, int]:
    """Re-derive reports (text, metadata, kind, tables, attachments' text, search index) from the WARCs.

    Returns counts: new / changed / unchanged / errors / skipped (responses that were not text).
    """
    from scrapy.http import TextResponse

    from archive import tables
    from archive.ingest import Archive
    from crawler.attachments import merge_attachment_texts, read_attachment
    from crawler.families.charset import with_right_charset
    from crawler.items import CrawlErrorItem, ReportItem
    from crawler.pipelines import ClassifyPipeline, ExtractPipeline

    index = WarcIndex(warc_dir)
    files_dir = Path(files_dir) if files_dir else Path(db).parent / "files"
    attachments = index.by_uri("attachment")
    extract, classify = ExtractPipeline(), ClassifyPipeline()
    counts = {"new": 0, "changed": 0, "unchanged": 0, "errors": 0, "skipped": 0}
    with Archive(db) as archive:
        if registry:
            from crawler.registry import load_registry

            archive.upsert_bureaus([b.as_row() for b in load_registry(registry)])
        run_id = archive.start_run("reextract")
        with transaction(archive.conn):
            tables.sync_stat_items(archive.conn)
        for url, entry in sorted(index.details().items()):
            ctx = entry.context
            response = index.read(entry)
            if not isinstance(response, TextResponse):
                counts["skipped"] += 1
                continue
            response = with_right_charset(response)
            item = ReportItem(
                bureau_id=ctx.get("bureau_id"),
                url=url,
                column_url=ctx.get("column_url"),
                list_title=ctx.get("list_title"),
                list_date=ctx.get("list_date"),
                family=ctx.get("family"),
                html=response.text,
                http_status=response.status,
                fetched_at=ctx.get("fetched_at"),
                run_id=run_id,
                etag=(response.headers.get("ETag") or b"").decode("latin-1") or None,
                last_modified=(response.headers.get("Last-Modified") or b"").decode("latin-1")
                or None,
                warc=_pointer(entry),
            )
            item = extract.process_item(item)
            if isinstance(item, CrawlErrorItem):
                archive.record_error(
                    item["url"], item["reason"], item.get("status"), item.get("bureau_id"), run_id
                )
                counts["errors"] += 1
                continue
            if item.get("attachments"):
                texts = []
                for att in item["attachments"]:
                    found = attachments.get(att["url"])
                    if found is None:
                        att["error"] = "not in the WARC files"
                        continue
                    if (found.status or 0) >= 400:
                        att["error"] = f"HTTP {found.status}"
                        continue
                    got = index.read(found)
                    ctype = got.headers.get("Content-Type", b"").decode("latin-1")
                    att.update(read_attachment(got.body, att["url"], ctype, files_dir))
                    att["warc"] = _pointer(found)
                    if att.get("text"):
                        texts.append(att["text"])
                merge_attachment_texts(item, texts)
            item = classify.process_item(item)
            record = {k: v for k, v in item.items() if k != "html"}
            counts[archive.save_report(record)] += 1
            if item.get("kind") == "annual_report":
                # save_report re-parses tables only when text/kind/year changed; a new parser must run too
                with transaction(archive.conn):
                    tables.store_report_stats(
                        archive.conn, report_id(url), item.get("text") or "", item.get("year")
                    )
        rebuild_fts(archive.conn)
        archive.finish_run(run_id, {f"nianbao/reextract/{k}": v for k, v in counts.items()})
    return counts
