"""Incremental re-crawls for real: a sample portal on a free loopback port, edited, pruned and extended
between real `scrapy crawl bureaus` runs; the archive must notice each change and refetch nothing else."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archive import versions
from sample_portals import server
from sample_portals.mutations import Mutations, trs_changes

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "sample_portals" / "sites" / "henan-jtt"


def crawl(registry: Path | str, db: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NIANBAO_POLITE": "0"}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "bureaus", "-a", f"registry={registry}"]
    cmd += ["-a", f"db={db}", "-s", "LOG_LEVEL=WARNING", *extra]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def q(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def last_run(db: Path) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = dict(conn.execute("SELECT * FROM crawl_runs ORDER BY start DESC").fetchone())
    finally:
        conn.close()
    row["stats"] = json.loads(row["stats"])
    return row


class Portal:
    """henan-jtt served alone on a free port, with a registry file pointing at it."""

    def __init__(self, tmp: Path, validators: bool):
        self.mutations = Mutations()
        self.stop = server.serve(
            ports={0: "henan-jtt"},
            mutations={"henan-jtt": self.mutations},
            no_validators=set() if validators else {"henan-jtt"},
        )
        port = self.stop.servers[0].server_address[1]
        rows = yaml.safe_load((ROOT / "crawler/registry/sample.yml").read_text(encoding="utf-8"))
        row = next(r for r in rows if r["id"] == "henan-jtt")
        text = yaml.safe_dump([row], allow_unicode=True).replace(
            "127.0.0.1:8711", f"127.0.0.1:{port}"
        )
        self.registry = tmp / "one.yml"
        self.registry.write_text(text, encoding="utf-8")
        self.db = tmp / "archive.db"

    def crawl(self) -> tuple[dict, str]:
        out = crawl(self.registry, self.db).stdout
        return last_run(self.db), out


@pytest.fixture
def portal_with_validators(tmp_path):
    p = Portal(tmp_path, validators=True)
    yield p
    p.stop()


@pytest.fixture
def portal_without_validators(tmp_path):
    p = Portal(tmp_path, validators=False)
    yield p
    p.stop()


def report(db: Path, url_path: str) -> dict | None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT * FROM reports_with_text WHERE url LIKE ?", ["%" + url_path]
        ).fetchone()
        return dict(row) if row else None
    finally:
        conn.close()


def test_edit_delete_add_noticed_with_conditional_get(portal_with_validators):
    p = portal_with_validators
    first, _ = p.crawl()
    n = first["new_reports"]
    assert n >= 8 and first["changed_reports"] == 0
    assert q(p.db, "SELECT count(*), min(version), max(version) FROM report_versions") == [
        (n, 1, 1)
    ]
    assert q(p.db, "SELECT count(*) FROM reports WHERE etag IS NULL OR list_date IS NULL") == [(0,)]

    second, out = p.crawl()
    assert (second["new_reports"], second["changed_reports"], second["unchanged_reports"]) == (
        0,
        0,
        n,
    )
    assert second["stats"]["nianbao/incremental/not_modified"] == n
    assert second["stats"]["downloader/response_status_count/304"] == n
    assert second["removed_reports"] == 0
    assert second["response_bytes"] <= 0.1 * first["response_bytes"]
    assert f"unchanged {n}" in out and f"{n} answered 304 Not Modified" in out

    mutations, change = trs_changes(SITE, "/zwgk/ndbg/")
    p.mutations.merge(mutations)
    third, out = p.crawl()
    assert (third["new_reports"], third["changed_reports"], third["removed_reports"]) == (
        1,
        1,
        1,
    ), (
        third["id"],
        q(p.db, "SELECT id, start FROM crawl_runs"),
        q(p.db, "SELECT run, url, reason FROM crawl_errors"),
        out[-2000:],
    )
    assert third["unchanged_reports"] == n - 2
    edited = report(p.db, change.edited)
    assert change.edited_to in edited["text"] and edited["changed_at"]
    history = q(
        p.db,
        "SELECT version, text, run FROM report_versions WHERE report_id = ? ORDER BY version",
        [edited["id"]],
    )
    assert [v for v, _, _ in history] == [1, 2]
    assert change.edited_line in history[0][1] and change.edited_to not in history[0][1]
    assert change.edited_to in history[1][1] and history[1][2] == third["id"]
    deleted = report(p.db, change.deleted)
    assert deleted is not None and deleted["removed_at"], "kept, marked removed"
    added = report(p.db, change.added)
    assert added["title"] == change.added_title and added["removed_at"] is None
    assert "removed 1" in out

    p.mutations.clear()  # the portal takes back all three changes
    fourth, _ = p.crawl()
    assert report(p.db, change.deleted)["removed_at"] is None, "came back"
    assert report(p.db, change.added)["removed_at"], "the added report is gone again"
    assert fourth["removed_reports"] == 1 and fourth["stats"]["nianbao/reports_returned"] == 1
    assert q(
        p.db, "SELECT max(version) FROM report_versions WHERE report_id = ?", [edited["id"]]
    ) == [(3,)], "the edit taken back is one more version"


def test_list_line_decides_without_validators(portal_without_validators):
    p = portal_without_validators
    first, _ = p.crawl()
    n = first["new_reports"]
    assert q(p.db, "SELECT count(*) FROM reports WHERE etag IS NOT NULL") == [(0,)]
    second, out = p.crawl()
    assert second["unchanged_reports"] == n and second["changed_reports"] == 0
    assert second["stats"]["nianbao/incremental/skipped_list_unchanged"] == n
    # no detail page was requested, only the lists
    assert second["requests"] <= first["requests"] - n
    assert "nianbao/incremental/conditional_requests" not in second["stats"]
    assert f"{n} with an unchanged list line" in out

    mutations, change = trs_changes(SITE, "/zwgk/ndbg/", redate=True)
    p.mutations.merge(mutations)
    third, out = p.crawl()
    runs = q(p.db, "SELECT count(*) FROM crawl_runs")
    errors = q(p.db, "SELECT run, url, reason FROM crawl_errors")
    assert (third["new_reports"], third["changed_reports"], third["removed_reports"]) == (
        1,
        1,
        1,
    ), (
        third["id"],
        runs,
        errors,
        out[-2000:],
    )
    edited = report(p.db, change.edited)
    assert change.edited_to in edited["text"] and edited["list_date"] == "2026-02-02"
    assert q(p.db, "SELECT count(*) FROM report_versions WHERE report_id = ?", [edited["id"]]) == [
        (2,)
    ]


def test_unchanged_recrawl_of_every_sample_portal(portals, crawled_archive, tmp_path):
    """The issue's target on the whole sample: ≤ 10 % of the first crawl's bytes, nothing new or changed,
    and the summary names the figures and the errors."""
    db = tmp_path / "archive.db"
    shutil.copy(crawled_archive, db)
    first = last_run(db)
    out = crawl("sample", db).stdout
    second = last_run(db)
    assert second["id"] != first["id"]
    ratio = second["response_bytes"] / first["response_bytes"]
    assert ratio <= 0.1, ratio
    assert second["stats"]["downloader/response_bytes"] == second["response_bytes"]
    assert (second["new_reports"], second["changed_reports"], second["removed_reports"]) == (
        0,
        0,
        0,
    )
    assert second["unchanged_reports"] == q(db, "SELECT count(*) FROM reports")[0][0]
    assert second["requests"] == second["stats"]["downloader/request_count"]
    assert json.loads(second["errors_by_reason"]) == versions.errors_by_reason(
        sqlite3.connect(db), second["id"]
    )
    summary = [ln for ln in out.splitlines() if ln.strip()]
    assert summary[0].startswith(f"── nianbao run {second['id']}") and len(summary) <= 12
    assert f"bytes {second['response_bytes']:,}" in out


def test_error_kinds_group_reasons():
    assert versions.error_kind("HTTP 404") == "HTTP 404"
    assert versions.error_kind("connection error: Connection was refused") == "connection error"
    assert (
        versions.error_kind("detail page is not HTML (application/pdf)")
        == "detail page is not HTML"
    )
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE crawl_errors (run TEXT, reason TEXT)")
    conn.executemany(
        "INSERT INTO crawl_errors VALUES (?, ?)",
        [
            ("r", "HTTP 404"),
            ("r", "HTTP 404"),
            ("r", "timeout"),
            ("r", "note: discovered annual-report column"),
            ("other", "HTTP 500"),
        ],
    )
    assert versions.errors_by_reason(conn, "r") == {"HTTP 404": 2, "timeout": 1}


def test_summary_names_bureaus_without_reports(tmp_path):
    """A registry row whose column lists nothing: the summary names it (and the crawl still finishes)."""
    stop = server.serve(ports={0: "henan-jtt"})
    try:
        port = stop.servers[0].server_address[1]
        rows = yaml.safe_load((ROOT / "crawler/registry/sample.yml").read_text(encoding="utf-8"))
        row = next(r for r in rows if r["id"] == "henan-jtt")
        row["columns"] = [f"http://127.0.0.1:{port}/zwgk/nosuchcolumn/index.html"]
        text = yaml.safe_dump([row], allow_unicode=True).replace(
            "127.0.0.1:8711", f"127.0.0.1:{port}"
        )
        (tmp_path / "r.yml").write_text(text, encoding="utf-8")
        out = crawl(tmp_path / "r.yml", tmp_path / "archive.db").stdout
    finally:
        stop()
    assert "no report found for 1 bureau(s): henan-jtt 河南省交通运输厅" in out
    assert "HTTP 404 ×1" in out
    assert json.loads(last_run(tmp_path / "archive.db")["errors_by_reason"]) == {"HTTP 404": 1}
