"""The archive's shape: declared once (archive/shape/), built by frozen migrations (archive/migrations/), and
the same whether a file was made today or migrated step by step from the first release with rows in it."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from archive import shape
from archive.ingest import REPORT_FIELDS, Archive
from archive.migrations import MIGRATIONS, STEPS
from archive.schema import ensure_db_shape
from archive.shape.metadata import render
from archive.tokenizer import register_tokenizer
from crawler.items import ReportItem

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
DESCRIBED = METADATA["databases"]["archive"]["tables"]


def connect(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    register_tokenizer(conn)
    return conn


def master(conn) -> list[tuple]:
    """sqlite_master without rootpage (which depends on the order pages were allocated), whitespace
    runs in the SQL folded to one space."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    return [(t, n, tbl, re.sub(r"\s+", " ", sql) if sql else sql) for t, n, tbl, sql in rows]


def columns_of(conn, table: str) -> dict:
    """What a table is, as SQLite reads it back: columns (name, type, not null, default, key position),
    references, and which columns are UNIQUE."""
    unique = []
    for _, index, is_unique, origin, _ in conn.execute(f"PRAGMA index_list([{table}])"):
        if is_unique and origin == "u":
            unique.append(tuple(r[2] for r in conn.execute(f"PRAGMA index_info([{index}])")))
    return {
        "columns": conn.execute(f"PRAGMA table_info([{table}])").fetchall(),
        "references": sorted(
            (r[3], r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list([{table}])")
        ),
        "unique": sorted(unique),
    }


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    conn = connect(tmp_path_factory.mktemp("fresh") / "archive.db")
    ensure_db_shape(conn)
    yield conn
    conn.close()


def test_every_table_the_migrations_build_is_declared(fresh):
    built = {
        name
        for (name,) in fresh.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'reports_fts%'"
        )
    }
    assert built == {t.name for t in shape.TABLES}


@pytest.mark.parametrize("table", [t.name for t in shape.TABLES])
def test_declared_table_equals_the_migrated_one(fresh, table):
    declared = sqlite3.connect(":memory:")
    for t in shape.TABLES:  # the referenced tables too, in declaration order
        declared.execute(shape.ddl(t.name))
    assert columns_of(declared, table) == columns_of(fresh, table)


@pytest.mark.parametrize("table", [t.name for t in shape.TABLES])
def test_metadata_describes_each_column_as_declared(table):
    """metadata.yml's title, description and column tooltips are the declared ones (`python -m
    archive.shape.metadata` writes them)."""
    declared = shape.table(table)
    info = DESCRIBED[table]
    assert (info["title"], info["description"]) == (declared.title, declared.description)
    assert info["columns"] == {c.name: c.description for c in declared.columns}


def test_metadata_yml_is_what_the_writer_derives_from_the_declaration():
    text = (ROOT / "metadata.yml").read_text(encoding="utf-8")
    assert render(text) == text
    # a tooltip edited in metadata.yml alone, or a declared column missing there, is put back
    drifted = text.replace('"正文字数。"', '"字数"', 1)
    assert drifted != text and render(drifted) == text
    dropped = re.sub(r"\n {10}subordinate_unit: .*", "", text, count=1)
    assert dropped != text and yaml.safe_load(render(dropped)) == yaml.safe_load(text)


def test_the_crawl_item_carries_every_report_field_the_archive_copies():
    wanted = {
        c.name
        for name in ("reports", "report_texts")
        for c in shape.table(name).columns
        if c.role in (shape.ITEM, shape.TRACKING, shape.FETCH)
    }
    assert wanted - set(ReportItem.fields) == set()


def test_a_saved_row_has_exactly_the_declared_fields(tmp_path):
    record = {f: None for f in ReportItem.fields} | {
        "bureau_id": "b",
        "url": "http://127.0.0.1/a.html",
        "text": "正文",
    }
    with Archive(tmp_path / "archive.db") as archive:
        row = archive._report_row(record)
    tracking = shape.column_names("reports", shape.TRACKING)
    assert set(row) == {*REPORT_FIELDS, *tracking}
    assert set(REPORT_FIELDS) == {
        *shape.column_names("reports", shape.ITEM, shape.DERIVED),
        *shape.column_names("report_texts", shape.ITEM),
    }


