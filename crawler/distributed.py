"""Scale-out: N `bureaus_redis` workers share one scrapy-redis frontier and feed ONE archive writer.

Why one writer: SQLite takes one writer at a time, and `archive.ingest.Archive` counts a run's
new/changed/unchanged reports in the object that saves them. Workers on many machines could not share
the file anyway, so they never open it: their items (extracted, classified, attachments read) go to one
Redis list through scrapy-redis' `RedisPipeline`, and this module's coordinator — the only process with
the archive open — drains that list into `Archive.save_report` / `record_error`.

No item is lost: the writer reads a batch with LRANGE, saves it, and only then trims it off the list, so a
writer killed mid-batch leaves the batch in Redis for the next drain (delivered at least once).
No item is duplicated: the shared dupefilter fetches each URL once across workers, and a replayed item
is a no-op because `save_report` is keyed by the report id (hash of the canonical URL) and answers
"unchanged" to the same record twice.

Run (what `make distributed` does, serving the sample portals too):
    nianbao distributed --workers 2 --registry sample --db data/archive.db
`python -m crawler.distributed` takes the same options against portals that are already being served.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawler.redis_keys import (
    DISCOVERY_KEY,
    DUPEFILTER_KEY,
    ITEMS_KEY,
    QUEUE_KEY,
    SEEDED_KEY,
    SEEDS_KEY,
    SPIDER_NAME,
    WORKER_STATS_KEY,
    affinity_keys,
    dupefilter_shards,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS_PORT = 6390


def deserialize_item(data: bytes | str) -> tuple[str, dict]:
    """(kind, fields) of what a worker's crawler.redis_items.serialize_item put on the list."""
    message = json.loads(data)
    return message["kind"], message["fields"]


# -- Redis -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis_client(url).ping())
    except redis.exceptions.ConnectionError:
        return False


@contextmanager
def local_redis(port: int | None = None) -> Iterator[str]:
    """Debian's redis-server as a child process on 127.0.0.1, no persistence, stopped on exit.

    Yields its URL. `make redis` installs the package; this only runs it.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run `make redis` (apt-get install)")
    port = port or free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while not redis_answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def clear_crawl_keys(server) -> None:
    """A run starts and ends with an empty frontier, dupefilter, item list and discovery state."""
    keys = [SEEDS_KEY, SEEDED_KEY, QUEUE_KEY, DUPEFILTER_KEY, ITEMS_KEY, WORKER_STATS_KEY]
    keys += list(server.scan_iter(match=DISCOVERY_KEY % "*"))
    keys += list(server.scan_iter(match=dupefilter_shards(DUPEFILTER_KEY), count=1000))
    # host routing (crawler/affinity.py): owners, heartbeats, inboxes, orphans
    routing = affinity_keys(SPIDER_NAME)
    keys += [routing["owners"], routing["live"], routing["orphans"], routing["loads"]]
    keys += list(server.scan_iter(match=routing["inbox"] + "*"))
    server.delete(*keys)


# -- the single writer -----------------------------------------------------------------------------


class ArchiveWriter:
    """Drains the workers' item list into one `Archive`; the only code of a distributed run that writes."""

    def __init__(self, archive, server, key: str = ITEMS_KEY, batch: int = 200):
        self.archive = archive
        self.server = server
        self.key = key
        self.batch = batch
        self.counts: Counter = Counter()

    def drain_once(self) -> int:
        """Save up to one batch; returns how many items it took off the list."""
        raw = self.server.lrange(self.key, 0, self.batch - 1)
        if not raw:
            return 0
        # One transaction for the batch: one WAL commit and one new FTS5 segment for up to `batch` reports
        # instead of one of each per report.
        with self.archive.batch():
            for data in raw:
                self.write(*deserialize_item(data))
        # only after the commit: a crash above rolls the batch back and leaves it in Redis, replayed harmlessly
        self.server.ltrim(self.key, len(raw), -1)
        return len(raw)

    def drain(self) -> int:
        total = 0
        while n := self.drain_once():
            total += n
        return total

    def write(self, kind: str, fields: dict) -> None:
        self.counts["items"] += 1
        if kind == "discovery":
            self.archive.record_discovery(
                fields["bureau_id"], fields["column_url"], fields["link_text"], fields["page"]
            )
            return
        if kind == "error":
            self.archive.record_error(
                fields["url"],
                fields["reason"],
                fields.get("status"),
                fields.get("bureau_id"),
                fields.get("run_id"),
            )
            self.counts["errors_recorded"] += 1
            return
        # the worker sent ReportItem's fields only (crawler/redis_items.py)
        outcome = self.archive.save_report(fields)
        self.counts[f"reports_{outcome}"] += 1


def merge_worker_stats(server) -> tuple[dict, list[dict]]:
    """Add up the workers' numeric Scrapy stats; keep each worker's own for the record."""
    workers = [json.loads(v) for v in server.hgetall(WORKER_STATS_KEY).values()]
    total: dict[str, Any] = {}
    for stats in workers:
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total, workers


# -- the coordinator -------------------------------------------------------------------------------


def worker_command(
    registry: str,
    db: Path,
    run_id: str,
    redis_url: str,
    bureau: str | None,
    log_file: Path | None,
    settings: dict | None = None,
) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", SPIDER_NAME, "-a", f"registry={registry}"]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    cmd += ["-a", f"db={db}", "-a", f"run_id={run_id}", "-s", f"REDIS_URL={redis_url}"]
    if bureau:
        cmd += ["-a", f"bureau={bureau}"]
    if log_file:
        cmd += ["-s", f"LOG_FILE={log_file}"]
    return cmd


