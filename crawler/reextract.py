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

Pages are independent, so `--jobs` worker processes rebuild them (crawler/reextract_pages.py) and this
process alone writes, in the order a single process would and 200 pages per transaction: a commit per
report cost more CPU than the extraction, and one writer in a fixed order keeps the archive the same, row
for row, whatever the number of workers.

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

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from archive.schema import report_id
from crawler.reextract_pages import Outcome, WarcIndex, Work, Workers, default_jobs

__all__ = ["Summary", "WarcIndex", "reextract"]


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


def reextract(
    db: str | Path,
    warc_dir: str | Path,
    files_dir: str | Path | None = None,
    registry: str | None = None,
    limits=None,
    jobs: int | None = None,
) -> Summary:
    """Re-derive reports (text, metadata, kind, tables, attachments' text, search index) from the WARCs.

    Returns the counts (new / changed / unchanged / errors / skipped: not text / refused: the crawl's
    limits / kept: not rebuilt, archived text kept) and the problems met, each naming file and offset.
    `limits` (crawler.docguard.Limits) are the attachment readers' limits, the crawl's defaults if None.
    `jobs` pages are rebuilt at once in worker processes (default: one per CPU); the archive is the same
    whatever the number.
    """
    from archive import rebuild
    from archive.ingest import Archive

    index = WarcIndex(warc_dir)
    files_dir = Path(files_dir) if files_dir else Path(db).parent / "files"
    summary = Summary()
    counts = summary.counts
    summary.problems.extend(f"unreadable: {d}" for d in index.damage)
    with Archive(db) as archive:  # brought to the current shape, then read as it was before
        archived = rebuild.Archived(archive.conn)
    work = Work(index, archived, files_dir, limits, conn=lambda: None)
    with Workers(work, jobs or default_jobs(), db) as workers, Archive(db) as archive:
        work.conn = lambda: archive.conn  # a single process reads through the writer's connection
        for file, rows in sorted(archived.missing_files(index.files).items()):
            summary.problems.append(f"missing WARC file {file} ({rows} archive rows point at it)")
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
        tasks = ((url, entry, run_id) for url, entry in sorted(details.items()))
        done = workers.map(tasks)
        while batch := list(islice(done, _BATCH)):
            with archive.batch():  # one commit (and one search index segment) per batch
                for outcome in batch:
                    _save(archive, outcome, run_id, summary)
        rebuild.finish(archive.conn, fresh=not archived.reports)
        figures = {f"nianbao/reextract/{k}": v for k, v in counts.items()}
        figures["nianbao/reextract/problems"] = summary.problems[:1000]
        archive.finish_run(run_id, figures)
    return summary


# Pages saved per transaction: a commit per report was a third of a rebuild's CPU time (the WAL's writes
# and syncs), and a batch of this size keeps each commit's WAL growth to a few MB.
_BATCH = 200


def _save(archive, outcome: Outcome, run_id: str, summary: Summary) -> None:
    """One page's outcome written as the single-process rebuild writes it."""
    from archive import rebuild

    counts = summary.counts
    summary.problems.extend(outcome.problems)
    if outcome.status == "kept":
        counts["kept"] += 1
        summary.problems.append(outcome.reason)
    elif outcome.status in ("refused", "rejected"):
        archive.record_error(
            outcome.url, outcome.reason, outcome.http_status, outcome.bureau_id, run_id
        )
        counts["refused" if outcome.status == "refused" else "errors"] += 1
    elif outcome.status == "skipped":
        counts["skipped"] += 1
    else:
        record = outcome.record
        result = archive.save_report(record)
        counts[result] += 1
        # a new report's tables were just parsed by save_report from the same text and attachments
        if record.get("kind") == "annual_report" and result not in ("new", "refused"):
            rebuild.reparse_tables(
                archive.conn,
                report_id(outcome.url),
                record.get("text") or "",
                record.get("year"),
                record.get("text_source"),
                [a["text"] for a in record.get("attachments") or [] if a.get("text")],
            )
