"""A `共 999999 页` column crawled for real: requests, peak RSS and time until the crawl ends by itself.

Starts the hostile portal (sample_portals/hostile, case module `bounds`) on a free loopback port and runs
`scrapy crawl bureaus` on one of its paging bureaus, sampling the resident memory of the crawl's whole
process tree every 0.2 s. A crawl that has not ended after `--timeout` seconds gets SIGTERM (and the time
it then takes to exit is printed), then SIGKILL after 20 s more: without page caps the counter queues
every page it announces and never ends by itself.

    .venv/bin/python bench/page_caps.py [--bureau bounds-counter] [--timeout 60] [-s NAME=VALUE …]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sample_portals import hostile  # noqa: E402


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a child that just ended
            total += p.memory_info().rss
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bureau", default="bounds-counter")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("-s", dest="settings", action="append", default=[])
    args = parser.parse_args()
    portal = hostile.start_in_thread(port=0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            registry = portal.write_registry(Path(tmp) / "hostile.yml")
            db = Path(tmp) / "archive.db"
            cmd = [sys.executable, "-m", "scrapy", "crawl", "bureaus", "-a", f"registry={registry}",
                   "-a", f"db={db}", "-a", f"bureau={args.bureau}", "-s", "LOG_LEVEL=WARNING",
                   "-s", "NIANBAO_SUMMARY=False"]  # fmt: skip
            for setting in args.settings:
                cmd += ["-s", setting]
            env = {**os.environ, "NIANBAO_POLITE": "0"}
            t0 = time.monotonic()
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            ps = psutil.Process(proc.pid)
            peak, term_at, killed = 0, None, False
            while proc.poll() is None:
                peak = max(peak, tree_rss(ps))
                now = time.monotonic()
                if term_at is None and now - t0 > args.timeout:
                    proc.send_signal(signal.SIGTERM)
                    term_at = now
                elif term_at is not None and now - term_at > 20:
                    proc.kill()
                    killed = True
                time.sleep(0.2)
            ended = time.monotonic()
            elapsed = ended - t0
            stats, errors = {}, []
            if db.exists():
                conn = sqlite3.connect(db)
                row = conn.execute("SELECT stats FROM crawl_runs").fetchone()
                stats = json.loads(row[0]) if row and row[0] else {}
                errors = conn.execute(
                    "SELECT reason FROM crawl_errors WHERE reason LIKE 'page cap reached%'"
                ).fetchall()
                conn.close()
    finally:
        portal.stop()
    fetched = sum(n for path, n in portal.hits.items() if path.startswith("/bounds/"))
    print(f"bureau {args.bureau}  settings {args.settings or 'defaults'}")
    print(f"pages fetched from the portal  {fetched}")
    print(f"requests enqueued              {stats.get('scheduler/enqueued', 'unknown (no stats)')}")
    print(f"peak RSS of the process tree   {peak / 2**20:.0f} MB")
    how = "ended by itself"
    if term_at is not None:
        how = f"SIGTERM after {args.timeout:.0f} s, exit {ended - term_at:.1f} s later"
        how = (
            how if not killed else f"SIGTERM ignored for 20 s, SIGKILLed after {args.timeout:.0f} s"
        )
    print(f"time                           {elapsed:.1f} s ({how})")
    print(f"page cap errors                {[r for (r,) in errors]}")


if __name__ == "__main__":
    main()
