"""Crawl benchmark: pages/min on a large generated portal set vs `scrapy bench`, peak RSS, 2 workers vs 1.

Run: .venv/bin/python bench/crawl.py [--bureaus 20] [--items 250] [--bench-seconds 20] [--no-distributed]

Every figure is a ratio measured in this one run on this machine, because absolute pages/min mean
nothing across machines:
- `scrapy bench` (Scrapy's own link-following spider against its own local server, no item processing)
  runs as a subprocess in an empty directory, so it sees Scrapy's defaults; its pages/min is the
  ceiling of this machine's Scrapy.
- `scrapy crawl bureaus` crawls the large generated set (sample_portals/large.py, served by a separate
  process on 127.0.0.1:8740, politeness off) into a fresh archive with the full pipeline (extraction,
  classification, archive writes); pages/min = responses / Scrapy's elapsed time. Its RSS is sampled
  every 0.25 s and printed over time, to show it stays flat.
- `crawler.distributed` with 1 and then 2 scrapy-redis workers over the same set (Redis started here),
  pages/min from the coordinator's wall time, seeding to the last item written.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sample_portals import large  # noqa: E402

SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def scrapy_bench(seconds: int) -> tuple[float, int]:
    """(pages/min, pages) of `scrapy bench`, from its final stats: responses / elapsed seconds."""
    with tempfile.TemporaryDirectory(prefix="nianbao-scrapy-bench-") as empty:
        out = subprocess.run(
            [SCRAPY, "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
            cwd=empty,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    log = out.stdout + out.stderr
    count = re.search(r"'downloader/response_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not (count and elapsed):
        raise RuntimeError("could not read scrapy bench's stats:\n" + log[-3000:])
    pages = int(count.group(1))
    return pages / float(elapsed.group(1)) * 60, pages


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


class RssSampler:
    """Samples a process's resident memory every `interval` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = time.monotonic()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic() - self._t0, self.proc.memory_info().rss))
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class CpuSampler:
    """CPU seconds used by every process of a distributed run, by role, sampled while they live.

    The 2-workers-vs-1 ratio is bounded by the machine: when the processes together keep every CPU busy,
    no scheduling can do better. Counting each role's CPU shows where that bound comes from.
    """

    def __init__(self, server_pid: int, interval: float = 0.2):
        self.me = psutil.Process()
        self.server = psutil.Process(server_pid)
        self.interval = interval
        self.base: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _procs(self) -> list:
        return [self.me, self.server, *self.me.children(recursive=True)]

    def _role(self, proc) -> str:
        if proc.pid == self.me.pid:
            return "coordinator + archive writer"
        if proc.pid == self.server.pid:
            return "portal server"
        cmd = " ".join(proc.cmdline())
        if "redis-server" in cmd:
            return "redis"
        return "workers" if "scrapy" in cmd else "other"

    def _sample(self) -> None:
        for proc in self._procs():
            try:
                t = proc.cpu_times()
                self.last[proc.pid] = (self._role(proc), t.user + t.system)
            except psutil.Error:
                continue  # exited between listing and reading; its last sample stands

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> CpuSampler:
        for proc in self._procs():  # processes older than the run count from now
            t = proc.cpu_times()
            self.base[proc.pid] = t.user + t.system
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, (role, cpu) in self.last.items():
            out[role] = out.get(role, 0.0) + cpu - self.base.get(pid, 0.0)
        return out


