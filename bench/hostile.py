"""Memory budget against the hostile sample portal: peak RSS of the whole crawl process tree.

Run: .venv/bin/python bench/hostile.py [--port 0] [--timeout 900] [--budget-mb 500]

The hostile portal (sample_portals/hostile, every case module: bombs, deep trees, endless paging, links,
private addresses, …) runs in a process of its own (`python -m sample_portals.hostile --port N`), so its
memory is not counted. One real `scrapy crawl bureaus` of its whole registry runs as a subprocess with
politeness off; every 50 ms the RSS of that process and all its children (the attachment reader
processes) is summed, and the peak is what the budget is about. Printed: peak RSS, wall time, pages
(responses), errors by reason, whether the crawl finished by itself (exit 0 before the timeout, run
status `finished`), and whether the peak is within the budget.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sample_portals import hostile  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"hostile portal did not start on port {port}")


class TreeSampler(threading.Thread):
    """Sums the RSS of a process and its descendants every `interval` seconds; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for p in procs:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += p.memory_info().rss
            if total > self.peak:
                self.peak, self.peak_processes = total, len(procs)
            time.sleep(self.interval)


# Digits and URLs vary per case; the reason's words are what to count: "HTTP 404" stays, a URL goes.
_URL_RE = re.compile(r"https?://\S+")  # matches "http://127.0.0.1:8750/documents/files/a.pdf"
_NUMBER_RE = re.compile(r"\d+")  # matches "1555525" in "(1555525 bytes compressed"


def _reason_key(reason: str) -> str:
    return _NUMBER_RE.sub("N", _URL_RE.sub("URL", reason))[:110]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="hostile portal port (0: a free one)")
    ap.add_argument(
        "--timeout", type=float, default=900.0, help="seconds before the crawl is killed"
    )
    ap.add_argument("--budget-mb", type=float, default=500.0)
    args = ap.parse_args()

    port = args.port or _free_port()
    portal = subprocess.Popen(
        [sys.executable, "-m", "sample_portals.hostile", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        with tempfile.TemporaryDirectory(prefix="nianbao-hostile-") as tmp:
            registry = hostile.write_registry(Path(tmp) / "hostile.yml", port=port)
            db = Path(tmp) / "data" / "archive.db"
            env = dict(os.environ, NIANBAO_POLITE="0")
            cmd = [sys.executable, "-m", "scrapy", "crawl", "bureaus"]
            cmd += ["-a", f"registry={registry}", "-a", f"db={db}", "-s", "LOG_LEVEL=WARNING"]
            started = time.monotonic()
            crawl = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            sampler = TreeSampler(crawl.pid)
            sampler.start()
            try:
                code = crawl.wait(timeout=args.timeout)
                by_itself = True
            except subprocess.TimeoutExpired:
                crawl.kill()
                code = crawl.wait()
                by_itself = False
            wall = time.monotonic() - started
            sampler.done.set()
            sampler.join()
            report(db, sampler, wall, code, by_itself, args)
    finally:
        portal.terminate()
        portal.wait()


def report(db: Path, sampler: TreeSampler, wall: float, code: int, by_itself: bool, args) -> None:
    conn = sqlite3.connect(db)
    try:
        run = conn.execute(
            "SELECT status, stats, requests FROM crawl_runs ORDER BY start DESC LIMIT 1"
        ).fetchone()
        reasons = Counter(
            _reason_key(r) for (r,) in conn.execute("SELECT reason FROM crawl_errors")
        )
        reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        conn.close()
    status, stats, requests = run or (None, None, None)
    responses = json.loads(stats or "{}").get("downloader/response_count")
    peak_mb = sampler.peak / 1024 / 1024
    print(f"bureaus            {len(hostile.registry_rows())} (every hostile case module)")
    print(
        f"peak RSS           {peak_mb:.0f} MB (crawl + readers, {sampler.peak_processes} processes)"
    )
    print(f"wall time          {wall:.1f} s")
    print(f"pages              {responses} responses, {requests} requests, {reports} reports")
    print(
        f"finished by itself {'yes' if by_itself and code == 0 and status == 'finished' else 'no'}"
        f" (exit {code}, run status {status})"
    )
    print(
        f"within budget      {'yes' if peak_mb <= args.budget_mb else 'NO'} (≤ {args.budget_mb:g} MB)"
    )
    print(f"errors by reason   ({sum(reasons.values())})")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")


if __name__ == "__main__":
    main()
