"""National crawl simulation: 3,300 bureaus, each on its own loopback host, crawled politely.

Run: .venv/bin/python bench/national.py [--bureaus 3300] [--delay 20] [--latency 0.05] [--workers 0]
     [--concurrency 0] [--open-hosts 0] [--lean] [--real-latency 0.5]

`sample_portals.national` serves every bureau (10–40 items, 10 to a list page, robots.txt) on its own
address 127.20.X.Y from one asyncio process of its own, and records per host every request's arrival and
how many were in flight. The crawl is the real one (`scrapy crawl bureaus`, or with `--workers N` that many
scrapy-redis workers under `python -m crawler.distributed`, the coordinator as a process of its own that
starts Redis and the workers and writes the archive): full pipeline (or `--lean`: no item pipelines, no WARC),
robots.txt obeyed, one request at a time per host, `DOWNLOAD_DELAY` = `--delay`, no jitter (so the bound
below is exact), AutoThrottle off, the portal answering after `--latency` seconds.

The politeness bound — what a crawl with perfect overlap of all hosts would take under these limits:
- per host: a host's next request starts at least `delay` after its last answer came back
  (`NIANBAO_DELAY_FROM_RESPONSE`, `crawler.politeness`; Scrapy's own slot counts from the dispatch), so a
  host of p requests (robots.txt, list pages, details) spans at least (p − 1) × (delay + latency) from its
  first to its last request; the crawl can be no shorter than its largest host: T_host = max over hosts of
  (p_h − 1) × (delay + latency) (with `-s NIANBAO_DELAY_FROM_RESPONSE=False`, (p_h − 1) × delay).
- global: at most `CONCURRENT_REQUESTS` are in flight and each holds its place for at least the portal's
  latency, so P requests in all need T_global = P × latency / CONCURRENT_REQUESTS.
- bound = max(T_host, T_global). Every host must be open from the start for a crawl to reach it, so
  `--open-hosts` defaults to all of them, and `--concurrency` to 3 × open hosts: Scrapy counts a request
  waiting in its slot for the delay (and one waiting for robots.txt) against `CONCURRENT_REQUESTS`, and the
  queue keeps one per host there, or more with `NIANBAO_HOST_QUEUE_AHEAD` (`crawler.politeness`), so a
  smaller figure would cap the hosts in progress and make the global limit, not politeness, the one that
  binds. The hosts start `--start-rate` a second (default: all of them over two delays, START_DELAYS), so
  that they do not come due together and the start does not ask for more CPU than the crawl has (the
  largest host may start up to two delays late: the bound does not count that).

Why the delay is 20 s and not a fraction of the real 1 s: the CPU does not scale with the delay. With 3,300
hosts all open, the portals allow 3,300 ÷ delay requests per second, and each costs the crawl ≈ 2.4 ms of CPU
lean (≈ 8 ms with the pipelines): at a real 1 s that is 3,300 requests/s wanted from a machine that serves
≈ 400 (one core, lean), so the real national crawl on one machine is CPU-bound, not politeness-bound, and a
delay scaled *down* only measures the CPU. To check that the scheduler keeps every host at its limit, the
delay is scaled *up* until the machine has room: at 20 s the 3,300 hosts ask for ≈ 0.4–0.6 of a core at
the start (2.4–3.6 ms per request), T_host is 882 s and the CPU floor ≈ 230–350 s. A machine that gives the
crawl less than that (a shared one) needs a longer delay or fewer bureaus: the script prints what the
politeness asks of the CPU and what the crawl got, and the CPU floor beside the bound, and says which binds.
The projection then puts the real figures back: at 1 s per portal T_host is the largest host's requests − 1
times (1 s + `--real-latency`), T_global is P × `--real-latency` ÷ `CONCURRENT_REQUESTS`, and the CPU seconds measured here are
spread over the cores of N machines; the time is the largest of the three.

Measured time is the portals' view: from the first request any portal saw to the last one. Each host is
checked against its limits in its own log: at most one request in flight, robots.txt once, no two requests
closer than the delay, and no WINDOW consecutive requests within less than (WINDOW − 1) delays. With the
delay counted from the dispatch instead (`-s NIANBAO_DELAY_FROM_RESPONSE=False`), a request dispatched on
time can reach the socket late when the process was busy, which shortens the gap after it but not a span:
`--lateness` then allows that much on the spans, and single gaps are not checked. Peak RSS is
the largest sum over the crawl's process tree at one instant (the crawl process, or the coordinator with its
workers and Redis: everything on this machine; this script is not part of it), sampled every 0.25 s, with each process's own peak beside
it; peak PSS is the same sum in proportional set sizes, which count a page several processes share (the
libraries two Scrapy workers map) once instead of in each of them: what the machine holds for the crawl. On a machine shared with other work the crawl gets only its share of the CPU (priorities do not help:
with the kernel's autogroups, nice only ranks processes of one session), so the run-queue wait of the
busiest process is printed with the load average: the part of the time that belonged to the neighbours.
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
# Hosts start over this many delays. Each starts with its robots.txt and a list page, the dearest page to
# parse: started over one delay (165 a second at 3,300 hosts) they asked for more CPU than the crawl had and
# the process kept the high-water mark of what waited meanwhile (341 MB in the first 75 s, against 229 MB
# started over two; the bound does not count the starts, which cost the ratio up to 2 delays ÷ the bound).
START_DELAYS = 2
# The sampler reads proportional set sizes every this many samples (pss()).
PSS_EVERY = 4
# The per-host check of tests/test_politeness.py: spans of WINDOW consecutive requests, one lateness allowed (--lateness).
WINDOW = 9


class TreeSampler:
    """Peak RSS and CPU seconds of a process and all its descendants, sampled every 0.25 s.

    `peak` is the largest sum over the tree at one instant (what the machine holds); `peaks` keeps each
    process's own peak under a label (crawl, worker, coordinator, redis) to show where the memory is.
    """

    def __init__(self, pid: int, exclude: tuple[int, ...] = ()):
        self.root = psutil.Process(pid)
        self.exclude = set(exclude)
        self.peak = 0
        self.peak_pss = 0  # the same sum in proportional set sizes (pss), every PSS_EVERY samples
        self.peaks: dict[int, tuple[str, int]] = {}
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
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:  # the crawl process has just ended
            return []
        return [p for p in procs if p.pid not in self.exclude]

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            total = shared = 0
            with_pss = tick % PSS_EVERY == 0
            for proc in self._procs():
                try:
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
                    self.wait[proc.pid] = runqueue_wait(proc.pid)
                    label, before = self.peaks.get(proc.pid) or (role(proc), 0)
                    self.peaks[proc.pid] = (label, max(before, rss))
                    if with_pss:
                        shared += pss(proc.pid)
                except psutil.Error:
                    continue
                total += rss
            self.peak = max(self.peak, total)
            if with_pss:
                self.peak_pss = max(self.peak_pss, shared)
            tick += 1
            time.sleep(0.25)

    def breakdown(self) -> str:
        """ "worker 121 + worker 118 + coordinator 64 + redis 9 MB": each process's own peak."""
        parts = sorted(self.peaks.values(), key=lambda p: -p[1])
        return " + ".join(f"{label} {rss / 1e6:.0f}" for label, rss in parts if rss > 2e6) + " MB"


