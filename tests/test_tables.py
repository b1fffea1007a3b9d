"""The statutory tables parser against golden cells computed from the sample content model.

The expected cells come from the Block rows the sample portals are rendered from (a grid expansion and
the template's row order written out here), never from the parser, so a parser bug cannot hide in both.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archive.tables import checks, parse_html, parse_text
from sample_portals.content import ITEMS
from sample_portals.model import golden_text

SEED_004 = Path("/work/shared/seeds/004_f381d2065afaaaf4.txt")
ROOT = Path(__file__).resolve().parents[1]

REQUEST_COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
APPEAL_ROWS = ["4.review", "4.suit_direct", "4.suit_after_review"]
APPEAL_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
# Section 三 rows in the order each template prints them.
_RESULTS = (
    ["3.result.open", "3.result.partial"]
    + [f"3.result.not_open.{x}" for x in ("secret", "law", "safety", "third_party", "internal",
                                            "process", "case_file", "query")]
    + [f"3.result.cannot.{x}" for x in ("not_held", "must_create", "unclear")]
    + [f"3.result.not_handled.{x}" for x in ("petition", "repeat", "publication", "mass", "confirm")]
)  # fmt: skip
REQUEST_ROWS = {
    "2019": ["3.new", "3.carried", *_RESULTS, "3.result.other", "3.result.total", "3.next_year"],
    "2021": ["3.new", "3.carried", *_RESULTS, "3.result.other.no_correction",
             "3.result.other.no_fee", "3.result.other.other", "3.result.total", "3.next_year"],
}  # fmt: skip
ACTIVE_ROWS = {"规章": "2.rules", "规范性文件": "2.normative", "行政规范性文件": "2.normative",
               "行政许可": "2.permit", "其他对外管理服务事项": "2.other_services", "行政处罚": "2.penalty",
               "行政强制": "2.enforcement", "行政事业性收费": "2.fees", "政府集中采购": "2.procurement"}  # fmt: skip
ACTIVE_COLS = {"本年新制作数量": "本年制发件数", "本年制发件数": "本年制发件数",
               "本年新公开数量": "本年新公开数量", "本年废止件数": "本年废止件数",
               "对外公开总数量": "现行有效件数", "现行有效件数": "现行有效件数",
               "上一年项目数量": "上一年项目数量", "本年增/减": "本年增/减", "处理决定数量": "处理决定数量",
               "本年处理决定数量": "处理决定数量", "本年收费金额（单位：万元）": "本年收费金额(万元)",
               "采购项目数量": "采购项目数量", "采购总金额": "采购总金额"}  # fmt: skip


def _grid(rows) -> list[list[tuple[str, bool]]]:
    """Block rows expanded: (text, is the cell's own slot)."""
    slots: dict[tuple[int, int], tuple[str, bool]] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            text, rs, cs = (cell, 1, 1) if isinstance(cell, str) else cell
            while (r, c) in slots:
                c += 1
            for dr in range(rs):
                for dc in range(cs):
                    slots[(r + dr, c + dc)] = (text, dr == 0 and dc == 0)
            c += cs
    width = max(c for _, c in slots) + 1
    return [[slots.get((r, c), ("", True)) for c in range(width)] for r in range(len(rows))]


def _num(raw: str):
    raw = raw.strip().removesuffix("万元")
    if not raw:
        return None
    return float(raw) if "." in raw else int(raw)


def expected_cells(item) -> dict[tuple[str, str, str], object]:
    """Golden cells of one report, read off its Block rows by position."""
    template = "2019" if item.year <= 2020 else "2021"
    out: dict[tuple[str, str, str], object] = {}
    heading = None
    for block in item.blocks:
        if block.kind != "table":
            heading = block.text
            continue
        grid = _grid(block.rows)
        if heading.startswith("二"):
            cols: list[str] = []
            for grid_row in grid:
                first = grid_row[0][0].replace(" ", "")  # seed 004 prints "规 章"
                if first == "信息内容":
                    cols = [ACTIVE_COLS[t] if own else None for t, own in grid_row[1:]]
                elif first in ACTIVE_ROWS:
                    for col, (text, own) in zip(cols, grid_row[1:], strict=True):
                        if col is not None and own:
                            out[("二", ACTIVE_ROWS[first], col)] = _num(text)
        elif heading.startswith("三"):
            for code, grid_row in zip(REQUEST_ROWS[template], grid[3:], strict=True):
                for col, (text, _) in zip(REQUEST_COLS, grid_row[-7:], strict=True):
                    out[("三", code, col)] = _num(text)
        elif heading.startswith("四"):
            values = [t for t, _ in grid[-1]]
            for i, code in enumerate(APPEAL_ROWS):
                for j, col in enumerate(APPEAL_COLS):
                    out[("四", code, col)] = _num(values[i * 5 + j])
    return out


def _statutory_reports():
    return [
        it
        for it in ITEMS
        if it.kind == "annual_report"
        and it.year is not None
        and it.year >= 2019
        and any(b.kind == "table" for b in it.blocks)
    ]


def _score(items, parse) -> tuple[int, int, list]:
    right, total, wrong = 0, 0, []
    for item in items:
        expected = expected_cells(item)
        got = {
            (c["section"], c["item_code"], c["col_label"]): c["value"] for c in parse(item).cells
        }
        for key, value in expected.items():
            total += 1
            if key in got and got[key] == value:
                right += 1
            else:
                wrong.append((item.title, key, value, got.get(key, "missing")))
        # Nothing the report does not print may appear as a figure.
        extra = [k for k, v in got.items() if v is not None and k not in expected]
        total += len(extra)
        wrong += [(item.title, k, None, got[k]) for k in extra]
    return right, total, wrong


def test_cell_accuracy_archive_text():
    """Every sample report with tables, as the archive stores its text (" | " rows): 100 % of cells."""
    items = _statutory_reports()
    assert len(items) >= 20
    right, total, wrong = _score(items, lambda it: parse_text(golden_text(it), it.year))
    print(f"\ncell accuracy (archive text): {right}/{total} = {100 * right / total:.2f} %")
    assert not wrong[:10]
    assert right == total


def _html(item) -> str:
    """The report's tables as HTML with their rowspans and colspans, like a Word export."""
    parts = []
    for block in item.blocks:
        if block.kind != "table":
            parts.append(f"<p>{block.text}</p>")
            continue
        parts.append('<table border="1">')
        for row in block.rows:
            tds = []
            for cell in row:
                text, rs, cs = (cell, 1, 1) if isinstance(cell, str) else cell
                tds.append(f'<td rowspan="{rs}" colspan="{cs}"><p><span>{text}</span></p></td>')
            parts.append("<tr>" + "".join(tds) + "</tr>")
        parts.append("</table>")
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def test_cell_accuracy_html_tables():
    items = _statutory_reports()
    right, total, wrong = _score(items, lambda it: parse_html(_html(it), it.year))
    print(f"\ncell accuracy (HTML rowspan/colspan): {right}/{total} = {100 * right / total:.2f} %")
    assert not wrong[:10]


def _one_cell_per_line(item) -> str:
    """The tables as a naive scrape leaves them: every non-empty cell on its own line."""
    lines = []
    for block in item.blocks:
        if block.kind != "table":
            lines.append(block.text)
            continue
        for row in block.rows:
            for cell in row:
                text = cell if isinstance(cell, str) else cell[0]
                if text.strip():
                    lines.append(text)
    return "\n".join(lines)


def _spaced(item) -> str:
    """PDF-style text: a row's cells on one line separated by spaces."""
    lines = []
    for block in item.blocks:
        if block.kind != "table":
            lines.append(block.text)
            continue
        for row in block.rows:
            cells = [(c if isinstance(c, str) else c[0]).strip() for c in row]
            lines.append(" ".join(c for c in cells if c))
    return "\n".join(lines)


@pytest.mark.parametrize("form", [_one_cell_per_line, _spaced])
def test_cell_accuracy_flattened_text(form):
    """Fully filled tables lose nothing when flattened: figures follow their labels in order."""
    items = [it for it in _statutory_reports() if it.seed is None]
    right, total, wrong = _score(items, lambda it: parse_text(form(it), it.year))
    print(f"\ncell accuracy ({form.__name__}): {right}/{total} = {100 * right / total:.2f} %")
    assert not wrong[:10]


def _seed_004_values(cells) -> dict:
    return {(c["section"], c["item_code"], c["col_label"]): c["value"] for c in cells}


def _assert_seed_004(v: dict) -> None:
    for code, figures in {
        "2.permit": (1448, 62, 1550),
        "2.other_services": (0, 0, 0),
        "2.penalty": (209, 10, 219),
        "2.enforcement": (10, 6, 16),
    }.items():
        got = tuple(v[("二", code, c)] for c in ("上一年项目数量", "本年增/减", "处理决定数量"))
        assert got == figures, code
    assert tuple(
        v[("二", "2.rules", c)] for c in ("本年制发件数", "本年新公开数量", "现行有效件数")
    ) == (
        0,
        0,
        0,
    )
    given = {k: x for k, x in v.items() if k[0] == "三" and x is not None}
    assert given == {
        ("三", "3.new", "总计"): 0,
        ("三", "3.carried", "总计"): 0,
        ("三", "3.result.total", "总计"): 0,
    }
    assert sum(1 for k in v if k[0] == "三") == 23 * 7  # the other cells are there, empty (NULL)


def test_seed_004_naive_scrape():
    """The seed as the naive scraper left it: one cell per line, a lone "|" between rows."""
    result = parse_text(SEED_004.read_text(encoding="utf-8"), 2020)
    assert result.template == "2019"
    _assert_seed_004(_seed_004_values(result.cells))
    assert not [k for k in checks(result) if k["ok"] is False]


def test_seed_004_archive_text():
    item = next(it for it in ITEMS if it.seed and it.seed.startswith("004_"))
    result = parse_text(golden_text(item), item.year)
    _assert_seed_004(_seed_004_values(result.cells))


def test_label_tolerance():
    text = "\n".join(
        [
            "二、主动公开政府信息情况",
            "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量",
            "规 章 | 1 | 2 | 3",
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复议 | 行政诉讼",
            "结果维护 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉",
            " | ".join(["1", "0", "0", "0", "1"] + ["0"] * 10),
        ]
    )
    v = _seed_004_values(parse_text(text, 2019).cells)
    assert v[("二", "2.rules", "现行有效件数")] == 3
    assert v[("四", "4.review", "结果维持")] == 1


def test_only_the_spoiled_reports_fail_a_check():
    failing = set()
    for item in ITEMS:
        if item.kind != "annual_report":
            continue
        result = parse_text(golden_text(item), item.year)
        if any(k["ok"] is False for k in checks(result)):
            failing.add((item.bureau_id, item.year))
    assert failing == {("hunan-jtt", 2022), ("linquan-jtj", 2020)}
    titles = {
        it.title
        for it in ITEMS
        if (it.bureau_id, it.year) in failing and it.kind == "annual_report"
    }
    assert any(t.startswith("湖南省交通运输厅2022年度") for t in titles)
    assert any(t.startswith("临泉县交通运输局2020年") for t in titles)


def test_missing_tables_are_recorded():
    result = parse_text("一、总体情况\n本年度我局主动公开信息120条。", 2017)
    found = checks(result)
    assert len(found) == 3 and all(k["ok"] is None and "2017" in k["actual"] for k in found)


def test_crawled_archive_holds_the_tables(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    rows = dict(
        (r[0] + "|" + r[1], r[2])
        for r in conn.execute(
            "SELECT s.item_code, s.col_label, s.value FROM disclosure_stats s "
            "JOIN reports r ON r.id = s.report_id "
            "WHERE r.bureau_id = 'lushan-jtj' AND r.year = 2020 AND r.kind = 'annual_report'"
        )
    )
    assert rows["2.permit|处理决定数量"] == 1550 and rows["2.permit|上一年项目数量"] == 1448
    assert rows["2.penalty|处理决定数量"] == 219 and rows["2.enforcement|本年增/减"] == 6
    assert rows["3.new|总计"] == 0 and rows["3.new|自然人"] is None
    failing = {
        r[0]
        for r in conn.execute(
            "SELECT r.title FROM stats_checks c JOIN reports r ON r.id = c.report_id WHERE c.ok = 0"
        )
    }
    assert len(failing) == 2
    assert any(t.startswith("湖南省交通运输厅2022年度") for t in failing)
    assert any(t.startswith("临泉县交通运输局2020年") for t in failing)
    conn.close()


def test_recrawl_writes_no_stats(archive_copy):
    from archive.ingest import Archive

    conn = sqlite3.connect(archive_copy)
    row = conn.execute(
        "SELECT url, bureau_id, kind, year, title, text FROM reports "
        "WHERE kind = 'annual_report' AND year = 2021 LIMIT 1"
    ).fetchone()
    before = conn.execute("SELECT count(*), total_changes() FROM disclosure_stats").fetchone()
    conn.close()
    with Archive(archive_copy) as archive:
        record = dict(zip(("url", "bureau_id", "kind", "year", "title", "text"), row, strict=True))
        archive.save_report(
            record
        )  # may be "changed" (fields not given here) but the text is the same
        n = archive.conn.execute("SELECT count(*) FROM disclosure_stats").fetchone()[0]
    assert n == before[0]


def test_cli_prints_one_json_object(tmp_path):
    from click.testing import CliRunner

    from archive.cli import main

    path = tmp_path / "report.txt"
    path.write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    out = CliRunner().invoke(main, ["tables", str(path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["template"] == "2019"
    assert {"section", "item_code", "row_label", "col_label", "value"} <= set(data["cells"][0])
    assert all({"rule", "expected", "actual", "ok"} <= set(k) for k in data["checks"])


def test_canned_queries_run_in_datasette(archive_copy):
    """The three canned queries of metadata.yml, run by a real `datasette serve` on the crawled archive."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "nianbao_bench_search", ROOT / "bench" / "search.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with bench.Datasette(archive_copy) as ds:
        got = {}
        for name in ("applications_per_bureau_year", "refusals_by_reason", "reports_not_adding_up"):
            got[name] = ds.get_json(f"/archive/{name}.json", _shape="objects")["rows"]
        tables = {t["name"] for t in ds.get_json("/archive.json")["tables"]}
    assert {"disclosure_stats", "stats_checks", "stat_items"} <= tables
    assert any(r["applications_received"] is not None for r in got["applications_per_bureau_year"])
    assert {r["reason"] for r in got["refusals_by_reason"]} >= {
        "属于国家秘密",
        "属于四类过程性信息",
    }
    assert {r["year"] for r in got["reports_not_adding_up"]} == {2020, 2022}
