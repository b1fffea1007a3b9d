"""Bytes of an unchanged re-crawl against the first crawl, over every sample portal (target ≤ 0.1).

Runs two real `scrapy crawl bureaus` over the sample portals (started on loopback unless they already
answer) into a fresh archive and prints both runs' figures from crawl_runs and their ratio. Byte counts are
Scrapy's `downloader/response_bytes`, so they do not depend on the machine.

    .venv/bin/python bench/recrawl.py
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nianbao.cli import run_crawl  # noqa: E402
from sample_portals import server  # noqa: E402


def main() -> None:
    stop = server.start_in_thread()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "archive.db"
            seconds = []
            for _ in range(2):
                t0 = time.perf_counter()
                code = run_crawl("sample", db, polite=False, extra=["-s", "LOG_LEVEL=WARNING"])
                seconds.append(time.perf_counter() - t0)
                if code:
                    raise SystemExit(f"crawl failed with exit code {code}")
            conn = sqlite3.connect(db)
            runs = conn.execute(
                "SELECT requests, response_bytes, new_reports, changed_reports, unchanged_reports "
                "FROM crawl_runs ORDER BY start, id"
            ).fetchall()
            warc = sum(p.stat().st_size for p in (Path(tmp) / "warc").glob("*.warc.gz"))
    finally:
        if stop:
            stop()
    (r1, b1, n1, _, _), (r2, b2, n2, c2, u2) = runs
    print(
        f"first crawl   {r1:5d} requests  {b1:>10,} bytes  {n1} new            {seconds[0]:.1f} s"
    )
    print(
        f"re-crawl      {r2:5d} requests  {b2:>10,} bytes  {n2} new {c2} changed "
        f"{u2} unchanged  {seconds[1]:.1f} s"
    )
    print(f"re-crawl / first crawl bytes: {b2 / b1:.3f}  (target ≤ 0.1)")
    print(f"WARC on disk for both runs: {warc:,} bytes")


if __name__ == "__main__":
    main()
