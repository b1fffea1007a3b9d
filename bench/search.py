"""Search benchmark: how big the per-character index is and how fast Datasette answers Chinese queries.

Run: .venv/bin/python bench/search.py [--n 20000] [--repeat 20] [--keep DIR]

It builds an archive of N generated reports through archive.ingest (the same path the crawl uses), starts
Datasette for real with metadata.yml and the nianbao plugin, and prints: build time, text size, index size and
their ratio, query latency (p50/p95 over HTTP JSON: the reports table's search box with facets, the same without
facets, and the search page, i.e. the search_reports canned query) for 1-, 2- and 4-character queries, and recall
of both against a brute-force substring count. The generated texts are
fictional, built from phrases typical of the reports, mixing 简体 and 繁体, spaces, ruby debris and punctuation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.db import open_db  # noqa: E402
from archive.ingest import Archive  # noqa: E402
from archive.reader.tablesearch import COUNT_CAP  # noqa: E402
from archive.search import count as search_count_uncapped  # noqa: E402
from archive.search import optimize_index  # noqa: E402
from archive.textnorm import normalize  # noqa: E402

PHRASES = [
    "交通运输局",
    "交通運輸廳",
    "政府信息公开",
    "政府信息公開",
    "工作年度报告",
    "工作年度報告",
    "年报",
    "年報",
    "关于",
    "關於",
    "關(guān)於",
    "公路",
    "道路运输",
    "道路運輸",
    "水路",
    "依申请公开",
    "依申請公開",
    "行政复议",
    "行政許可",
    "主动公开",
    "政务公开",
    "信息公开指南",
    "网站标识码",
    "ICP备",
    "ｉｃｐ备",
    "Icp",
    "交 通",
    "交\u3000通",
    "信息 公开",
    "2019年",
    "２０２０年",
    "第一部分",
    "（一）",
    "《条例》",
    "本报告",
    "本報告",
    "群众",
    "羣衆",
    "办理",
    "辦理",
    "投诉",
    "的",
    "和",
    "了",
    "在",
    "件",
    "人次",
]
PUNCT = ["，", "。", "；", "：", "、", "！", " ", "  ", "\n", ",", ".", " | "]
TITLES = [
    "{bureau}{year}年政府信息公开工作年度报告",
    "{bureau}{year}年政府信息公開工作年度報告",
    "关于{year}年政务公开工作要点的通知",
    "《{bureau}政府信息公开指南》解读",
    "{bureau}{year}年度交通运输工作总结",
]
BUREAUS = ["甲市交通运输局", "乙县交通运输局", "丙省交通运输厅", "丁市交通運輸局"]
# Reports are spread over the national registry's 3,300 bureaus (report i to bureau i mod 3,300), so that
# a bureau's reports of one year are a handful, as in the real archive, and not a quarter of it.
BUREAU_COUNT = 3300


def generate_reports(n: int, seed: int = 7, min_len: int = 40, max_len: int = 400) -> list[dict]:
    """n report records shaped like the crawl pipeline's items, deterministic for a seed."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        parts = []
        target = rng.randint(min_len, max_len)
        length = 0
        while length < target:
            piece = rng.choice(PHRASES) if rng.random() < 0.75 else rng.choice(PUNCT)
            parts.append(piece)
            length += len(piece)
        bureau = rng.randrange(len(BUREAUS))
        year = rng.randint(2008, 2025)
        title = rng.choice(TITLES).format(bureau=BUREAUS[bureau], year=year)
        records.append(
            {
                "bureau_id": f"b{i % BUREAU_COUNT}",
                "url": f"http://bench.example.gov.cn/col{bureau}/t{year}0101_{i}.html",
                "title": title,
                "year": year,
                "kind": "annual_report" if "报告" in title or "報告" in title else "other",
                "published": f"{year + 1}-01-{1 + i % 28:02d}",
                "text": "".join(parts),
                "attachments": [],
            }
        )
    return records


def bureau_rows() -> list[dict]:
    return [
        {"id": f"b{i}", "name": f"{BUREAUS[i % len(BUREAUS)]}（{i}）", "level": "city"}
        for i in range(BUREAU_COUNT)
    ]


