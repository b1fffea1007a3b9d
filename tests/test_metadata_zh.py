"""metadata.yml speaks Chinese for everything the archive declares: a reader who hovers a column header or
opens a hidden table's page should not meet an English sentence where the rest of the interface is Chinese.

Checked against a file built by archive.schema itself, so a table, view or column added by a new migration
without a Chinese description fails here, hidden or not."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from archive.schema import ensure_db_shape

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
ARCHIVE = METADATA["databases"]["archive"]
# one CJK unified ideograph, e.g. the 年 of "报告年度"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def shape(tmp_path_factory):
    """Every table and view of a fresh archive file with its columns, as the migrations leave them."""
    conn = sqlite3.connect(tmp_path_factory.mktemp("zh") / "archive.db")
    try:
        ensure_db_shape(conn)
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {n: [r[1] for r in conn.execute(f"PRAGMA table_info([{n}])")] for n in names}
    finally:
        conn.close()


def chinese(text) -> bool:
    return isinstance(text, str) and bool(CJK.search(text))


def test_every_table_and_column_has_a_chinese_description(shape):
    tables = ARCHIVE["tables"]
    problems = []
    for name, columns in shape.items():
        info = tables.get(name)
        if info is None:
            problems.append(f"{name}: not in metadata.yml")
            continue
        for key in ("title", "description"):
            if not chinese(info.get(key)):
                problems.append(f"{name}: {key} {info.get(key)!r}")
        described = info.get("columns") or {}
        for column in columns:
            if not chinese(described.get(column)):
                problems.append(f"{name}.{column}: {described.get(column)!r}")
        stale = sorted(set(described) - set(columns))
        if stale:
            problems.append(f"{name}: describes columns it does not have {stale}")
    assert not problems, problems


def test_every_canned_query_has_a_chinese_title_and_description():
    problems = [
        f"{name}: {key}"
        for name, query in ARCHIVE["queries"].items()
        for key in ("title", "description")
        if not chinese(query.get(key))
    ]
    assert not problems, problems


def test_every_dashboard_chart_and_filter_is_titled_in_chinese():
    dashboards = METADATA["plugins"]["datasette-dashboards"]
    problems = []
    for slug, board in dashboards.items():
        for key in ("title", "description"):
            if not chinese(board.get(key)):
                problems.append(f"{slug}: {key}")
        for chart, spec in board.get("charts", {}).items():
            if not chinese(spec.get("title")):
                problems.append(f"{slug}/{chart}: title")
        for name, spec in board.get("filters", {}).items():
            if not chinese(spec.get("name")):
                problems.append(f"{slug} filter {name}: name")
    assert not problems, problems