def role(proc: psutil.Process) -> str:
    cmd = " ".join(proc.cmdline())
    if "redis-server" in cmd:
        return "redis"
    if "bureaus_redis" in cmd:
        return "worker"
    if "scrapy" in cmd:
        return "crawl"
    return "coordinator"


def pss(pid: int) -> int:
    """The process's proportional set size in bytes: its pages, each page it shares with N processes counted
    1/N. Summed over processes it counts a shared page once, where RSS counts it in every process that maps
    it (two Scrapy workers share ≈ 16 MB of libpython, cryptography, lxml and libcrypto pages). The kernel
    walks the page tables for it (/proc/PID/smaps_rollup), so it is read once a second, not every 0.25 s."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


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
        "NIANBAO_HOST_START_RATE": args.start_rate,
        "NIANBAO_PROGRESS_INTERVAL": 3600,
        "NIANBAO_SUMMARY": 0,
        "LOG_LEVEL": "WARNING",
        **dict(item.split("=", 1) for item in args.set),
    }


def sampled(cmd: list[str], what: str) -> tuple[float, TreeSampler]:
    """(wall s, what the sampler saw) of one crawl command, polite mode (the real defaults: no
    NIANBAO_POLITE), its process tree sampled until it ends."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_POLITE"}
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    with TreeSampler(proc.pid) as sampler:
        _, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"{what}: " + err.decode("utf-8", "replace")[-3000:])
    return time.monotonic() - t0, sampler


