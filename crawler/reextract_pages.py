"""One detail page rebuilt from the WARC files, in whichever process reads it (`nianbao reextract --jobs`).

Pages are independent of each other: reading the record, the charset, extraction, the attachments' and
images' records, classification and OCR need the page, its own records and what the archive held before.
So `rebuild_page` turns one detail page into an `Outcome` (a record to save, or why there is none) and
never writes; N worker processes run it side by side, forked once the WARC index and the archive's prior
state (archive/rebuild.py `Archived`) are read, so they share both copy-on-write. The one writer
(crawler/reextract.py) saves the outcomes in the single-process order, which gives the same rows whatever N.

What a worker still asks of the archive (a report's archived images and OCR text, when its images cannot
be read again) it reads through a read-only connection of its own: each report is one page, so the writer
has not touched that report's rows yet and the worker sees them as they were before the run.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.rebuild import ATTACHMENT_KEPT, Archived, archived_images, archived_text, reader
from archive.schema import canonical_url, report_id
from crawler.images import ocr_into_item
from crawler.record import Fetched, FetchFailed, PageRejected, page_to_record, run_now
from crawler.warc import Damage, EncodedBodyRefused, WarcDamage, iter_records, read_record

__all__ = ["Outcome", "WarcIndex", "Work", "Workers", "default_jobs", "rebuild_page"]


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
class Work:
    """What every page's rebuild reads: the WARC index, the archive's prior state, where files are kept.
    `conn()` is a connection to read archived rows through: the writer's own in a single process, a
    read-only one in each worker process."""

    index: WarcIndex
    archived: Archived
    files_dir: Path
    limits: Any
    conn: Callable[[], Any]
    attachments: dict[str, Entry] = field(init=False)

    def __post_init__(self):
        self.attachments = self.index.by_uri("attachment")  # images are fetched as attachments too


@dataclass
class Outcome:
    """What became of one detail page: `status` is "record" (save `record`), "kept" (not rebuilt, the
    archived report stands: `reason`), "refused" (the crawl's limits: `reason` for crawl_errors),
    "rejected" (page_to_record refused it: `reason`) or "skipped" (not a text response)."""

    url: str
    status: str
    record: dict | None = None
    reason: str = ""
    http_status: int | None = None
    bureau_id: str | None = None
    problems: list[str] = field(default_factory=list)


def rebuild_page(work: Work, url: str, entry: Entry, run_id: str) -> Outcome:
    """What the crawl's own page→record chain gives for the page's newest 200 response."""
    from scrapy.http import TextResponse

    from crawler.families.charset import with_right_charset
    from crawler.items import ReportItem

    ctx = entry.context
    rid = report_id(url)
    pointer = work.archived.reports.get(rid)
    if _lost(pointer, entry, work.index):
        why = f"its record ({pointer[0]} at offset {pointer[1]}) is unreadable or missing"
        return Outcome(url, "kept", reason=f"not rebuilt: {url}: {why}")
    refused = ctx.get("refused")
    response = None
    if not refused:
        try:
            response = work.index.read(entry)
        except EncodedBodyRefused as exc:
            refused = str(exc)
        except WarcDamage as exc:
            return Outcome(url, "kept", reason=f"not rebuilt: {url}: {exc}")
    if refused:  # the crawl refused this response: it is never archived
        return Outcome(url, "refused", None, refused, entry.status, ctx.get("bureau_id"))
    if not isinstance(response, TextResponse):
        return Outcome(url, "skipped")
    page = _page(entry, url, with_right_charset(response), run_id)
    here = _Sources(work, rid, url)
    try:
        record = run_now(
            page_to_record(
                page, here.fetch, files_dir=work.files_dir, limits=work.limits, ocr=here.ocr
            )
        )
    except PageRejected as exc:
        status, bureau = page["http_status"], page["bureau_id"]
        return Outcome(url, "rejected", None, str(exc), status, bureau, here.problems)
    record = {k: v for k, v in record.items() if k in ReportItem.fields}
    return Outcome(url, "record", record, problems=here.problems)


def default_jobs() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Pages handed to the workers and not yet taken by the writer.
_IN_FLIGHT = 256
_WORK: Work | None = None  # what a worker process rebuilds from, inherited when it is forked


def _in_worker(task: tuple[str, Entry, str]) -> Outcome:
    return rebuild_page(_WORK, *task)  # type: ignore[arg-type]


def _worker_conn(db: str) -> Callable[[], Any]:
    """A read-only connection opened in the worker at its first use (a connection must not cross a fork)."""
    opened: list = []

    def conn():
        if not opened:
            opened.append(reader(db))
        return opened[0]

    return conn


class Workers:
    """The processes that rebuild pages: none (this process) when `jobs` is 1, else `jobs` worker
    processes forked here. Make it before the writer opens the archive for its run, so that no worker
    inherits the writer's connection or the run's lock."""

    def __init__(self, work: Work, jobs: int, db: str | Path):
        global _WORK
        self.work, self.pool, self.stopped = work, None, False
        if jobs > 1:
            import multiprocessing

            _WORK = Work(
                work.index, work.archived, work.files_dir, work.limits, _worker_conn(str(db))
            )
            # The index and the prior state are shared copy-on-write; frozen, the workers' garbage
            # collector neither walks them nor touches (and so copies) their pages.
            gc.freeze()
            try:
                self.pool = multiprocessing.get_context("fork").Pool(jobs)
            finally:
                gc.unfreeze()
                _WORK = None  # the workers have their copy

    def map(self, tasks: Iterable[tuple[str, Entry, str]]) -> Iterator[Outcome]:
        """Each task's outcome, in the tasks' order."""
        if self.pool is None:
            return (rebuild_page(self.work, *task) for task in tasks)
        return self._in_order(tasks)

    def _in_order(self, tasks: Iterable[tuple[str, Entry, str]]) -> Iterator[Outcome]:
        """Outcomes from the pool, at most _IN_FLIGHT pages ahead of the writer: the pool would otherwise
        hand out every task at once and keep every finished record in memory until the writer takes it,
        and a million-page rebuild whose writer is slower than its workers would hold them all."""
        room = threading.Semaphore(_IN_FLIGHT)

        def fed():
            for task in tasks:
                while not room.acquire(timeout=0.5):
                    if self.stopped:  # the writer failed: let the pool's feeder thread end
                        return
                yield task

        # a few pages per message: results in order, little pickling per page
        for outcome in self.pool.imap(_in_worker, fed(), chunksize=4):  # type: ignore[union-attr]
            room.release()
            yield outcome

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, *exc) -> None:
        self.stopped = True
        if self.pool is not None:
            # done: the workers leave when asked (their reader processes see their pipes close and end)
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()


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

    def __init__(self, work: Work, rid: str, page: str):
        self.index, self.archived, self.files_dir = work.index, work.archived, work.files_dir
        self.records, self.conn = work.attachments, work.conn
        self.rid, self.page = rid, page
        self.problems: list[str] = []  # what could not be rebuilt, for the summary
        self._images: dict[str, dict] | None = None

    @property
    def old_images(self) -> dict[str, dict]:
        if self._images is None:
            self._images = archived_images(self.conn(), self.rid)
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
                self.problems.append(f"{where}; read again from the stored file {old['path']}")
                return Fetched(data, 200, "", _old_pointer(old))
        if old is None:
            self.problems.append(f"{where}; nothing archived")
            return {"error": f"not rebuilt: {why}"}
        self.problems.append(f"{where}; kept as archived")
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
        kept = archived_text(self.conn(), self.rid)
        if kept is None:
            return ""
        item["text"], item["text_normalized"], item["text_source"] = kept
        item["ocr_errors"] = []  # the kept text stands; this run's OCR failures are in the summary
        why = f"{len(lost)} image(s) not readable again" if lost else "OCR read nothing"
        self.problems.append(f"images of {item['url']}: {why}; OCR text kept as archived")
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
