"""National crawl simulation: 3,300 bureaus, each on its own loopback host, crawled politely with time scaled.

Run: .venv/bin/python bench/national.py [--bureaus 3300] [--delay 0.02] [--latency 0.01] [--workers 0]
     [--concurrency 512] [--open-hosts 400]

`sample_portals.national` serves every bureau (10–40 items, 10 to a list page, robots.txt) on its own
address 127.20.X.Y from one asyncio process of its own, and records per host every request's arrival and
how many were in flight. The crawl is the real one (`scrapy crawl bureaus`, or with `--workers N` that many
scrapy-redis workers through `crawler.distributed`): full pipeline, WARC, archive, robots.txt obeyed, with
polite settings scaled in time: `DOWNLOAD_DELAY` = `--delay` standing for 1 s, one request at a time per
host, no jitter (so the bound below is exact), AutoThrottle off (it would only raise the delay to the
latency), the portal answering after `--latency` seconds.

The politeness bound — what a crawl with perfect overlap of all hosts would take under these limits:
- per host: Scrapy's slot starts a host's requests at least `delay` apart, so a host of p requests (robots.txt,
  list pages, details) spans at least (p − 1) × delay from its first to its last request; the crawl can be
  no shorter than its largest host: T_host = max over hosts of (p_h − 1) × delay.
- global: at most `CONCURRENT_REQUESTS` are in flight and each holds its place for at least the portal's
  latency, so P requests in all need T_global = P × latency / CONCURRENT_REQUESTS.
- bound = max(T_host, T_global). It ignores the CPU, so the script also prints the CPU floor: the crawl
  processes' CPU seconds divided by the cores they can use (one per Scrapy process, at most the machine's).
  When the CPU floor is above the politeness bound, the crawl is machine-bound, not politeness-bound, and
  the figure to read is measured ÷ max(bound, CPU floor): how much of the machine's time went unused.

Measured time is the portals' view: from the first request any portal saw to the last one. Peak RSS is the
sum over the crawl's process tree (the crawl process, or the coordinator and its workers), sampled every
0.25 s. The projection scales the politeness terms back to real delays (delay → 1 s, latency × the same
factor) and keeps the CPU floor, which does not scale: real time ≈ max(politeness bound at real delays,
CPU seconds ÷ cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sample_portals import national  # noqa: E402

SCRAPY = str(Path(sys.executable).with_name("scrapy"))


class TreeSampler:
    """Peak RSS and CPU seconds of a process and all its descendants, sampled every 0.25 s."""

    def __init__(self, pid: int, exclude: tuple[int, ...] = ()):
        self.root = psutil.Process(pid)
        self.exclude = set(exclude)
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.wait: dict[int, float] = {}  # seconds runnable but waiting for a CPU (main thread)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(5)

    def _procs(self) -> list[psutil.Process]:
        procs = [self.root, *self.root.children(recursive=True)]
        return [p for p in procs if p.pid not in self.exclude]

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for proc in self._procs():
                try:
                    total += proc.memory_info().rss
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
                    self.wait[proc.pid] = runqueue_wait(proc.pid)
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.25)


def runqueue_wait(pid: int) -> float:
    """Seconds the process's main thread was ready to run but waited for a CPU other processes held.

    /proc/PID/schedstat is "<ns on CPU> <ns waiting on a run queue> <timeslices>"; on a shared machine this
    is the part of the wall time that belongs to the neighbours, not to the crawl.
    """
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def polite_settings(args) -> dict:
    lean = {"ITEM_PIPELINES": "{}", "NIANBAO_WARC_ENABLED": False} if args.lean else {}
    return {
        **lean,
        "DOWNLOAD_DELAY": args.delay,
        "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS": args.concurrency,
        "NIANBAO_OPEN_HOSTS": args.open_hosts,
        "NIANBAO_PROGRESS_INTERVAL": 3600,
        "NIANBAO_SUMMARY": 0,
        "LOG_LEVEL": "WARNING",
    }


def crawl_single(
    registry: Path, db: Path, args, server_pid: int
) -> tuple[float, int, float, int, dict]:
    """(wall s, peak RSS, CPU s, processes) of `scrapy crawl bureaus` with the polite settings."""
    cmd = [SCRAPY, "crawl", "bureaus", "-a", f"registry={registry}", "-a", f"db={db}"]
    for name, value in polite_settings(args).items():
        cmd += ["-s", f"{name}={value}"]
    env = {
        k: v for k, v in os.environ.items() if k != "NIANBAO_POLITE"
    }  # polite mode: the real defaults
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    with TreeSampler(proc.pid) as sampler:
        _, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(err.decode("utf-8", "replace")[-3000:])
    return time.monotonic() - t0, sampler.peak, sum(sampler.cpu.values()), 1, sampler.wait


def crawl_distributed(
    registry: Path, db: Path, args, server_pid: int
) -> tuple[float, int, float, int, dict]:
    from crawler.distributed import local_redis, run

    os.environ.pop("NIANBAO_POLITE", None)
    with local_redis() as url:
        t0 = time.monotonic()
        # the coordinator (this process) writes the archive; its workers and Redis are its children
        with TreeSampler(os.getpid(), exclude=(server_pid,)) as sampler:
            summary = run(
                str(registry), db, args.workers, url, polite=True, settings=polite_settings(args)
            )
    if any(summary["exit_codes"]):
        raise RuntimeError(f"worker exit codes {summary['exit_codes']}")
    return (
        time.monotonic() - t0,
        sampler.peak,
        sum(sampler.cpu.values()),
        args.workers + 1,
        sampler.wait,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=3300)
    parser.add_argument("--delay", type=float, default=0.02, help="DOWNLOAD_DELAY standing for 1 s")
    parser.add_argument("--latency", type=float, default=0.01, help="the portals' answer time (s)")
    parser.add_argument("--workers", type=int, default=0, help="0: one `scrapy crawl` process")
    parser.add_argument("--concurrency", type=int, default=512, help="CONCURRENT_REQUESTS")
    parser.add_argument("--open-hosts", type=int, default=400, help="NIANBAO_OPEN_HOSTS")
    parser.add_argument(
        "--lean",
        action="store_true",
        help="no item pipelines, no WARC: the scheduling and politeness alone, at a fraction of the CPU",
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="nianbao-national-"))
    registry = work / "national.yml"
    server = subprocess.Popen(
        [sys.executable, "-m", "sample_portals.national", "--bureaus", str(args.bureaus)]
        + ["--latency", str(args.latency), "--registry", str(registry)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(server.stdout.readline())
        port, pages = ready["port"], ready["pages"]
        per_host = [national.pages_of(b) for b in range(args.bureaus)]
        print(
            f"{args.bureaus} bureaus on {args.bureaus} loopback hosts, {pages} pages "
            f"(per host {min(per_host)}–{max(per_host)}), delay {args.delay} s standing for 1 s, "
            f"latency {args.latency} s, CONCURRENT_REQUESTS {args.concurrency}, "
            f"open hosts {args.open_hosts}, {'lean (no pipelines, no WARC)' if args.lean else 'full pipeline'}, "
            + (f"{args.workers} scrapy-redis workers" if args.workers else "one process")
        )
        crawl = crawl_distributed if args.workers else crawl_single
        wall, peak, cpu, procs, waits = crawl(registry, work / "archive.db", args, server.pid)
        portal_cpu = sum(psutil.Process(server.pid).cpu_times()[:2])
        url = f"http://{national.address(0)}:{port}/-/stats"
        with urllib.request.urlopen(url, timeout=60) as resp:
            stats = json.load(resp)
    finally:
        server.terminate()
        server.wait(10)

    requests = sum(s["requests"] for s in stats.values())
    first = min(s["first"] for s in stats.values())
    last = max(s["last"] for s in stats.values())
    measured = last - first
    t_host = max(per_host) - 1
    t_host *= args.delay
    t_global = requests * args.latency / args.concurrency
    bound = max(t_host, t_global)
    cores = min(procs, os.cpu_count() or 1)
    cpu_floor = cpu / cores
    worst_inflight = max(s["max_inflight"] for s in stats.values())
    for host, seen in stats.items():
        if seen["max_inflight"] > 1:
            print(
                f"  host {host}: {seen['max_inflight']} in flight at once, {seen['requests']} requests "
                f"over {seen['connections']} connection(s), smallest gap {seen['min_gap']:.4f} s"
            )
    gaps = [s["min_gap"] for s in stats.values() if s["min_gap"] is not None]
    robots = max(s["robots"] for s in stats.values())
    scale = 1.0 / args.delay
    real_bound = max(t_host * scale, requests * args.latency * scale / args.concurrency)

    print(f"requests seen by the portals: {requests} ({len(stats)} hosts)")
    print(
        f"per host: at most {worst_inflight} in flight, smallest gap {min(gaps):.4f} s "
        f"(delay {args.delay}), robots.txt at most {robots} time(s)"
    )
    print(
        f"politeness bound: max(T_host {t_host:.2f} s, T_global {t_global:.2f} s) = {bound:.2f} s; "
        f"CPU floor {cpu_floor:.1f} s ({cpu:.1f} CPU s over {cores} core(s), portal server "
        f"{portal_cpu:.1f} s apart)"
    )
    print(
        f"measured (first to last request at the portals): {measured:.1f} s; process wall {wall:.1f} s; "
        f"ratio to the politeness bound {measured / bound:.2f}; "
        f"to max(bound, CPU floor) {measured / max(bound, cpu_floor):.2f}"
    )
    # the busiest process's wait: time the crawl's critical path stood in the run queue
    waited = max(waits.values(), default=0.0)
    print(
        f"the busiest crawl process waited {waited:.1f} s for a CPU held by other processes (load "
        f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs); measured minus that wait "
        f"{measured - waited:.1f} s, ratio to max(bound, CPU floor) "
        f"{(measured - waited) / max(bound, cpu_floor):.2f}"
    )
    print(f"peak RSS of the crawl's process tree: {peak / 1e6:.0f} MB")
    print(
        f"throughput {requests / measured:.0f} requests/s, {cpu / requests * 1000:.2f} CPU ms per request; "
        f"projection at 1 req/s per portal: politeness bound {real_bound:.0f} s, CPU "
        f"{cpu_floor:.0f} s on {cores} core(s) → about {max(real_bound, cpu_floor) / 60:.1f} min "
        f"on this machine; N machines: max({real_bound:.0f} s, {cpu:.0f} CPU s ÷ cores in all)"
    )


if __name__ == "__main__":
    main()