def test_each_migration_is_written_out_literally():
    """A step that imported another module's constants could change under an old file's feet."""
    for step in STEPS:
        tree = ast.parse(Path(step.__file__).read_text(encoding="utf-8"))
        imports = [
            node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert imports == ["__future__"], (step.__name__, imports)
        # no f-strings either: every statement is the text SQLite keeps
        assert not any(isinstance(node, ast.JoinedStr) for node in ast.walk(tree)), step.__name__
    numbers = [number for number, _, _ in MIGRATIONS]
    assert numbers == sorted(set(numbers))


# Rows written right after a migration, in the shape the file had then (the release that stopped there).
ROWS_AFTER = {
    1: [
        "INSERT INTO bureaus (id, name, level, province) VALUES ('fy', '阜阳市交通运输局', 'city', '安徽省')",
        'INSERT INTO crawl_runs (id, start, "end", stats) '
        "VALUES ('r1', '2020-01-01', '2020-01-02', '{\"finish_reason\": \"shutdown\"}')",
        "INSERT INTO reports (id, bureau_id, kind, year, title, published, url, text, text_normalized, "
        "chars, content_hash, first_seen, last_seen) VALUES ('rep1', 'fy', 'annual_report', 2019, "
        "'阜阳市交通运输局2019年政府信息公开工作年度报告', '2020-01-20', 'http://127.0.0.1/a.html', "
        "'一、总体情况 交通運輸', '一、总体情况 交通运输', 12, 'h1', '2020-01-02', '2020-01-02')",
        "INSERT INTO reports_fts (rowid, text_normalized) "
        "SELECT rowid, text_normalized FROM reports WHERE id = 'rep1'",
        "INSERT INTO attachments (id, report_id, position, name, url, ext) "
        "VALUES ('att1', 'rep1', 0, '附件1', 'http://127.0.0.1/a.pdf', 'pdf')",
        "INSERT INTO crawl_errors (id, run, url, reason, status, bureau_id, time) "
        "VALUES ('e1', 'r1', 'http://127.0.0.1/b.html', 'HTTP 404', 404, 'fy', '2020-01-02')",
    ],
    2: [
        "INSERT INTO disclosure_stats (report_id, section, item_code, row_label, col_label, value, raw, "
        "template) VALUES ('rep1', '二', '2.permit', '行政许可', '本年处理决定数量', 3, '3', '2019')",
        "INSERT INTO stats_checks (report_id, rule, expected, actual, ok) VALUES ('rep1', 'r', 1, 1, 1)",
    ],
    3: ["UPDATE attachments SET sha256 = 'ab', size = 10, type = 'pdf', text = '附件正文'"],
    4: [
        "INSERT INTO report_versions (report_id, version, content_hash, text, run) "
        "VALUES ('rep1', 1, 'h1', '一、总体情况 交通運輸', 'r1')",
        "UPDATE reports SET etag = '\"e1\"'",
    ],
    7: ["UPDATE reports SET subordinate_unit = '阜阳市公路事业发展中心'"],
}


def test_an_archive_migrated_step_by_step_equals_a_fresh_one(tmp_path, fresh):
    conn = connect(tmp_path / "old.db")
    for number, _, _ in MIGRATIONS:
        assert ensure_db_shape(conn, upto=number) == [number]
        with conn:
            for sql in ROWS_AFTER.get(number, []):
                conn.execute(sql)
    assert ensure_db_shape(conn) == []
    assert master(conn) == master(fresh)

    # every row written by an older release is still there, moved where later migrations put it
    report = conn.execute(
        "SELECT r.bureau_id, r.level, r.etag, r.subordinate_unit, t.text, t.text_normalized "
        "FROM reports r JOIN report_texts t ON t.report_id = r.id"
    ).fetchall()
    assert report == [
        (
            "fy",
            "city",
            '"e1"',
            "阜阳市公路事业发展中心",
            "一、总体情况 交通運輸",
            "一、总体情况 交通运输",
        )
    ]
    hits = conn.execute(
        "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"交通运输\"'"
    ).fetchone()
    title_hits = conn.execute(
        "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"年度报告\"'"
    ).fetchone()
    assert (hits[0], title_hits[0]) == (1, 1)
    assert conn.execute("SELECT name, sha256, text FROM attachments").fetchall() == [
        ("附件1", "ab", "附件正文")
    ]
    assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("interrupted",)]
    assert conn.execute("SELECT count(*) FROM crawl_errors").fetchone()[0] == 1
    assert conn.execute("SELECT value FROM disclosure_stats").fetchall() == [(3.0,)]
    assert conn.execute("SELECT version, text FROM report_versions").fetchall() == [
        (1, "一、总体情况 交通運輸")
    ]
    conn.close()


@pytest.mark.parametrize("stop", [number for number, _, _ in MIGRATIONS])
def test_a_file_left_at_any_step_catches_up_to_the_fresh_shape(tmp_path, fresh, stop):
    conn = connect(tmp_path / "old.db")
    ensure_db_shape(conn, upto=stop)
    rest = [n for n, _, _ in MIGRATIONS if n > stop]
    assert ensure_db_shape(conn) == rest
    assert master(conn) == master(fresh)
    conn.close()


# SQL run by crawler code on the archive's connection, e.g. 'archive.conn.execute("SELECT url FROM reports")'
# or 'with transaction(self.archive.conn):'
_RAW_ACCESS_RE = re.compile(r"\.conn\.execute\(|transaction\(\s*[\w.]*\.conn\s*\)")


def test_the_crawler_reaches_the_archive_only_through_its_methods():
    """Archive methods (archive/runlog.py, archive/ingest.py) are the crawler's way in, so the tables can
    change with their migrations without crawl code knowing."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "crawler").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _RAW_ACCESS_RE.search(line)
    ]
    assert offenders == []
