"""What each crawl run did, what went wrong, and what the next run must know: the part of the archive that
the crawl's bookkeeping talks to.

The crawler reads and writes these only through the methods here (never SQL on the archive's connection), so
the tables can change shape with their migrations and the crawl code stays unaware of them. `Archive`
(archive/ingest.py) inherits them; they use its connection, run locks and per-run counters.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from archive import runs, versions
from archive.schema import stable_id, transaction

__all__ = ["RunLog", "now"]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json_default(value: Any) -> Any:
    """Scrapy stats hold datetimes (start_time, finish_time) and sometimes timedeltas; JSON has neither."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            # Scrapy records naive UTC datetimes.
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


class RunLog:
    """Runs, errors, discovery and re-crawl state of one open archive (mixed into Archive)."""

    def record_discovery(self, bureau_id: str, column_url: str, link_text: str, page: str) -> bool:
        """Keep the column that discovery chose on the bureau's row; True when it is new or moved.

        The time is only updated when the choice changes, so re-crawls do not rewrite the row.
        """
        with transaction(self.conn):
            self._ensure_bureau(bureau_id)
            return bool(
                self.conn.execute(
                    "UPDATE bureaus SET discovered_column = ?, discovered_from = ?, discovered_at = ? "
                    "WHERE id = ? AND discovered_column IS NOT ?",
                    [column_url, f"「{link_text}」 on {page}", now(), bureau_id, column_url],
                ).rowcount
            )

    def record_error(
        self,
        url: str,
        reason: str,
        status: int | None = None,
        bureau_id: str | None = None,
        run_id: str | None = None,
    ) -> str:
        """Log a page the crawl could not archive; the same failure twice in one run is one row."""
        eid = stable_id(run_id or "", url, reason)
        with transaction(self.conn):
            self._ensure_bureau(bureau_id)
            self.conn.execute(
                "INSERT INTO crawl_errors (id, run, url, reason, status, bureau_id, time) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                [eid, run_id, url, reason, status, bureau_id, now()],
            )
        self._count(run_id, "errors")
        return eid

    def start_run(self, registry: str | None = None) -> str:
        """Open a crawl_runs row; its id is sortable by time and unique across machines.

        Start and id carry milliseconds: a small re-crawl can start within the same second as the one before
        it ended, and "the latest run" must not then be decided by the random suffix.

        The run holds an exclusive lock on its own file under `<archive>-runs/` until finish_run; the
        kernel drops it when the process dies, even by kill -9. So an open row whose lock can be taken
        belongs to a dead crawl: it is closed as interrupted here, before the new row is added.
        """
        started = datetime.now(UTC)
        run_id = started.strftime("%Y%m%dT%H%M%S") + f"{started.microsecond // 1000:03d}Z-"
        run_id += secrets.token_hex(3)
        self.locks.take(run_id)  # before the row exists, so no other start can think it dead
        self.close_dead_runs(run_id)
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO crawl_runs (id, start, registry) VALUES (?, ?, ?)",
                [run_id, started.isoformat(timespec="milliseconds"), registry],
            )
        self._run_counts.setdefault(run_id, Counter())
        return run_id

    def close_dead_runs(self, by: str | None = None) -> list[str]:
        """Mark every open run whose crawl is gone (killed, crashed) as interrupted (archive/runs.py)."""
        return runs.close_dead_runs(self.conn, self.locks, by)

    def finish_run(self, run_id: str, stats: dict | None = None, status: str | None = None) -> None:
        """Close the run with Scrapy's stats, keys as Scrapy names them (downloader/response_bytes, …).

        Its status is `finished` when the crawl got to its end (finish reason "finished", or none given),
        else `interrupted` (SIGTERM / Ctrl-C is "shutdown", a CloseSpider limit its own reason)."""
        if status is None:
            reason = (stats or {}).get("finish_reason") or "finished"
            status = "finished" if reason == "finished" else "interrupted"
        counts = self._run_counts.get(run_id, Counter())
        stats_json = json.dumps(
            dict(stats or {}), ensure_ascii=False, sort_keys=True, default=_json_default
        )
        with transaction(self.conn):
            self.conn.execute(
                'UPDATE crawl_runs SET "end" = ?, stats = ?, new_reports = ?, changed_reports = ?, '
                "unchanged_reports = ?, errors = ?, status = ? WHERE id = ?",
                [
                    now(),
                    stats_json,
                    counts["new"],
                    counts["changed"],
                    counts["unchanged"],
                    counts["errors"],
                    status,
                    run_id,
                ],
            )
        self.locks.release(run_id)

    # -- what a re-crawl needs (crawler/incremental.py) -------------------------------------------------

    def fetch_state(self) -> dict[str, tuple[str | None, str | None, str | None, str | None]]:
        """url → (etag, last_modified, list_title, list_date) of every archived report: the validators and
        list line that decide whether a re-crawl fetches a listed page again (migration 4)."""
        return {
            url: (etag, last_modified, title, day)
            for url, etag, last_modified, title, day in self.conn.execute(
                "SELECT url, etag, last_modified, list_title, list_date FROM reports"
            )
        }

    def removed_urls(self) -> set[str]:
        """Reports an earlier complete crawl no longer found listed; listed again, they come back."""
        return {
            url
            for (url,) in self.conn.execute("SELECT url FROM reports WHERE removed_at IS NOT NULL")
        }

    def mark_removals(self, complete_columns: Iterable[str], seen_urls: set[str]) -> list[str]:
        """Mark gone the reports of completely listed columns that no list showed (archive/versions.py);
        returns their ids."""
        with transaction(self.conn):
            removed, _ = versions.mark_removals(self.conn, complete_columns, seen_urls, now())
        return removed

    def errors_by_reason(self, run_id: str) -> dict[str, int]:
        """The run's errors counted by kind, largest first."""
        return versions.errors_by_reason(self.conn, run_id)

    def record_run_figures(self, run_id: str, figures: dict) -> None:
        """Requests, bytes, removals, errors by kind and WARC file on the run's row."""
        with transaction(self.conn):
            versions.record_run_figures(self.conn, run_id, figures)

    @contextmanager
    def batch(self) -> Iterator[RunLog]:
        """One transaction around many saves: one WAL commit and one FTS5 segment for the lot (a save
        inside joins it; an exception rolls the whole batch back)."""
        with transaction(self.conn):
            yield self