def crawl_single(registry: Path, db: Path, args, server_pid: int) -> tuple[float, TreeSampler, int]:
    """(wall s, what the sampler saw, Scrapy processes) of `scrapy crawl bureaus`, polite settings."""
    cmd = [SCRAPY, "crawl", "bureaus", "-a", f"registry={registry}", "-a", f"db={db}"]
    for name, value in polite_settings(args).items():
        cmd += ["-s", f"{name}={value}"]
    return *sampled(cmd, "scrapy crawl"), 1


def crawl_distributed(
    registry: Path, db: Path, args, server_pid: int
) -> tuple[float, TreeSampler, int]:
    """(wall s, what the sampler saw, worker processes) of `python -m crawler.distributed`: the coordinator
    as an operator runs it, a process of its own that starts Redis and the workers and writes the archive,
    so the tree sampled is what the machine holds for the crawl (this script is not in it)."""
    from crawler.distributed import free_port

    cmd = [sys.executable, "-m", "crawler.distributed", "--workers", str(args.workers)]
    cmd += ["--registry", str(registry), "--db", str(db), "--redis-port", str(free_port())]
    for name, value in polite_settings(args).items():
        cmd += ["--set", f"{name}={value}"]
    return *sampled(cmd, "coordinator"), args.workers


def host_limits(
    stats: dict, delay: float, lateness: float, gaps: bool
) -> tuple[int, int, list[str], str]:
    """(most in flight on a host, most robots.txt fetches, hosts over their limits, what the spans say).

    A host is over its limit when it had two requests in flight, fetched robots.txt twice, received two
    requests less than a delay apart (`gaps`: the delay counted from the answer, which no lateness can
    shorten), or WINDOW consecutive requests within less than (WINDOW − 1) delays minus `lateness`: counted
    from the dispatch, a request that reached the socket late (the process was busy) shortens the gap after
    it by that lag, but spans of several requests do not add lags up.
    """
    over, shortest, whole = [], [], []
    for host, seen in stats.items():
        arrivals = seen["arrivals"]
        spans = [b - a for a, b in zip(arrivals, arrivals[WINDOW - 1 :], strict=False)]
        if spans:
            shortest.append(min(spans) / ((WINDOW - 1) * delay))
        if len(arrivals) > 1:
            whole.append((arrivals[-1] - arrivals[0]) / ((len(arrivals) - 1) * delay))
        short = bool(spans) and min(spans) < (WINDOW - 1) * delay - lateness
        close = gaps and seen["min_gap"] is not None and seen["min_gap"] < delay
        if seen["max_inflight"] > 1 or seen["robots"] > 1 or short or close:
            over.append(
                f"{host}: {seen['max_inflight']} in flight, robots.txt {seen['robots']}×, "
                f"shortest gap {seen['min_gap'] or 0:.3f} s, "
                f"shortest span of {WINDOW} {min(spans, default=0):.3f} s"
            )
    worst = max(s["max_inflight"] for s in stats.values())
    robots = max(s["robots"] for s in stats.values())
    spans = (
        f"shortest span of {WINDOW} requests on any host {min(shortest, default=0):.4f} × "
        f"{WINDOW - 1} delays, every host's first-to-last span ≥ {min(whole, default=0):.4f} × "
        f"its (requests − 1) delays"
    )
    return worst, robots, over, spans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=3300)
    parser.add_argument(
        "--delay",
        type=float,
        default=20.0,
        help="DOWNLOAD_DELAY standing for the real 1 s (see the docstring)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="the portals' answer time (s)")
    parser.add_argument("--workers", type=int, default=0, help="0: one `scrapy crawl` process")
    parser.add_argument(
        "--concurrency", type=int, default=0, help="CONCURRENT_REQUESTS (0: 3 × open hosts)"
    )
    parser.add_argument("--open-hosts", type=int, default=0, help="NIANBAO_OPEN_HOSTS (0: all)")
    parser.add_argument(
        "--start-rate",
        type=float,
        default=0,
        help="NIANBAO_HOST_START_RATE, hosts started per second and process (0: open hosts ÷ "
        "(START_DELAYS × delay) ÷ processes, the starts spread over two delays)",
    )
    parser.add_argument(
        "--real-latency",
        type=float,
        default=0.5,
        help="a real portal's answer time, for the projection",
    )
    parser.add_argument(
        "--lateness",
        type=float,
        default=None,
        help="how late one request may reach a portal's socket on a loaded machine (s), see host_limits "
        "(default 0, or 1.5 with the delay counted from the dispatch)",
    )
    parser.add_argument(
        "--lean",
        action="store_true",
        help="no item pipelines, no WARC: the scheduling and politeness alone, at a fraction of the CPU",
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one more Scrapy setting for the crawl (repeatable), after the ones above",
    )
    args = parser.parse_args(argv)
    # the delay counted from the answer (crawler.politeness, default) or, as Scrapy does, from the dispatch
    chosen = dict(item.split("=", 1) for item in args.set).get(
        "NIANBAO_DELAY_FROM_RESPONSE", "True"
    )
    args.from_response = chosen.strip().lower() not in ("0", "false", "no", "off")
    if args.lateness is None:
        args.lateness = 0.0 if args.from_response else 1.5
    args.open_hosts = args.open_hosts or args.bureaus
    args.concurrency = args.concurrency or max(512, 3 * args.open_hosts)
    # each worker's queue starts its own hosts: together they spread the starts over START_DELAYS delays
    args.start_rate = args.start_rate or args.open_hosts / (START_DELAYS * args.delay) / max(
        1, args.workers
    )

    work = Path(tempfile.mkdtemp(prefix="nianbao-national-"))
    registry = work / "national.yml"
    server = subprocess.Popen(
        [sys.executable, "-m", "sample_portals.national", "--bureaus", str(args.bureaus)]
        + ["--latency", str(args.latency), "--registry", str(registry)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    load_before = os.getloadavg()[0]
    try:
        ready = json.loads(server.stdout.readline())
        port, pages = ready["port"], ready["pages"]
        per_host = [national.pages_of(b) for b in range(args.bureaus)]
        print(
            f"{args.bureaus} bureaus on {args.bureaus} loopback hosts, {pages} pages "
            f"(per host {min(per_host)}–{max(per_host)}), delay {args.delay:g} s for the real 1 s, "
            f"latency {args.latency:g} s, CONCURRENT_REQUESTS {args.concurrency}, "
            f"open hosts {args.open_hosts} ({args.start_rate:g} started per s), "
            f"{'lean (no pipelines, no WARC)' if args.lean else 'full pipeline'}, "
            + (f"{args.workers} scrapy-redis workers" if args.workers else "one process")
        )
        crawl = crawl_distributed if args.workers else crawl_single
        wall, sampler, procs = crawl(registry, work / "archive.db", args, server.pid)
        portal_cpu = sum(psutil.Process(server.pid).cpu_times()[:2])
        url = f"http://{national.address(0)}:{port}/-/stats"
        with urllib.request.urlopen(url, timeout=60) as resp:
            stats = json.load(resp)
    finally:
        server.terminate()
        server.wait(10)
    (work / "portal-stats.json").write_text(json.dumps(stats))
    print(f"per-host logs (arrivals, connections, statuses): {work / 'portal-stats.json'}")
    report(args, stats, per_host, wall, sampler, procs, portal_cpu, load_before)


def report(args, stats, per_host, wall, sampler, procs, portal_cpu, load_before) -> None:
    requests = sum(s["requests"] for s in stats.values())
    firsts = sorted(s["first"] for s in stats.values())
    last = max(s["last"] for s in stats.values())
    measured = last - firsts[0]
    t_host = (max(per_host) - 1) * (args.delay + (args.latency if args.from_response else 0.0))
    t_global = requests * args.latency / args.concurrency
    bound = max(t_host, t_global)
    cpu = sum(sampler.cpu.values())
    cores = min(procs, os.cpu_count() or 1)
    cpu_floor = cpu / cores
    worst, robots, over, spans = host_limits(
        stats, args.delay, args.lateness, gaps=args.from_response
    )
    min_gap = min(s["min_gap"] for s in stats.values() if s["min_gap"] is not None)

    print(f"requests seen by the portals: {requests} ({len(stats)} hosts)")
    print(
        f"per host: at most {worst} in flight, smallest gap {min_gap:.3f} s (delay {args.delay:g}), "
        f"robots.txt at most {robots}×; hosts over a limit: {len(over)}"
        + (" (no two requests within a delay," if args.from_response else " (")
        + f" no {WINDOW} requests within {WINDOW - 1} delays − {args.lateness:g} s)"
    )
    print(f"  {spans}")
    for line in over[:10]:
        print("  over:", line)
    print(
        f"hosts started (first request) within {firsts[-1] - firsts[0]:.1f} s of the first; "
        f"{sum(f - firsts[0] > 0.05 * bound for f in firsts)} later than 5 % of the bound"
    )
    print(
        f"politeness bound: max(T_host {t_host:.1f} s, T_global {t_global:.1f} s) = {bound:.1f} s; "
        f"CPU floor {cpu_floor:.1f} s ({cpu:.1f} CPU s over {cores} core(s); portal server "
        f"{portal_cpu:.1f} CPU s apart) → "
        + (
            "politeness-bound"
            if bound >= cpu_floor
            else "machine-bound: the CPU floor is above the bound"
        )
    )
    waited = max(sampler.wait.values(), default=0.0)
    print(
        f"measured (first to last request at the portals): {measured:.1f} s; process wall {wall:.1f} s; "
        f"**ratio to the politeness bound {measured / bound:.3f}**"
    )
    print(
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs; "
        f"the busiest crawl process waited {waited:.1f} s for a CPU held by other processes"
    )
    print(
        f"peak RSS summed over the crawl's processes (a page they share counted in each): "
        f"{sampler.peak / 1e6:.0f} MB = at most {sampler.breakdown()}"
    )
    print(
        f"peak memory on this machine, PSS summed over the same processes (a page they share counted once, "
        f"sampled every {PSS_EVERY * 0.25:g} s): {sampler.peak_pss / 1e6:.0f} MB"
    )
    per_request = cpu / requests
    real_host = (max(per_host) - 1) * (1.0 + (args.real_latency if args.from_response else 0.0))
    real_global = requests * args.real_latency / args.concurrency
    print(
        f"throughput {requests / measured:.0f} requests/s, {per_request * 1000:.2f} CPU ms per request "
        f"(crawl processes, {'lean' if args.lean else 'full pipeline'}); at the start politeness lets "
        f"{len(stats)} hosts ÷ {args.delay:g} s = {len(stats) / args.delay:.0f} requests/s through, "
        f"{len(stats) / args.delay * per_request:.2f} core(s) of CPU; the crawl got {cpu / measured:.2f}"
    )
    print(
        f"projection at 1 req/s per portal (delay 1 s, latency {args.real_latency:g} s, "
        f"CONCURRENT_REQUESTS {args.concurrency}): T_host {real_host:.0f} s, T_global {real_global:.0f} s, "
        f"CPU {cpu:.0f} s"
    )
    for machines in (1, 2, 4, 8):
        # each machine runs `cores` Scrapy processes at most; hosts split over them, one owner each
        spread = cpu / (cores * machines)
        total = max(real_host, real_global / machines, spread)
        binding = "CPU" if spread >= max(real_host, real_global / machines) else "politeness"
        print(
            f"  {machines} machine(s) × {cores} core(s): ≈ {total / 60:.1f} min ({binding}-bound)"
        )


if __name__ == "__main__":
    main()
