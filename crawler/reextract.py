"""Rebuild the archive from its WARC files, without any network: `nianbao reextract`.

The crawl keeps every response in `data/warc/` (crawler/warc.py). When extraction, classification or the
statutory-table parser improves, this applies the new code to everything ever fetched: for each detail page
the newest 200 response in the WARCs is decoded as the crawl decoded it (charset from the bytes), run
through the crawl's own page→record chain (crawler/record.py: extract → attachments → classify → images,
with the attachments' and images' bytes from their own WARC records) and saved with
`Archive.save_report`, so a text that changes gets a new `report_versions` row and an unchanged one
leaves the row alone. Tables are re-parsed for every annual report and the search index is rebuilt at
the end. The metadata record beside each response says what the spider knew (bureau, column, list title
and date), so this also works on a fresh, empty archive file. What the archive held before is read
through archive/rebuild.py, never from its tables here.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.rebuild import ATTACHMENT_KEPT, archived_images, archived_text
from archive.schema import canonical_url, report_id
from crawler.images import ocr_into_item
from crawler.record import Fetched, FetchFailed, PageRejected, page_to_record, run_now
from crawler.warc import Damage, EncodedBodyRefused, WarcDamage, iter_records, read_record

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


class _Sources:
    """Where a rebuilt report's attachments and images come from: their WARC records, else the stored
    file, else the archived row — the `fetch` and `ocr` of crawler/record.py for one report."""

    def __init__(self, index: WarcIndex, archive, archived, files_dir: Path, summary: Summary):
        self.index, self.archive, self.archived = index, archive, archived
        self.files_dir, self.summary = files_dir, summary
        self.records = index.by_uri("attachment")  # images are fetched as attachments too
        self.rid = self.page = ""
        self._images: dict[str, dict] | None = None

    def report(self, rid: str, page: str) -> _Sources:
        self.rid, self.page, self._images = rid, page, None
        return self

    @property
    def old_images(self) -> dict[str, dict]:
        if self._images is None:
            self._images = archived_images(self.archive.conn, self.rid)
        return self._images

    def fetch(self, url: str, role: str) -> Fetched | dict:
        return self._image(url) if role == "image" else self._attachment(url)

    def _attachment(self, url: str) -> Fetched | dict:
        old = self.archived.attachments.get((self.rid, url))
        found = self.records.get(url)
        pointer = (old["warc_file"], old["warc_offset"]) if old else None
        if _lost(pointer, found, self.index):
            why = f"its record ({pointer[0]} at offset {pointer[1]}) is unreadable or missing"
        elif found is None:
            if old is None:
                return {"error": "not in the WARC files"}
            why = "not in the WARC files"
        elif found.context.get("refused"):  # as the crawl records a refused download
            raise FetchFailed(found.context["refused"])
        elif (found.status or 0) >= 400:
            return Fetched(b"", found.status)
        else:
            try:
                got = self.index.read(found)
            except EncodedBodyRefused as exc:
                raise FetchFailed(str(exc)) from exc
            except WarcDamage as exc:
                why = str(exc)
            else:
                ctype = got.headers.get("Content-Type", b"").decode("latin-1")
                return Fetched(got.body, got.status, ctype, _pointer(found))
        return self._fallback(url, old, why)

    def _fallback(self, url: str, old: dict | None, why: str) -> Fetched | dict:
        """The stored file when its hash still matches, else the archived row as it is."""
        where = f"attachment {url} of {self.page}: {why}"
        if old is not None and old.get("path") and old.get("sha256"):
            try:
                data = (self.files_dir / old["path"]).read_bytes()
            except OSError:
                data = None
            if data is not None and hashlib.sha256(data).hexdigest() == old["sha256"]:
                self.summary.problems.append(
                    f"{where}; read again from the stored file {old['path']}"
                )
                return Fetched(data, 200, "", _old_pointer(old))
        if old is None:
            self.summary.problems.append(f"{where}; nothing archived")
            return {"error": f"not rebuilt: {why}"}
        self.summary.problems.append(f"{where}; kept as archived")
        kept = {k: old[k] for k in ATTACHMENT_KEPT}
        if pointer := _old_pointer(old):
            kept["warc"] = pointer
        return kept

    def _image(self, url: str) -> Fetched | dict:
        """The image's WARC record; the archived row when the record is gone, refused or unreadable."""
        found = self.records.get(url)
        got = None
        if found is not None and not found.context.get("refused"):
            try:
                got = self.index.read(found)
            except (EncodedBodyRefused, WarcDamage):
                got = None
        if got is not None:
            return Fetched(got.body, found.status or 0, "", _pointer(found))
        old = self.old_images.get(url)
        if old is None:
            raise FetchFailed((found and found.context.get("refused")) or "not in the WARC files")
        kept = {k: old[k] for k in ("sha256", "path", "size", "type", "error")}
        if pointer := _old_pointer(old):
            kept["warc"] = pointer
        return kept

    def ocr(self, item: dict, stored: list[dict]) -> str:
        """A 图片版 page has no text of its own: its images are read by OCR again, as the crawl did.

        When an image the archive had cannot be had again (its record lost, no stored file), or OCR reads
        nothing this time (the OCR process out of time on a loaded machine), the archived OCR text is
        kept: OCR of the remaining images would archive less."""
        stored = [r for r in stored if (self.files_dir / r["path"]).is_file()]
        have = {r["url"] for r in stored}
        lost = [u for u, o in self.old_images.items() if o.get("path") and u not in have]
        if stored and not lost and (text := ocr_into_item(item, stored, self.files_dir)):
            return text
        kept = archived_text(self.archive.conn, self.rid)
        if kept is None:
            return ""
        item["text"], item["text_normalized"], item["text_source"] = kept
        item["ocr_errors"] = []  # the kept text stands; this run's OCR failures are in the summary
        why = f"{len(lost)} image(s) not readable again" if lost else "OCR read nothing"
        self.summary.problems.append(f"images of {item['url']}: {why}; OCR text kept as archived")
        return kept[0]


