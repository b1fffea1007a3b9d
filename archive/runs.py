"""Which crawl runs are still alive: one lock file per open run, so a killed crawl is found dead.

A crawl killed with `kill -9` (or by the machine going down) never writes its crawl_runs row's end. The
row must not stay open forever, and must not be closed while its crawl still runs (two crawls may share
an archive). So each run holds an exclusive `flock` on `<archive>-runs/<run id>.lock` from start_run to
finish_run; the kernel drops the lock when the process dies, whatever the signal. The next start_run
closes every open row whose lock it can take (or whose file is gone: an archive older than the locks) as
`interrupted`, with its last write to the archive as its end.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from pathlib import Path

from archive.schema import transaction

__all__ = ["RunLocks", "close_dead_runs", "mark_interrupted"]


class RunLocks:
    """The locks this process holds, one per run it opened, beside the archive file."""

    def __init__(self, db_path: Path):
        self.folder = db_path.parent / f"{db_path.name}-runs"
        self._held: dict[str, int] = {}

    def path(self, run_id: str) -> Path:
        return self.folder / f"{run_id}.lock"

    def take(self, run_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path(run_id), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._held[run_id] = fd

    def release(self, run_id: str) -> None:
        fd = self._held.pop(run_id, None)
        if fd is not None:
            self.path(run_id).unlink(missing_ok=True)
            os.close(fd)

    def release_all(self) -> None:
        for run_id in list(self._held):
            self.release(run_id)

    def alive(self, run_id: str) -> bool:
        """Whether some process still holds the run's lock (its crawl is running)."""
        if run_id in self._held:
            return True
        try:
            fd = os.open(self.path(run_id), os.O_RDWR)
        except FileNotFoundError:
            return False  # never locked (an archive older than run locks) or already released
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also drops the lock just taken
        self.path(run_id).unlink(missing_ok=True)
        return False


def close_dead_runs(conn: sqlite3.Connection, locks: RunLocks, by: str | None = None) -> list[str]:
    """Mark every open run whose crawl is gone as interrupted; returns their ids.

    Its end becomes its last write to the archive (a report or an error), or its start; its stats, if it
    has none, say it was killed and which run found it."""
    open_runs = [r for (r,) in conn.execute('SELECT id FROM crawl_runs WHERE "end" IS NULL')]
    dead = [r for r in open_runs if not locks.alive(r)]
    note = json.dumps({"finish_reason": "killed", "closed_by": by}, ensure_ascii=False)
    with transaction(conn):
        for run_id in dead:
            conn.execute(
                'UPDATE crawl_runs SET "end" = max(start, coalesce((SELECT max(t) FROM ('
                "SELECT max(time) AS t FROM crawl_errors WHERE run = :id UNION ALL "
                "SELECT max(fetched_at) FROM reports WHERE run_id = :id)), start)), "
                "status = 'interrupted', stats = coalesce(stats, :note) "
                'WHERE id = :id AND "end" IS NULL',
                {"id": run_id, "note": note},
            )
    return dead


def mark_interrupted(db: str | Path, run_id: str, timeout: float = 1.0) -> None:
    """Close an open run as interrupted, now, over a connection of the calling thread: the crawl's
    shutdown watch (crawler/shutdown.py) calls it while the thread holding the archive may be blocked.
    A locked or unreadable file is left alone; the next run closes the run from its lock."""
    from datetime import UTC, datetime

    try:
        conn = sqlite3.connect(db, timeout=timeout)
    except sqlite3.Error:
        return
    try:
        conn.execute(
            "UPDATE crawl_runs SET \"end\" = ?, status = 'interrupted' "
            'WHERE id = ? AND "end" IS NULL',
            [datetime.now(UTC).isoformat(timespec="seconds"), run_id],
        )
        conn.commit()
    except sqlite3.Error:
        pass
    finally:
        conn.close()
