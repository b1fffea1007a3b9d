"""Re-extraction throughput: `nianbao reextract` over a crawl's WARC into a fresh archive, one process and N workers.

Run: .venv/bin/python bench/reextract.py [--bureaus 40] [--keep DIR] [--runs 1] [--jobs 1,2]

The first run crawls `--bureaus` simulated portals of `sample_portals.national` (full pipeline, WARC on) into
DIR (a temporary directory unless `--keep` names one); a later run with the same `--keep` reuses that WARC,
so figures before and after a change are taken over the same bytes. Each run rebuilds a fresh archive from
the WARC alone (no portal running) once per `--jobs` value (default: 1, then one worker per CPU) and prints
the detail pages rebuilt, the CPU seconds of reextract and its children (workers, document readers, OCR),
pages per CPU second, the wall time, pages per wall second — the figure the 200 pages/s target is about —
and the load average around it (the machine may be shared: wall figures are only as good as the CPU left).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def crawl(work: Path, bureaus: int) -> None:
    """A quick crawl of the simulated national portals (no politeness: they are our own servers)."""
    registry = work / "national.yml"
    server = subprocess.Popen(
        [sys.executable, "-m", "sample_portals.national", "--bureaus", str(bureaus)]
        + ["--latency", "0", "--registry", str(registry)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        json.loads(server.stdout.readline())  # the server says it is ready
        cmd = [str(BIN / "scrapy"), "crawl", "bureaus", "-a", f"registry={registry}"]
        cmd += [
            "-a",
            f"db={work / 'crawl.db'}",
            "-s",
            "LOG_LEVEL=WARNING",
            "-s",
            "NIANBAO_SUMMARY=0",
        ]
        subprocess.run(cmd, cwd=ROOT, env={**os.environ, "NIANBAO_POLITE": "0"}, check=True)
    finally:
        server.terminate()
        server.wait(10)


def rebuild(work: Path, jobs: int) -> tuple[int, float, float, float]:
    """(detail pages, user CPU s, system CPU s, wall s) of one `nianbao reextract` into a fresh file."""
    place = Path(tempfile.mkdtemp(prefix="fresh-", dir=work))  # its files/ and runs beside it
    fresh = place / "archive.db"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(
        [str(BIN / "nianbao"), "reextract", "--db", str(fresh), "--warc-dir", str(work / "warc")]
        + ["--jobs", str(jobs)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with sqlite3.connect(fresh) as conn:
        pages = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    shutil.rmtree(place)
    return pages, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=40)
    parser.add_argument("--keep", type=Path, default=None, help="crawl here once, reuse its WARC")
    parser.add_argument("--runs", type=int, default=1)
    cpus = len(os.sched_getaffinity(0))
    parser.add_argument(
        "--jobs", default=f"1,{cpus}", help=f"comma-separated worker counts (default 1,{cpus})"
    )
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-reextract-"))
    work.mkdir(parents=True, exist_ok=True)
    if not list((work / "warc").glob("*.warc.gz")):
        crawl(work, args.bureaus)
    size = sum(p.stat().st_size for p in (work / "warc").glob("*.warc.gz"))
    print(f"WARC {work / 'warc'}: {size:,} bytes; {cpus} CPUs")
    for n in range(args.runs):
        for jobs in dict.fromkeys(int(j) for j in args.jobs.split(",")):
            load = os.getloadavg()[0]
            pages, user, system, wall = rebuild(work, jobs)
            print(
                f"run {n + 1}, --jobs {jobs}: {pages} reports rebuilt, {user:.1f} s user + "
                f"{system:.1f} s system CPU, {pages / (user + system):.0f} pages per CPU second; "
                f"{wall:.1f} s wall, {pages / wall:.0f} pages/s (load average {load:.1f} -> "
                f"{os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