@contextmanager
def _without(*modules: str) -> Iterator[None]:
    """Imports made inside do not find these modules, unless they are loaded already; after it they can be.

    sqlite-utils imports numpy and pandas when it can, only to map their scalar types to column types: the
    coordinator writes what workers sent as JSON (strings and numbers), and numpy alone is ≈ 12 MB of its
    ≈ 50 (bench/national.py). sqlite-utils reads the failed import as "not installed"."""
    hidden = [m for m in modules if m not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def run(
    registry: str,
    db: Path,
    workers: int,
    redis_url: str,
    bureau: str | None = None,
    polite: bool = True,
    log_dir: Path | None = None,
    settings: dict | None = None,
) -> dict:
    """Seed the shared queue once, run the workers, write every item they send; returns a summary.

    `settings` are passed to every worker as `-s NAME=VALUE` (the politeness tests and benches set delays).
    """
    with _without("numpy", "pandas"):
        from archive.ingest import Archive
    from crawler.registry import load_registry, select_bureaus

    bureaus = select_bureaus(load_registry(registry), bureau)
    server = redis_client(redis_url)
    clear_crawl_keys(server)
    db = Path(db)
    archive = Archive(db)
    archive.upsert_bureaus([b.as_row() for b in bureaus])
    run_id = archive.start_run(registry)

    env = dict(os.environ)
    if not polite:
        env["NIANBAO_POLITE"] = "0"
    procs = []
    for i in range(workers):
        log_file = (log_dir / f"worker-{i}.log") if log_dir else None
        cmd = worker_command(registry, db, run_id, redis_url, bureau, log_file, settings)
        procs.append(
            subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
    # The seeds, pushed once every worker is up (its heartbeat in the live set, crawler/affinity.py), so
    # the first worker to start does not open every bureau alone; workers wait for SEEDED_KEY to stop.
    live = affinity_keys(SPIDER_NAME)["live"]
    deadline = time.monotonic() + 120
    while server.zcard(live) < workers and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.05)
    server.rpush(SEEDS_KEY, *[json.dumps({"bureau": b.id}) for b in bureaus])
    server.set(SEEDED_KEY, 1)
    writer = ArchiveWriter(archive, server)
    started = time.monotonic()
    try:
        last_item = started
        while any(p.poll() is None for p in procs):
            if writer.drain_once():
                last_item = time.monotonic()
            else:
                time.sleep(0.05)
        if writer.drain():
            last_item = time.monotonic()
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
    elapsed = time.monotonic() - started
    total, per_worker = merge_worker_stats(server)
    stats = {
        **total,
        **{f"nianbao/{k}": v for k, v in writer.counts.items()},
        "nianbao/workers": workers,
        "nianbao/worker_response_counts": [
            w.get("downloader/response_count", 0) for w in per_worker
        ],
        "nianbao/seconds": round(elapsed, 2),
        "finish_reason": "finished" if all(p.returncode == 0 for p in procs) else "worker_failed",
    }
    archive.finish_run(run_id, stats)
    archive.close()
    clear_crawl_keys(server)
    return {
        "run_id": run_id,
        "exit_codes": [p.returncode for p in procs],
        "seconds": elapsed,
        # seeding to the last item saved: the crawl's own duration, without the workers' idle wait
        "seconds_to_last_item": last_item - started,
        "items": writer.counts["items"],
        "counts": dict(writer.counts),
        "worker_stats": per_worker,
    }


def main(argv: list[str] | None = None, start_portals=None) -> int:
    """The coordinator's command line. `start_portals()` serves the sample portals and returns their
    stop function: the caller's (`nianbao distributed`), since the crawler never starts them itself."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--registry", default="sample")
    parser.add_argument("--db", type=Path, default=Path("data/archive.db"))
    parser.add_argument("--bureau", default=None, help="only these bureau ids (comma-separated)")
    parser.add_argument("--redis-url", default=None, help="an existing Redis (default: start one)")
    parser.add_argument("--redis-port", type=int, default=DEFAULT_REDIS_PORT)
    parser.add_argument(
        "--portals",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="serve the sample portals on loopback (`nianbao distributed` only; its default for the "
        "sample registry)",
    )
    parser.add_argument("--log-dir", type=Path, default=None, help="one Scrapy log per worker here")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for every worker (repeatable), e.g. --set DOWNLOAD_DELAY=1",
    )
    args = parser.parse_args(argv)

    portals = args.portals
    if portals is None:
        portals = start_portals is not None and args.registry == "sample"
    if portals and start_portals is None:
        parser.error(
            "--portals: run `nianbao distributed` (or `nianbao portals` beside this command)"
        )
    stop = start_portals() if portals else None
    if args.log_dir:
        args.log_dir.mkdir(parents=True, exist_ok=True)
    try:
        if args.redis_url:
            summary = _run(args, args.redis_url, polite=args.registry != "sample")
        else:
            with local_redis(args.redis_port) as url:
                summary = _run(args, url, polite=args.registry != "sample")
    finally:
        if stop:
            stop()
    responses = [w.get("downloader/response_count", 0) for w in summary["worker_stats"]]
    print(
        f"run {summary['run_id']}: {args.workers} workers, {summary['seconds']:.1f} s, "
        f"responses per worker {responses}, items written {summary['items']} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(summary['counts'].items()))}), "
        f"worker exit codes {summary['exit_codes']}"
    )
    return 0 if all(c == 0 for c in summary["exit_codes"]) else 1


def _run(args, url: str, polite: bool) -> dict:
    settings = dict(item.split("=", 1) for item in args.set)
    return run(
        args.registry, args.db, args.workers, url, args.bureau, polite, args.log_dir, settings
    )


if __name__ == "__main__":
    sys.exit(main())
