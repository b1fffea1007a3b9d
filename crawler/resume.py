"""Resumable crawls: `kill -9` a crawl, run the same command again with `-s JOBDIR=DIR`, lose nothing.

Scrapy's own JOBDIR support is not enough against `kill -9`: its dupefilter marks a request as seen when
it is *scheduled*, so requests that were in flight (downloaded, or waiting in the item pipelines) at the
kill are never fetched again, and both the seen-file and the disk queues are written through Python
buffers that a killed process never flushes.

So nianbao marks a detail page as done only once its outcome is in the archive: `DoneLogPipeline` (after
ArchivePipeline) appends the page's URL to `DIR/nianbao-done.txt` and flushes it per line.
`ResumableDupeFilter` filters detail requests whose URL is in that log and dedupes everything else in
memory only, so a resumed run re-reads the (few, cheap) list pages, re-discovers every detail link and
fetches exactly the ones whose outcome was not recorded. Saving is idempotent (report id = hash of the
canonical URL), so a page fetched twice across the kill is still one report.

For the same reason `ResumableScheduler` keeps the frontier in memory even with a JOBDIR. Scrapy's disk
queues only write their bookkeeping (active.json, info.json, queue sizes) on a clean stop; after `kill -9`
the next run reopens the old queue files without it, reads stale records where its own pushes should be
and silently loses requests (a whole bureau, in our test). The frontier is cheap to rebuild from the list
pages, so the done-log is the only state a job keeps.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

from crawler.bounds import CAP_REACHED

__all__ = ["DONE_FILE", "DoneLogPipeline", "ResumableDupeFilter", "ResumableScheduler", "read_done"]

DONE_FILE = "nianbao-done.txt"


def read_done(directory: str | Path | None) -> set[str]:
    """The detail URLs whose outcome an earlier run of this job recorded."""
    if not directory:
        return set()
    path = Path(directory) / DONE_FILE
    if not path.exists():
        return set()
    # A kill can cut the last line short; a partial URL matches nothing and the page is fetched again.
    return {line for line in path.read_text(encoding="utf-8").splitlines() if line}


class ResumableDupeFilter(RFPDupeFilter):
    """In-memory request dedupe plus the job's done-log for detail pages (meta `entry_url`)."""

    def __init__(self, *args, done: set[str] | None = None, stats=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.done = done or set()
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        # path=None: Scrapy's requests.seen is not used, see the module docstring.
        return cls(
            None,
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
            done=read_done(job_dir(crawler.settings)),
            stats=crawler.stats,
        )

    def request_seen(self, request) -> bool:
        entry = request.meta.get("entry_url")
        if entry is not None and entry in self.done:
            if self.stats is not None:
                self.stats.inc_value("nianbao/resume_skipped_done")
            return True
        return super().request_seen(request)


class ResumableScheduler(Scheduler):
    """Scrapy's scheduler with memory queues only, whatever JOBDIR says (see the module docstring)."""

    def _dqdir(self, jobdir):
        # No requests.queue directory, no disk queues: Scheduler.open() then uses memory queues only.
        return None


class DoneLogPipeline:
    """Last pipeline: a detail URL whose report or error is saved is appended to the job's done-log."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler):
        directory = job_dir(crawler.settings)
        if not directory:
            raise NotConfigured("no JOBDIR")
        return cls(Path(directory) / DONE_FILE)

    def process_item(self, item):
        url = item.get("url")
        # a page a cap refused is not done: a resumed run with a higher cap must still fetch it
        if url and not str(item.get("reason") or "").startswith(CAP_REACHED):
            self._file.write(url + "\n")
            self._file.flush()
        return item

    def close_spider(self):
        self._file.close()