def run_stats(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return json.loads(conn.execute("select stats from crawl_runs").fetchone()[0])
    finally:
        conn.close()


def single_crawl(registry: Path, workdir: Path) -> tuple[dict, list[tuple[float, int]]]:
    db = workdir / "single" / "archive.db"
    db.parent.mkdir(parents=True)
    env = {**os.environ, "NIANBAO_POLITE": "0"}
    cmd = [SCRAPY, "crawl", "bureaus", "-a", f"registry={registry}", "-a", f"db={db}"]
    cmd += ["-s", f"LOG_FILE={db.parent / 'crawl.log'}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    with RssSampler(proc.pid) as sampler:
        code = proc.wait()
    if code:
        raise RuntimeError(
            f"scrapy crawl bureaus exited with {code}; see {db.parent / 'crawl.log'}"
        )
    return run_stats(db), sampler.samples


def distributed_crawl(
    registry: Path, workdir: Path, workers: int, redis_url: str, server_pid: int
) -> dict:
    from crawler import distributed

    out = workdir / f"distributed-{workers}"
    out.mkdir()
    with CpuSampler(server_pid) as cpu:
        summary = distributed.run(
            str(registry), out / "archive.db", workers, redis_url, polite=False, log_dir=out
        )
    if any(summary["exit_codes"]):
        raise RuntimeError(f"a worker failed: {summary['exit_codes']}; logs in {out}")
    pages = sum(w.get("downloader/response_count", 0) for w in summary["worker_stats"])
    return {
        "pages": pages,
        "seconds": summary["seconds_to_last_item"],
        "wall": summary["seconds"],
        "items": summary["items"],
        "cpu": cpu.by_role(),
    }


def print_cpu(run: dict, label: str) -> float:
    """One line of CPU seconds by role; returns the run's total CPU seconds."""
    total = sum(run["cpu"].values())
    parts = ", ".join(f"{role} {sec:.1f}" for role, sec in sorted(run["cpu"].items()))
    print(
        f"  {label}: CPU s by role: {parts}; total {total:.1f} s over {run['wall']:.1f} s "
        f"= {total / run['wall']:.2f} CPUs busy"
    )
    return total


def print_rss(samples: list[tuple[float, int]]) -> int:
    if not samples:
        return 0
    peak = max(r for _, r in samples)
    step = max(1, len(samples) // 12)
    series = ", ".join(f"{t:.0f}s {r / 2**20:.0f}" for t, r in samples[::step])
    print(f"  RSS over time (MB): {series}")
    quarter = samples[len(samples) // 4][1]
    late = max(r for _, r in samples[len(samples) // 4 :])
    print(
        f"  peak RSS {peak / 2**20:.0f} MB (target <= 300 MB); after the first quarter of the crawl "
        f"RSS grew {late / quarter:.2f}x from {quarter / 2**20:.0f} MB (flat = close to 1)"
    )
    return peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=20)
    parser.add_argument("--items", type=int, default=250, help="detail pages per bureau")
    parser.add_argument("--port", type=int, default=large.DEFAULT_PORT)
    parser.add_argument("--bench-seconds", type=int, default=20, help="scrapy bench duration")
    parser.add_argument("--no-distributed", action="store_true")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="nianbao-bench-crawl-"))
    registry = large.write_registry(workdir / "large.yml", args.bureaus, args.port)
    expected = large.pages(args.bureaus, args.items)
    print(
        f"machine: {os.cpu_count()} CPUs; large portal set: {args.bureaus} TRS-like bureaus, {expected} pages"
    )

    sb_rate, sb_pages = scrapy_bench(args.bench_seconds)
    print(f"scrapy bench: {sb_pages} pages, {sb_rate:,.0f} pages/min")

    server = subprocess.Popen(
        [sys.executable, "-m", "sample_portals.large", "--bureaus", str(args.bureaus)]
        + ["--items", str(args.items), "--port", str(args.port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(args.port)
        stats, samples = single_crawl(registry, workdir)
        pages = stats["downloader/response_count"]
        rate = pages / stats["elapsed_time_seconds"] * 60
        print(
            f"scrapy crawl bureaus: {pages} pages ({expected} served), "
            f"{stats.get('nianbao/reports_new', 0)} reports, {stats['elapsed_time_seconds']:.1f} s, "
            f"{rate:,.0f} pages/min"
        )
        print(f"  ratio to scrapy bench: {rate / sb_rate:.2f} (target >= 0.6)")
        print_rss(samples)

        if not args.no_distributed:
            from crawler.distributed import local_redis

            with local_redis() as url:
                one = distributed_crawl(registry, workdir, 1, url, server.pid)
                two = distributed_crawl(registry, workdir, 2, url, server.pid)
            r1 = one["pages"] / one["seconds"] * 60
            r2 = two["pages"] / two["seconds"] * 60
            print(
                f"scrapy-redis, 1 worker: {one['pages']} pages, {one['seconds']:.1f} s, "
                f"{r1:,.0f} pages/min; 2 workers: {two['pages']} pages, {two['seconds']:.1f} s, "
                f"{r2:,.0f} pages/min"
            )
            print(
                f"  2 workers vs 1: {r2 / r1:.2f}x (target >= 1.6x; "
                f"{os.cpu_count()} CPUs shared by the workers, the writer, Redis and the portal server)"
            )
            print_cpu(one, "1 worker")
            cpu2 = print_cpu(two, "2 workers")
            # With every CPU busy, the 2-worker run cannot finish sooner than its CPU seconds spread over
            # all CPUs: that bounds the ratio, whatever the scheduling.
            bound = one["seconds"] / (cpu2 / (os.cpu_count() or 1))
            print(
                f"  machine-bound ceiling for 2 workers vs 1 on {os.cpu_count()} CPUs: {bound:.2f}x "
                f"(1-worker time / (2-worker CPU seconds / CPUs))"
            )
    finally:
        server.terminate()
        server.wait()
    print(f"work files in {workdir}")


if __name__ == "__main__":
    main()
