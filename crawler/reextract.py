"""Rebuild the archive from its WARC files, without any network: `nianbao reextract`.

The crawl keeps every response in `data/warc/` (crawler/warc.py). When extraction, classification or the
statutory-table parser improves, this applies the new code to everything ever fetched: for each detail page
the newest 200 response in the WARCs is decoded as the crawl decoded it (charset from the bytes), run
through the same pipeline steps (extract → attachments from their own WARC records → classify) and saved
with `Archive.save_report`, so a text that changes gets a new `report_versions` row and an unchanged one
leaves the row alone. Tables are re-parsed for every annual report and the search index is rebuilt at
the end. The metadata record beside each response says what the spider knew (bureau, column, list title
and date), so this also works on a fresh, empty archive file.

The crawl's limits hold here too: a response whose metadata says the crawl refused it is never archived,
and an encoded body that inflates past DOWNLOAD_MAXSIZE is refused again (older WARCs carry no mark, the
limit finds them); attachments are read by the same limited reader processes as in the crawl.

WARC files are not trusted to be whole. An unreadable stretch (truncated gzip member, garbage bytes) or a
missing file is reported with file and offset, and reading goes on. What cannot be rebuilt keeps what the
archive holds — never a shorter text because a source is gone: a report whose record is unreadable is left
as it is, and an attachment whose record is lost is re-read from the stored file under `data/files/` or
else kept as archived. The summary lists each of these.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.schema import canonical_url, rebuild_fts, report_id, transaction

__all__ = ["Summary", "WarcIndex", "reextract"]


@dataclass
class Entry:
    file: str
    offset: int
    record_id: str
    uri: str
    status: int | None
    context: dict[str, Any]

    @property
    def key(self) -> tuple[str, int]:
        """Crawl order: files are named by run id (time), records follow each other in a file."""
        return (self.file, self.offset)


class WarcIndex:
    """Every readable response record of a WARC directory with its context, in crawl order, and the
    unreadable stretches (`damage`) met on the way."""

    def __init__(self, warc_dir: str | Path):
        from crawler.warc import Damage, iter_records

        self.warc_dir = Path(warc_dir)
        self.entries: list[Entry] = []
        self.damage: list[Damage] = []
        self.files: set[str] = set()
        self.keys: set[tuple[str, int]] = set()
        pending: dict[str, Entry] = {}
        for path in sorted(self.warc_dir.glob("*.warc.gz")):
            self.files.add(path.name)
            for record in iter_records(path):
                if isinstance(record, Damage):
                    self.damage.append(record)
                elif record.rec_type == "response":
                    entry = Entry(
                        path.name,
                        record.offset,
                        record.header("WARC-Record-ID") or "",
                        record.header("WARC-Target-URI") or "",
                        record.status,
                        {},
                    )
                    pending[entry.record_id] = entry
                    self.entries.append(entry)
                    self.keys.add(entry.key)
                elif record.rec_type == "metadata":
                    target = pending.get(record.header("WARC-Concurrent-To") or "")
                    if target is not None:
                        try:
                            target.context = json.loads(record.block or b"{}")
                        except ValueError:
                            self.damage.append(
                                Damage(path.name, record.offset, "metadata record is not JSON")
                            )

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
        """The Scrapy response the crawl saw, rebuilt from the record (the class chosen as Scrapy does).
        Raises WarcDamage for an unreadable record, EncodedBodyRefused for a body the crawl refused."""
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


@dataclass
class Summary:
    """Counts (new / changed / unchanged / errors / skipped / refused / kept) and what was not rebuilt."""

    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("new", "changed", "unchanged", "errors", "skipped", "refused", "kept"), 0
        )
    )
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [" ".join(f"{k} {v}" for k, v in self.counts.items())]
        if self.problems:
            lines.append(
                f"{len(self.problems)} problem(s); what could not be rebuilt kept its archived text:"
            )
            lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


def _pointer(entry: Entry) -> dict:
    return {"file": entry.file, "offset": entry.offset, "record_id": entry.record_id}


_ATT_KEPT = ("sha256", "size", "type", "path", "text", "error", "text_source")


class _Archived:
    """What the archive holds before the rebuild: each report's and attachment's WARC pointer, and the
    attachment rows themselves (to keep them when their source is lost)."""

    def __init__(self, conn: sqlite3.Connection):
        cur = conn.cursor()
        cur.row_factory = sqlite3.Row
        self.reports = {
            r["id"]: (r["warc_file"], r["warc_offset"])
            for r in cur.execute("SELECT id, warc_file, warc_offset FROM reports")
        }
        self.attachments = {
            (r["report_id"], r["url"]): dict(r)
            for r in cur.execute(
                f"SELECT report_id, url, {', '.join(_ATT_KEPT)}, warc_file, warc_offset, "
                "warc_record_id FROM attachments"
            )
        }

    def missing_files(self, present: set[str]) -> dict[str, int]:
        """WARC files the archive points at that are not there, with how many rows point at each."""
        out: dict[str, int] = {}
        pointers = [p[0] for p in self.reports.values()]
        pointers += [a["warc_file"] for a in self.attachments.values()]
        for file in pointers:
            if file and file not in present:
                out[file] = out.get(file, 0) + 1
        return out


def _lost(
    pointer: tuple[str | None, int | None] | None, entry: Entry | None, index: WarcIndex
) -> bool:
    """True when the archive was built from a record that is gone and the WARCs hold nothing newer:
    rebuilding from an older record would turn the archive back, or give it less."""
    if not pointer or not pointer[0] or pointer[1] is None:
        return False
    if tuple(pointer) in index.keys:
        return entry is None
    return entry is None or entry.key < tuple(pointer)  # type: ignore[operator]


class _Attachments:
    """Attachments of rebuilt reports: from their WARC records, else the stored file, else the archive."""

    def __init__(
        self, index: WarcIndex, archived: _Archived, files_dir: Path, summary: Summary, limits=None
    ):
        from functools import partial

        from crawler.attachments import read_attachment

        self.read_attachment = partial(read_attachment, limits=limits)
        self.index, self.archived, self.files_dir, self.summary = (
            index,
            archived,
            files_dir,
            summary,
        )
        self.records = index.by_uri("attachment")

    def fill(self, rid: str, page: str, att: dict) -> None:
        from crawler.warc import EncodedBodyRefused, WarcDamage

        url = att["url"]
        old = self.archived.attachments.get((rid, url))
        found = self.records.get(url)
        pointer = (old["warc_file"], old["warc_offset"]) if old else None
        why = None
        if _lost(pointer, found, self.index):
            why = f"its record ({pointer[0]} at offset {pointer[1]}) is unreadable or missing"
        elif found is None:
            if old is None:
                att["error"] = "not in the WARC files"
                return
            why = "not in the WARC files"
        elif found.context.get("refused"):
            self._refused(att, found.context["refused"])
            return
        elif (found.status or 0) >= 400:
            att["error"] = f"HTTP {found.status}"
            return
        else:
            try:
                got = self.index.read(found)
            except EncodedBodyRefused as exc:
                self._refused(att, str(exc))
                return
            except WarcDamage as exc:
                why = str(exc)
            else:
                ctype = got.headers.get("Content-Type", b"").decode("latin-1")
                att.update(self.read_attachment(got.body, url, ctype, self.files_dir))
                att["warc"] = _pointer(found)
                return
        self._fallback(page, att, old, why)

    def _refused(self, att: dict, reason: str) -> None:
        """As the crawl records a refused download: no bytes, the refusal as the error."""
        att.update(self.read_attachment(b"", att["url"], files_dir=None))
        att["error"] = reason

    def _fallback(self, page: str, att: dict, old: dict | None, why: str | None) -> None:
        url = att["url"]
        if old is not None and old.get("path") and old.get("sha256"):
            stored = self.files_dir / old["path"]
            try:
                data = stored.read_bytes()
            except OSError:
                data = None
            if data is not None and hashlib.sha256(data).hexdigest() == old["sha256"]:
                att.update(self.read_attachment(data, url, "", self.files_dir))
                self.summary.problems.append(
                    f"attachment {url} of {page}: {why}; read again from the stored file {old['path']}"
                )
                self._keep_pointer(att, old)
                return
        if old is None:
            att["error"] = f"not rebuilt: {why}"
            self.summary.problems.append(f"attachment {url} of {page}: {why}; nothing archived")
            return
        att.update({k: old[k] for k in _ATT_KEPT})
        self._keep_pointer(att, old)
        self.summary.problems.append(f"attachment {url} of {page}: {why}; kept as archived")

    @staticmethod
    def _keep_pointer(att: dict, old: dict) -> None:
        if old.get("warc_file"):
            att["warc"] = {
                "file": old["warc_file"],
                "offset": old["warc_offset"],
                "record_id": old["warc_record_id"],
            }


def _image_row(position: int, url: str, found, index: WarcIndex, files_dir: Path, old: dict | None):
    """One report_images row as the crawl made it (crawler/images.py), from the image's WARC record;
    the archived row when the record is gone or unreadable."""
    from crawler.attachments import MAX_BYTES, store_file
    from crawler.images import image_type
    from crawler.warc import EncodedBodyRefused, WarcDamage

    row = {"position": position, "url": url, "sha256": None, "path": None, "size": None}
    row.update({"type": None, "error": None})
    body = None
    if found is not None and not found.context.get("refused"):
        try:
            body = index.read(found).body
        except (EncodedBodyRefused, WarcDamage):
            body = None
    if body is None:
        if old is not None:
            row.update({k: old[k] for k in ("sha256", "path", "size", "type", "error")})
            if old.get("warc_file"):
                row["warc"] = {"file": old["warc_file"], "offset": old["warc_offset"],
                               "record_id": old["warc_record_id"]}  # fmt: skip
        else:
            row["error"] = (found and found.context.get("refused")) or "not in the WARC files"
        return row
    if (found.status or 0) >= 400:
        row["error"] = f"HTTP {found.status}"
    elif len(body) > MAX_BYTES:
        row["error"] = f"too large: {len(body)} bytes > {MAX_BYTES}"
    elif (kind := image_type(body)) is None:
        row["error"] = "not an image"
    else:
        row["type"], row["size"] = kind, len(body)
        row["sha256"], row["path"] = store_file(body, kind, files_dir)
    row["warc"] = _pointer(found)
    return row


def _ocr_images(conn, rid: str, item, records: dict, index: WarcIndex, files_dir: Path) -> str:
    """A 图片版 page re-extracted has no text of its own: its images are rebuilt from their WARC
    records (else kept as archived) and read by OCR again, as the crawl did, so its text is not lost.

    When an image the archive had cannot be had again (its record lost, no stored file), or OCR reads
    nothing this time (the OCR process out of time on a loaded machine), the archived OCR text is kept:
    OCR of the remaining images would archive less. Returns why the text was kept, or ''."""
    from crawler.images import ocr_into_item

    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    old = {
        r["url"]: dict(r)
        for r in cur.execute("SELECT * FROM report_images WHERE report_id = ?", [rid])
    }
    rows = [
        _image_row(n, url, records.get(url), index, files_dir, old.get(url))
        for n, url in enumerate(item["images"])
    ]
    item["image_files"] = rows
    stored = [r for r in rows if r.get("path") and (files_dir / r["path"]).is_file()]
    # images the archive had that cannot be had again: OCR of the rest would archive less text
    lost = [u for u, o in old.items() if o.get("path") and u not in {r["url"] for r in stored}]
    if stored and not lost and ocr_into_item(item, stored, files_dir):
        return ""
    kept = conn.execute(
        "SELECT text, text_normalized, text_source FROM reports_with_text WHERE id = ?", [rid]
    ).fetchone()
    if not kept or not (kept[0] or "").strip():
        return ""
    item["text"], item["text_normalized"], item["text_source"] = kept
    item["ocr_errors"] = []  # the kept text stands; this run's OCR failures are in the summary
    why = f"{len(lost)} image(s) not readable again" if lost else "OCR read nothing"
    return f"images of {item['url']}: {why}; OCR text kept as archived"


def reextract(
    db: str | Path,
    warc_dir: str | Path,
    files_dir: str | Path | None = None,
    registry: str | None = None,
    limits=None,
) -> Summary:
    """Re-derive reports (text, metadata, kind, tables, attachments' text, search index) from the WARCs.

    Returns the counts (new / changed / unchanged / errors / skipped: not text / refused: the crawl's
    limits / kept: not rebuilt, archived text kept) and the problems met, each naming file and offset.
    `limits` (crawler.docguard.Limits) are the attachment readers' limits, the crawl's defaults if None.
    """
    from scrapy.http import TextResponse

    from archive import tables
    from archive.ingest import Archive
    from crawler.attachments import merge_attachment_texts
    from crawler.families.charset import with_right_charset
    from crawler.items import CrawlErrorItem, ReportItem
    from crawler.pipelines import ClassifyPipeline, ExtractPipeline
    from crawler.warc import EncodedBodyRefused, WarcDamage

    index = WarcIndex(warc_dir)
    files_dir = Path(files_dir) if files_dir else Path(db).parent / "files"
    extract, classify = ExtractPipeline(), ClassifyPipeline()
    summary = Summary()
    counts = summary.counts
    summary.problems.extend(f"unreadable: {d}" for d in index.damage)
    with Archive(db) as archive:
        archived = _Archived(archive.conn)
        for file, rows in sorted(archived.missing_files(index.files).items()):
            summary.problems.append(f"missing WARC file {file} ({rows} archive rows point at it)")
        attachments = _Attachments(index, archived, files_dir, summary, limits)
        if registry:
            from crawler.registry import load_registry

            archive.upsert_bureaus([b.as_row() for b in load_registry(registry)])
        run_id = archive.start_run("reextract")
        with transaction(archive.conn):
            tables.sync_stat_items(archive.conn)
        details = index.details()
        found = {report_id(u) for u in details}
        for rid, pointer in archived.reports.items():
            # reports whose every record is gone (a missing file, a truncated tail) are kept as they are
            if pointer[0] and rid not in found:
                counts["kept"] += 1
                summary.problems.append(
                    f"not rebuilt: report {rid}: its record ({pointer[0]} at offset {pointer[1]}) "
                    "is unreadable or missing"
                )
        for url, entry in sorted(details.items()):
            ctx = entry.context
            rid = report_id(url)
            pointer = archived.reports.get(rid)
            if _lost(pointer, entry, index):
                counts["kept"] += 1
                summary.problems.append(
                    f"not rebuilt: {url}: its record ({pointer[0]} at offset {pointer[1]}) "
                    "is unreadable or missing"
                )
                continue
            refused = ctx.get("refused")
            response = None
            if not refused:
                try:
                    response = index.read(entry)
                except EncodedBodyRefused as exc:
                    refused = str(exc)
                except WarcDamage as exc:
                    counts["kept"] += 1
                    summary.problems.append(f"not rebuilt: {url}: {exc}")
                    continue
            if refused:  # the crawl refused this response: it is never archived
                archive.record_error(url, refused, entry.status, ctx.get("bureau_id"), run_id)
                counts["refused"] += 1
                continue
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
                for att in item["attachments"]:
                    attachments.fill(rid, url, att)
                merge_attachment_texts(
                    item, [a["text"] for a in item["attachments"] if a.get("text")]
                )
            item = classify.process_item(item)
            if (
                item.get("image_only")
                and item.get("images")
                and not (item.get("text") or "").strip()
                and (
                    kept := _ocr_images(
                        archive.conn, rid, item, attachments.records, index, files_dir
                    )
                )
            ):
                summary.problems.append(kept)
            record = {k: v for k, v in item.items() if k != "html"}
            counts[archive.save_report(record)] += 1
            if item.get("kind") == "annual_report":
                # save_report re-parses tables only when text/kind/year changed; a new parser must run too
                with transaction(archive.conn):
                    tables.store_report_stats(
                        archive.conn,
                        report_id(url),
                        item.get("text") or "",
                        item.get("year"),
                        method=item.get("text_source"),
                    )
        rebuild_fts(archive.conn)
        figures = {f"nianbao/reextract/{k}": v for k, v in counts.items()}
        figures["nianbao/reextract/problems"] = summary.problems[:1000]
        archive.finish_run(run_id, figures)
    return summary
