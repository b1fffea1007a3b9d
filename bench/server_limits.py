"""Server limits benchmark: how long Datasette takes to answer SQL that feeds huge arguments to the plugin's
functions, and what a POST, an empty search and a bad page number get.

Run: .venv/bin/python bench/server_limits.py [--mb 60] [--repeat 3]

It writes a small archive through archive.ingest, starts Datasette for real with metadata.yml and the nianbao
plugin, and prints the wall time (best and worst of --repeat, over HTTP JSON) of
- nianbao_snippet with a text argument of --mb megabytes (built by SQLite's printf, so nothing large crosses
  HTTP),
- nianbao_snippet with a query argument of --mb megabytes,
- a MATCH string of 10 MB through the nianbao_cjk tokenizer,
and the HTTP status of POSTs, empty searches and bad page numbers. Before the bounds (issue 12) the query
argument took 120 s and the MATCH 18 s, each holding a server thread the whole time.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(db: Path) -> None:
    from archive.ingest import Archive

    with Archive(db) as archive:
        archive.upsert_bureaus([{"id": "bench", "name": "基准市交通运输局", "level": "city"}])
        for i in range(3):
            archive.save_report(
                {
                    "bureau_id": "bench",
                    "url": f"http://127.0.0.1/bench/{i}.html",
                    "title": f"基准市交通运输局{2020 + i}年政府信息公开工作年度报告",
                    "text": "本年度交通运输局主动公开政府信息。\n" * 50,
                }
            )


def call(
    base: str, path: str, params: dict | None = None, method: str = "GET"
) -> tuple[int, float]:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    req = urllib.request.Request(url, method=method, data=b"x=1" if method == "POST" else None)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        status = e.code
    return status, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.mb * 1_000_000
    with tempfile.TemporaryDirectory(prefix="nianbao-limits-") as tmp:
        db = Path(tmp) / "archive.db"
        build(db)
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "datasette",
                "serve",
                str(db),
                "--metadata",
                str(ROOT / "metadata.yml"),
                "--template-dir",
                str(ROOT / "archive" / "templates"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            cases = {
                f"nianbao_snippet, {args.mb} MB text": (
                    f"select length(nianbao_snippet(printf('%.*c', {n}, 'x'), 'x')) as n"
                ),
                f"nianbao_snippet, {args.mb} MB query": (
                    f"select nianbao_snippet('交通运输', printf('%.*c', {n}, 'x')) as n"
                ),
                "MATCH of 10 MB": (
                    "select count(*) from reports_fts where reports_fts match "
                    "printf('\"%.*c\"', 10000000, 'x')"
                ),
            }
            print(f"{'case':34} {'status':>6} {'best s':>8} {'worst s':>8}")
            for label, sql in cases.items():
                runs = [call(base, "/archive.json", {"sql": sql}) for _ in range(args.repeat)]
                times = [t for _, t in runs]
                print(f"{label:34} {runs[0][0]:>6} {min(times):>8.2f} {max(times):>8.2f}")
            checks = [
                ("POST /", "/", None, "POST"),
                ("POST /archive/reports", "/archive/reports", None, "POST"),
                ("POST /archive/search_reports", "/archive/search_reports", None, "POST"),
                ("search page q=''", "/archive/search_reports", {"q": ""}, "GET"),
                ("search page q='\"'", "/archive/search_reports", {"q": '"'}, "GET"),
                ("table _search='  '", "/archive/reports", {"_search": "  "}, "GET"),
                (
                    "page=99999999999999999999",
                    "/archive/search_reports",
                    {"q": "交通", "page": "99999999999999999999"},
                    "GET",
                ),  # fmt: skip
            ]
            for label, path, params, method in checks:
                status, seconds = call(base, path, params, method)
                print(f"{label:34} {status:>6} {seconds:>8.2f}")
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