def _old_pointer(old: dict) -> dict | None:
    if not old.get("warc_file"):
        return None
    return {
        "file": old["warc_file"],
        "offset": old["warc_offset"],
        "record_id": old["warc_record_id"],
    }


def _page(entry: Entry, url: str, response, run_id: str) -> dict:
    """The page as the spider handed it to the pipelines: what it knew is in the metadata record."""
    ctx = entry.context
    return {
        "bureau_id": ctx.get("bureau_id"),
        "url": url,
        "column_url": ctx.get("column_url"),
        "list_title": ctx.get("list_title"),
        "list_date": ctx.get("list_date"),
        "family": ctx.get("family"),
        "html": response.text,
        "http_status": response.status,
        "fetched_at": ctx.get("fetched_at"),
        "run_id": run_id,
        "etag": (response.headers.get("ETag") or b"").decode("latin-1") or None,
        "last_modified": (response.headers.get("Last-Modified") or b"").decode("latin-1") or None,
        "warc": _pointer(entry),
    }


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

    from archive import rebuild
    from archive.ingest import Archive
    from crawler.families.charset import with_right_charset
    from crawler.items import ReportItem

    index = WarcIndex(warc_dir)
    files_dir = Path(files_dir) if files_dir else Path(db).parent / "files"
    summary = Summary()
    counts = summary.counts
    summary.problems.extend(f"unreadable: {d}" for d in index.damage)
    with Archive(db) as archive:
        archived = rebuild.Archived(archive.conn)
        for file, rows in sorted(archived.missing_files(index.files).items()):
            summary.problems.append(f"missing WARC file {file} ({rows} archive rows point at it)")
        sources = _Sources(index, archive, archived, files_dir, summary)
        if registry:
            from crawler.registry import load_registry

            archive.upsert_bureaus([b.as_row() for b in load_registry(registry)])
        run_id = archive.start_run("reextract")
        rebuild.prepare(archive.conn)
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
            page = _page(entry, url, with_right_charset(response), run_id)
            here = sources.report(rid, url)
            try:
                record = run_now(
                    page_to_record(
                        page, here.fetch, files_dir=files_dir, limits=limits, ocr=here.ocr
                    )
                )
            except PageRejected as exc:
                archive.record_error(url, str(exc), page["http_status"], page["bureau_id"], run_id)
                counts["errors"] += 1
                continue
            record = {k: v for k, v in record.items() if k in ReportItem.fields}
            counts[archive.save_report(record)] += 1
            if record.get("kind") == "annual_report":
                rebuild.reparse_tables(
                    archive.conn,
                    rid,
                    record.get("text") or "",
                    record.get("year"),
                    record.get("text_source"),
                )
        rebuild.finish(archive.conn)
        figures = {f"nianbao/reextract/{k}": v for k, v in counts.items()}
        figures["nianbao/reextract/problems"] = summary.problems[:1000]
        archive.finish_run(run_id, figures)
    return summary