def build_archive(
    path: Path, records: list[dict], batch: int = 1, cache_mb: int = 0, start: int = 0
) -> Archive:
    """Every record from `start` on through Archive.save_report; `batch` saves share one transaction, as
    `nianbao reextract` saves (one commit per report is the crawl's own pace, and costs an fsync and an FTS5
    segment each: a 1,000,000-report build takes hours that way). `cache_mb` sets SQLite's page cache for
    the build: report ids are hashes, so every save writes a random page of each index, and past a few
    hundred thousand reports the default 2 MB cache reads a page from the file for most of them."""
    archive = Archive(path)
    if cache_mb:
        archive.conn.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
    archive.upsert_bureaus(bureau_rows())
    for at in range(start, len(records), batch):
        with archive.batch():
            for record in records[at : at + batch]:
                archive.save_report(record)
    return archive


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Datasette:
    """`datasette serve` as a real subprocess on a free loopback port, stopped on exit."""

    def __init__(self, db: Path, immutable: bool = False):
        self.db = db
        self.immutable = immutable
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.stderr = ""

    def __enter__(self) -> Datasette:
        cmd = [
            str(Path(sys.executable).with_name("datasette")),
            "serve",
            *(["-i"] if self.immutable else []),
            str(self.db),
            "-m",
            str(ROOT / "metadata.yml"),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/-/versions.json", timeout=1).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError("datasette did not start:\n" + self.stderr) from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                _, err = self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                _, err = self.proc.communicate()
            self.stderr = err.decode("utf-8", "replace")
            self.proc = None

    def get_json(self, path: str, **params) -> dict:
        url = self.base + path + "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=120) as resp:
            return json.load(resp)

    def search_count(self, query: str, **filters) -> int | None:
        """The search box's count: None past the count cap (the response says X-Nianbao-Count: >cap)."""
        # a page of 20, as the reader's search box asks (pages of 1–4 rows past the cap are read through a
        # window, archive/reader/tablesearch.py; README, "A million reports")
        data = self.get_json(
            "/archive/reports.json", _search=query, _size="20", _nofacet="1", **filters
        )
        return data["filtered_table_rows_count"]


def index_bytes(archive: Archive) -> tuple[int, int]:
    """(bytes of normalized text + titles, bytes of the FTS index's own tables)."""
    conn = archive.conn
    text = conn.execute(
        "SELECT sum(length(CAST(text_normalized AS BLOB)) + length(CAST(title AS BLOB))) "
        "FROM reports_with_text"
    ).fetchone()[0]
    fts = 0
    for table, column in [
        ("reports_fts_data", "block"),
        ("reports_fts_idx", "term"),
        ("reports_fts_docsize", "sz"),
    ]:
        fts += conn.execute(f"SELECT coalesce(sum(length({column})), 0) FROM {table}").fetchone()[0]
    return text or 0, fts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


QUERIES = {
    "1-char": ["路", "局", "报"],
    "2-char": ["交通", "年报", "關於"],
    "4-char": ["政府信息", "信息公开", "道路运输"],
    # phrases with their punctuation: 2-10 % of the reports, under the count cap at 100,000 (件， 2,367;
    # 年报， 4,881; 报告。 9,277), so they are counted exactly and their matches collected
    "fewer matches": ["件，", "年报，", "报告。"],
}
RECALL_QUERIES = ["路", "交通", "年报", "政府信息公开", "关于", "關於", "ICP", "交 通", "公开。"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="generated reports (default 20000)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per query (default 20)")
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the archive in this directory"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: query the archive a previous run built there instead of building it again",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        help="saves per transaction during the build (default 1, as the crawl saves; reextract uses 200)",
    )
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=0,
        help="SQLite page cache during the build (default SQLite's)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --keep: an archive an interrupted build left there holds the first reports; save the rest",
    )
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="merge the search index into one segment after the build (archive.search.optimize_index)",
    )
    parser.add_argument(
        "--bare-only",
        action="store_true",
        help="time only the bare search (the faceted page takes seconds per request at 100,000 reports)",
    )
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "archive.db"
    reuse = args.reuse and args.keep is not None and db_path.exists()

    records = generate_reports(args.n)  # deterministic: a reused archive holds these same reports
    done = 0
    if args.resume and args.keep is not None and db_path.exists() and not reuse:
        # the generator is one random stream, so an archive of the first k reports of any --n holds
        # exactly generate_reports(k); checked on its last report
        with Archive(db_path) as partial:
            done, last = partial.conn.execute(
                "SELECT count(*), (SELECT url FROM reports ORDER BY rowid DESC LIMIT 1) FROM reports"
            ).fetchone()
        if done and (done > args.n or records[done - 1]["url"] != last):
            raise SystemExit(f"{db_path} does not hold the first {done} of these reports")
        print(f"resuming the build after {done} reports")
    elif not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    archive = (
        Archive(db_path)
        if reuse
        else build_archive(db_path, records, args.batch, args.cache_mb, start=done)
    )
    build_s = time.perf_counter() - t0
    if reuse:
        built = archive.conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        if built != args.n:
            raise SystemExit(f"{db_path} holds {built} reports, not --n {args.n}: build it again")
    if args.optimize:
        t1 = time.perf_counter()
        optimize_index(archive.conn)
        print(f"search index optimized (one segment) in {time.perf_counter() - t1:.1f} s")
    text_b, fts_b = index_bytes(archive)
    chars = archive.conn.execute("SELECT sum(chars) FROM reports").fetchone()[0]
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    file_b = db_path.stat().st_size

    print(f"reports: {args.n}, characters of text: {chars}")
    if reuse:
        print(f"archive reused from {db_path} (built by an earlier run)")
    else:
        print(
            f"build (save_report each, {args.batch} per transaction, tokenizer in Python): "
            f"{args.n - done} reports in {build_s:.1f} s, {(args.n - done) / build_s:,.0f} reports/s"
            + (f" (after {done} built earlier)" if done else f", {chars / build_s:,.0f} chars/s")
        )
    print(
        f"load average at the start of the queries: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"normalized text + titles: {text_b / 1e6:.2f} MB")
    print(f"FTS index (data+idx+docsize): {fts_b / 1e6:.2f} MB, ratio {fts_b / text_b:.2f}x text")
    print(f"archive file: {file_b / 1e6:.2f} MB")

    with Datasette(db_path) as ds:
        modes = [
            ("search box page: first 100 rows, facets and suggestions on", {}),
            (
                "search only: _size=20, _nofacet=1, _nosuggest=1",
                {"_size": "20", "_nofacet": "1", "_nosuggest": "1"},
            ),
        ]
        if args.bare_only:
            modes = modes[1:]
        bare_times: list[float] = []
        for label, extra in modes:
            print(
                f"\nlatency of /archive/reports.json?_search=Q ({label}), {args.repeat} requests per query:"
            )
            for size, queries in QUERIES.items():
                times = []
                for q in queries:
                    ds.get_json("/archive/reports.json", _search=q, **extra)  # warm the page cache
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        ds.get_json("/archive/reports.json", _search=q, **extra)
                        times.append((time.perf_counter() - t) * 1000)
                if extra:
                    bare_times += times
                print(
                    f"  {size} {' '.join(queries)}: p50 {percentile(times, 0.5):.0f} ms, "
                    f"p95 {percentile(times, 0.95):.0f} ms"
                )
        p95 = percentile(bare_times, 0.95)
        print(
            f"\nbare table search over {args.n} reports, all queries: "
            f"p50 {percentile(bare_times, 0.5):.0f} ms, p95 {p95:.0f} ms = {p95 / 50:.2f} x the 50 ms target"
        )
        print(
            f"\nlatency of the search page /archive/search_reports.json?q=Q (20 reports with snippets and the "
            f"total count), {args.repeat} requests per query:"
        )
        page_times: list[float] = []
        for size, queries in QUERIES.items():
            times = []
            for q in queries:
                ds.get_json("/archive/search_reports.json", q=q, _shape="array")
                for i in range(args.repeat):
                    t = time.perf_counter()
                    # pages 1-3 in turn: a reader pages on, and a later page must not cost more
                    ds.get_json(
                        "/archive/search_reports.json", q=q, page=str(1 + i % 3), _shape="array"
                    )
                    times.append((time.perf_counter() - t) * 1000)
            page_times += times
            print(
                f"  {size} {' '.join(queries)}: p50 {percentile(times, 0.5):.0f} ms, "
                f"p95 {percentile(times, 0.95):.0f} ms"
            )
        page_p95 = percentile(page_times, 0.95)
        print(f"table search box p95 / search page p95 (same run): {p95 / page_p95:.2f}")
        print(
            f"\nsearch page over {args.n} reports, all queries: p50 {percentile(page_times, 0.5):.0f} ms, "
            f"p95 {page_p95:.0f} ms = {page_p95 / 50:.2f} x the 50 ms target (<= 1 meets it); "
            f"index {fts_b / text_b:.2f} x text size"
        )
        print(
            "\nrecall vs brute force (rows whose normalized title or text contains each term); past the "
            f"count cap ({COUNT_CAP:,}) the search box gives no count (null, X-Nianbao-Count: "
            f">{COUNT_CAP}) and the search page {COUNT_CAP + 1:,}, and the index's own count "
            "(archive.search.count, uncapped) must equal brute force:"
        )
        # once, not once per query; titles are searched with the text
        haystacks = [
            (normalize(r["text"]).casefold(), normalize(r["title"]).casefold()) for r in records
        ]
        exact = 0
        index = open_db(db_path)
        for q in RECALL_QUERIES:
            got = ds.search_count(q)
            # Datasette ANDs whitespace-separated terms; brute force must too.
            needles = [normalize(t).casefold() for t in q.split()]
            want = sum(1 for h, t in haystacks if all(n in h or n in t for n in needles))
            rows = ds.get_json("/archive/search_reports.json", q=q, _shape="array")
            page_count = rows[0]["matches"] if rows else 0
            found = search_count_uncapped(index, q)
            box_ok = (got == want) if want <= COUNT_CAP else got is None
            exact += box_ok and page_count == min(want, COUNT_CAP + 1) and found == want
            print(
                f"  {q!r}: search box {'>' + str(COUNT_CAP) if got is None else got}, "
                f"search page {page_count}, index {found}, brute force {want}, "
                f"recall {found / want if want else 1:.3f}"
            )
        index.conn.close()
        print(f"exact on {exact}/{len(RECALL_QUERIES)} queries (search box and search page)")
    # Uvicorn's INFO lines are expected; anything else (a tokenizer traceback, cffi noise) is shown.
    noise = [
        line for line in ds.stderr.splitlines() if line.strip() and not line.startswith("INFO:")
    ]
    print("\ndatasette stderr: " + ("\n".join(noise) if noise else "clean"))
    print(f"\narchive kept at {db_path}" if args.keep else "")


if __name__ == "__main__":
    main()
