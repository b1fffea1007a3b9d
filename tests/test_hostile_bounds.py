"""Page caps, SIGTERM and killed runs, crawled for real against the hostile portal (case module `bounds`).

The paging bureaus announce 999,999 pages, 99,999 TRS files, a billion Hanweb records, 99,999,999 JPaaS
items or an endless 下一页 chain; the crawl runs with a column cap of CAP list pages, so it is fast, and
must end by itself with every column's request count within the cap, one `page cap reached` error per
column and the summary line. The slow bureau trickles its reports forever: SIGTERM must still end the
crawl within 10 s and leave the run `interrupted`, and a `kill -9` must be closed by the next run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from nianbao.cli import run_crawl
from sample_portals import hostile
from sample_portals.hostile import bounds

ROOT = Path(__file__).resolve().parents[1]
CAP = 6
PAGING = {
    # bureau id: path prefix of its list pages on the portal
    "bounds-counter": "/bounds/counter/index",
    "bounds-query": "/bounds/query/list.jsp",
    "bounds-trs": "/bounds/trs/index",
    "bounds-chain": "/bounds/chain/list",
    "bounds-hanweb": "/bounds/hanweb/",
    "bounds-jpaas": "/bounds/jpaas/",
}
SPRAWL_CAP = 12  # the bureau's own registry override max_pages_per_bureau


@pytest.fixture(scope="module")
def portal():
    running = hostile.start_in_thread(port=0)
    yield running
    running.stop()


def _hits(portal, prefix: str) -> int:
    return sum(n for path, n in portal.hits.items() if path.startswith(prefix))


def _rows(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def capped(portal, tmp_path_factory):
    root = tmp_path_factory.mktemp("bounds")
    registry = portal.write_registry(root / "hostile.yml")
    db = root / "archive.db"
    log = root / "crawl.log"
    with log.open("w") as out:
        started = time.monotonic()
        proc = subprocess.run(
            _command(registry, db, ",".join([*PAGING, "bounds-sprawl"]), CAP),
            cwd=ROOT,
            env={**os.environ, "NIANBAO_POLITE": "0"},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=120,  # a bound on the wait: without caps this crawl does not end
        )
    return {
        "db": db,
        "code": proc.returncode,
        "seconds": time.monotonic() - started,
        "log": log.read_text(encoding="utf-8"),
    }


def _command(registry: Path, db: Path, bureaus: str, cap: int | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "bureaus", "-a", f"registry={registry}",
           "-a", f"db={db}", "-a", f"bureau={bureaus}", "-s", "LOG_LEVEL=INFO"]  # fmt: skip
    if cap is not None:
        cmd += ["-s", f"NIANBAO_MAX_PAGES_PER_COLUMN={cap}"]
    return cmd


def test_paging_columns_stay_within_the_column_cap(capped, portal):
    assert capped["code"] == 0, capped["log"][-3000:]
    for bureau, prefix in PAGING.items():
        fetched = _hits(portal, prefix)
        # the one report of each bureau sits under its own prefix, outside its list pages
        reports = _hits(portal, prefix.rsplit("/", 1)[0] + "/report/")
        lists = fetched - (reports if prefix.endswith("/") else 0)
        assert 1 <= lists <= CAP, (bureau, lists)
    # the chain and the counters did reach the cap: every list page they had was asked for
    assert _hits(portal, "/bounds/chain/list") == CAP
    assert _hits(portal, "/bounds/counter/index") == CAP


def test_each_capped_column_has_one_page_cap_error(capped):
    errors = _rows(
        capped["db"],
        "SELECT bureau_id, url, reason FROM crawl_errors WHERE reason LIKE 'page cap reached%'",
    )
    by_bureau = {b: (url, reason) for b, url, reason in errors}
    assert len(errors) == len(by_bureau) == len(PAGING) + 1
    for bureau in PAGING:
        url, reason = by_bureau[bureau]
        assert f"max_pages_per_column={CAP}" in reason
        assert url.startswith("http://127.0.0.1:")  # the first page that was not fetched
    url, reason = by_bureau["bounds-sprawl"]
    assert f"max_pages_per_bureau={SPRAWL_CAP}" in reason and "/bounds/sprawl/art/" in url
    # no other error: a cap is not a failure of the pages that were fetched
    assert _rows(capped["db"], "SELECT count(*) FROM crawl_errors")[0][0] == len(errors)


def test_the_bureau_cap_of_the_registry_row_bounds_all_its_pages(capped, portal):
    assert _hits(portal, "/bounds/sprawl/") == SPRAWL_CAP


def test_the_summary_names_the_capped_columns_and_the_run_finished(capped):
    assert f"page cap reached in {len(PAGING) + 1} column(s)" in capped["log"]
    assert "page cap reached ×7" in capped["log"]
    (status,) = _rows(capped["db"], "SELECT status FROM crawl_runs")[0]
    assert status == "finished"
    # every bureau still archived its report
    assert _rows(capped["db"], "SELECT count(DISTINCT bureau_id) FROM reports")[0][0] == 7


def _start_slow_crawl(portal, root: Path) -> tuple[subprocess.Popen, Path]:
    registry = portal.write_registry(root / "hostile.yml")
    db = root / "archive.db"
    before = _hits(portal, "/bounds/slow/art/")  # the portal is shared by this module's tests
    proc = subprocess.Popen(
        _command(registry, db, "bounds-slow"),
        cwd=ROOT,
        env={**os.environ, "NIANBAO_POLITE": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _hits(portal, "/bounds/slow/art/") < before + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "the slow crawl ended by itself"
    assert _hits(portal, "/bounds/slow/art/") >= before + 2, "no report download in flight"
    return proc, db


def test_sigterm_ends_a_crawl_with_downloads_in_flight_within_10_s(portal, tmp_path):
    proc, db = _start_slow_crawl(portal, tmp_path)
    try:
        # no remote control: the running crawl listens on no TCP port (telnet console off)
        listening = [
            c
            for c in psutil.Process(proc.pid).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert listening == []
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert took < 10, f"the crawl took {took:.1f} s to end after SIGTERM"
    ((end, status),) = _rows(db, 'SELECT "end", status FROM crawl_runs')
    assert end is not None and status == "interrupted"


def test_a_killed_run_is_marked_interrupted_by_the_next_run(portal, tmp_path):
    proc, db = _start_slow_crawl(portal, tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ((killed, end),) = _rows(db, 'SELECT id, "end" FROM crawl_runs')
    assert end is None
    code = run_crawl(
        registry=str(tmp_path / "hostile.yml"),
        db=db,
        bureau="bounds-chain",
        polite=False,
        extra=["-s", "NIANBAO_MAX_PAGES_PER_COLUMN=2", "-s", "NIANBAO_SUMMARY=False"],
    )
    assert code == 0
    runs = dict(
        (rid, (end, status))
        for rid, end, status in _rows(db, 'SELECT id, "end", status FROM crawl_runs')
    )
    assert len(runs) == 2
    end, status = runs.pop(killed)
    assert status == "interrupted" and end is not None
    ((_, next_status),) = runs.values()
    assert next_status == "finished"
    assert not list((tmp_path / "archive.db-runs").glob("*.lock")), "a finished run keeps its lock"


def test_telnet_console_and_remote_control_are_off_in_the_project_settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    # not in the list at all, Scrapy's base included (a None in EXTENSIONS would still import them)
    listed = set(settings.getwithbase("EXTENSIONS"))
    assert "scrapy.extensions.telnet.TelnetConsole" not in listed
    assert "scrapy.extensions.remote_control.RemoteControl" not in listed
    assert "scrapy.extensions.corestats.CoreStats" in listed  # the rest of Scrapy's base stays
    # nothing else that listens: no enabled extension of ours or Scrapy's is a server
    enabled = {k for k, v in settings.getwithbase("EXTENSIONS").items() if v is not None}
    servers = ("telnet", "remote_control", "webservice")
    assert not {e for e in enabled if any(s in e.lower() for s in servers)}


# -- the adapters on the hostile pages themselves: a claim of a million pages builds at most `cap` ------


def _first_page(family: str, column: str, body: bytes, cap: int):
    from scrapy.http import HtmlResponse

    from crawler.families import get_adapter
    from crawler.families.base import CAP_KEY, STATE_KEY
    from crawler.registry import Bureau

    bureau = Bureau(id="t", name="t", level="city", province="无界省", region_code="990100",
                    homepage=column, family=family, columns=(column,))  # fmt: skip
    adapter = get_adapter(family)
    (request,) = adapter.column_requests(bureau, column)
    request.meta[STATE_KEY][CAP_KEY] = cap
    return adapter, HtmlResponse(url=column, body=body, encoding="utf-8", request=request)


@pytest.mark.parametrize(
    ("family", "path", "render"),
    [
        ("gkml", "/bounds/counter/index.html", lambda: bounds._counter_page("/x/index.html")),
        ("gkml", "/bounds/query/list.jsp?columnId=7", lambda: bounds._query_page({})),
        ("trs", "/bounds/trs/index.html", lambda: bounds._trs_page("/x/index.html")),
        ("hanweb", "/bounds/hanweb/col/col88/index.html", lambda: bounds._hanweb_page()),
    ],
)
def test_a_pager_claiming_a_huge_total_builds_at_most_the_cap(family, path, render):
    adapter, response = _first_page(family, "http://127.0.0.1:9" + path, render(), cap=7)
    started = time.perf_counter()
    _, follow = adapter.parse_list(response)
    assert len(follow) == 7, "the cap is both a bound and reached: the pager claims far more"
    # a lazy pager costs the same for 999,999 pages as for 7 (a figure for the log, not an assertion)
    print(f"{family} {path}: {len(follow)} requests in {time.perf_counter() - started:.4f} s")


def test_a_jpaas_total_of_99_999_999_builds_at_most_the_cap():
    from scrapy.http import TextResponse

    adapter, shell = _first_page(
        "jpaas", "http://127.0.0.1:9/bounds/jpaas/col/col99/index.html", bounds._jpaas_shell(), 7
    )
    _, (api,) = adapter.parse_list(shell)
    answer = TextResponse(url=api.url, body=bounds._jpaas_feed(), encoding="utf-8", request=api)
    _, follow = adapter.parse_list(answer)
    assert len(follow) == 7
