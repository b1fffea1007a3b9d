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

ROOT = Path(__file__).resolve().parents[1]
SEED_004 = ROOT / "sample_portals" / "seed_texts" / "004_f381d2065afaaaf4.txt"

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
    # The report's own identities; the sample years are drawn independently, so the carry-over from
    # one year to the next (跨年 rules) disagrees in several bureaus and is tested on its own.
    failing = {
        r[0]
        for r in conn.execute(
            "SELECT r.title FROM stats_checks c JOIN reports r ON r.id = c.report_id "
            "WHERE c.ok = 0 AND c.rule NOT LIKE '跨年%'"
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
        "SELECT url, bureau_id, kind, year, title, text FROM reports_with_text "
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

    from nianbao.cli import main

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


# --- PDF ------------------------------------------------------------------------------------------------


def _pdf_file(tmp_path, item) -> Path:
    from sample_portals.table_pdf import report_pdf

    path = tmp_path / f"{abs(hash(item.title))}.pdf"
    path.write_bytes(report_pdf(item))
    return path


def test_cell_accuracy_ruled_pdf(tmp_path):
    """Every sample report printed to a PDF with ruled tables (merged cells as one box, long labels
    wrapped inside their box) and read back with pdfplumber: 100 % of cells."""
    from archive.tables import parse_pdf

    items = _statutory_reports()
    right, total, wrong = _score(items, lambda it: parse_pdf(_pdf_file(tmp_path, it), it.year))
    print(f"\ncell accuracy (ruled PDF): {right}/{total} = {100 * right / total:.2f} %")
    assert not wrong[:10]
    assert right == total


def test_pdf_2021_template_by_hand(tmp_path):
    """A 2021 report whose three tables are ruled grids in a PDF, checked against figures written out
    here by hand (not derived from the same rows the PDF was drawn from)."""
    from archive.tables import parse_file
    from sample_portals.model import Block, Item

    other = "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    fee = "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    blocks = [
        Block("h", "二、主动公开政府信息情况"),
        Block("table", rows=[
            [("第二十条第（一）项", 1, 4)],
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "2", "1", "17"],
            ["行政规范性文件", "5", "0", "31"],
            [("第二十条第（五）项", 1, 4)],
            ["信息内容", ("本年处理决定数量", 1, 3)],
            ["行政许可", ("12,873", 1, 3)],
            [("第二十条第（六）项", 1, 4)],
            ["信息内容", ("本年处理决定数量", 1, 3)],
            ["行政处罚", ("956", 1, 3)],
            ["行政强制", ("", 1, 3)],
            [("第二十条第（八）项", 1, 4)],
            ["信息内容", ("本年收费金额（单位：万元）", 1, 3)],
            ["行政事业性收费", ("0", 1, 3)],
        ]),
        Block("h", "三、收到和处理政府信息公开申请情况"),
        Block("table", rows=[
            [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
             ("申请人情况", 1, 7)],
            [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
            ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
            [("一、本年新收政府信息公开申请数量", 1, 3), "57", "6", "1", "0", "2", "0", "66"],
            [("二、上年结转政府信息公开申请数量", 1, 3), "3", "0", "0", "0", "0", "0", "3"],
            [("三、本年度办理结果", 22, 1), ("（一）予以公开", 1, 2), "30", "4", "1", "0", "1", "0", "36"],
            [("（二）部分公开", 1, 2), "6", "0", "0", "0", "0", "0", "6"],
            [("（三）不予公开", 8, 1), "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1"],
            ["2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"],
            ["3.危及“三安全一稳定”", "0", "0", "0", "0", "0", "0", "0"],
            ["4.保护第三方合法权益", "0", "0", "0", "0", "0", "0", "0"],
            ["5.属于三类内部事务信息", "0", "0", "0", "0", "0", "0", "0"],
            ["6.属于四类过程性信息", "2", "0", "0", "0", "0", "0", "2"],
            ["7.属于行政执法案卷", "0", "0", "0", "0", "0", "0", "0"],
            ["8.属于行政查询事项", "0", "0", "0", "0", "0", "0", "0"],
            [("（四）无法提供", 3, 1), "1.本机关不掌握相关政府信息", "9", "1", "0", "0", "1", "0", "11"],
            ["2.没有现成信息需要另行制作", "0", "0", "0", "0", "0", "0", "0"],
            ["3.补正后申请内容仍不明确", "1", "0", "0", "0", "0", "0", "1"],
            [("（五）不予处理", 5, 1), "1.信访举报投诉类申请", "3", "0", "0", "0", "0", "0", "3"],
            ["2.重复申请", "1", "0", "0", "0", "0", "0", "1"],
            ["3.要求提供公开出版物", "0", "0", "0", "0", "0", "0", "0"],
            ["4.无正当理由大量反复申请", "0", "0", "0", "0", "0", "0", "0"],
            ["5.要求行政机关确认或重新出具已获取信息", "0", "0", "0", "0", "0", "0", "0"],
            [("（六）其他处理", 3, 1), "1." + other, "2", "0", "0", "0", "0", "0", "2"],
            ["2." + fee, "0", "0", "0", "0", "0", "0", "0"],
            ["3.其他", "1", "0", "0", "0", "0", "0", "1"],
            [("（七）总计", 1, 2), "56", "5", "1", "0", "2", "0", "64"],
            [("四、结转下年度继续办理", 1, 3), "4", "1", "0", "0", "0", "0", "5"],
        ]),
        Block("h", "四、政府信息公开行政复议、行政诉讼情况"),
        Block("table", rows=[
            [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
            [("结果维持", 2, 1), ("结果纠正", 2, 1), ("其他结果", 2, 1), ("尚未审结", 2, 1),
             ("总计", 2, 1), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
            ["2", "1", "0", "1", "4", "1", "0", "0", "0", "1", "0", "0", "0", "1", "1"],
        ]),
        Block("h", "五、存在的主要问题及改进情况"),
        Block("p", "部分答复文书说理不够充分。"),
    ]  # fmt: skip
    item = Item(
        "x", "某市交通运输局2023年政府信息公开工作年度报告", "annual_report", 2023, "", "", blocks
    )
    result = parse_file(_pdf_file(tmp_path, item))
    assert result.template == "2021" and not result.problems
    got = _seed_004_values(result.cells)
    c = REQUEST_COLS
    want = {
        ("二", "2.rules", "本年制发件数"): 2, ("二", "2.rules", "本年废止件数"): 1,
        ("二", "2.rules", "现行有效件数"): 17, ("二", "2.normative", "本年制发件数"): 5,
        ("二", "2.normative", "本年废止件数"): 0, ("二", "2.normative", "现行有效件数"): 31,
        ("二", "2.permit", "处理决定数量"): 12873, ("二", "2.penalty", "处理决定数量"): 956,
        ("二", "2.enforcement", "处理决定数量"): None, ("二", "2.fees", "本年收费金额(万元)"): 0,
        **dict(zip([("三", "3.new", x) for x in c], [57, 6, 1, 0, 2, 0, 66], strict=True)),
        **dict(zip([("三", "3.carried", x) for x in c], [3, 0, 0, 0, 0, 0, 3], strict=True)),
        **dict(zip([("三", "3.result.open", x) for x in c], [30, 4, 1, 0, 1, 0, 36], strict=True)),
        **dict(zip([("三", "3.result.partial", x) for x in c], [6, 0, 0, 0, 0, 0, 6], strict=True)),
        ("三", "3.result.not_open.secret", "自然人"): 1,
        ("三", "3.result.not_open.process", "总计"): 2,
        ("三", "3.result.cannot.not_held", "自然人"): 9,
        ("三", "3.result.cannot.not_held", "法律服务机构"): 1,
        ("三", "3.result.cannot.unclear", "总计"): 1,
        ("三", "3.result.not_handled.petition", "总计"): 3,
        ("三", "3.result.not_handled.repeat", "自然人"): 1,
        ("三", "3.result.other.no_correction", "自然人"): 2,
        ("三", "3.result.other.no_fee", "总计"): 0,
        ("三", "3.result.other.other", "自然人"): 1,
        **dict(zip([("三", "3.result.total", x) for x in c], [56, 5, 1, 0, 2, 0, 64], strict=True)),
        **dict(zip([("三", "3.next_year", x) for x in c], [4, 1, 0, 0, 0, 0, 5], strict=True)),
        **dict(zip([("四", "4.review", x) for x in APPEAL_COLS], [2, 1, 0, 1, 4], strict=True)),
        **dict(zip([("四", "4.suit_direct", x) for x in APPEAL_COLS], [1, 0, 0, 0, 1], strict=True)),
        **dict(
            zip([("四", "4.suit_after_review", x) for x in APPEAL_COLS], [0, 0, 0, 1, 1], strict=True)
        ),
    }  # fmt: skip
    right = sum(1 for k, v in want.items() if k in got and got[k] == v)
    print(f"\ncell accuracy (hand-written 2021 PDF): {right}/{len(want)}")
    assert right == len(want), {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert sum(1 for k in got if k[0] == "三") == 25 * 7  # 25 rows in 2021
    assert all(k["ok"] for k in checks(result))


def test_pdf_without_rules_falls_back_to_text_lines(tmp_path):
    """A PDF whose tables are laid out by spacing only: no ruled table, the text lines are read."""
    from archive.tables import parse_pdf
    from sample_portals.attachment_items import pdf_bytes

    lines = [
        "二、主动公开政府信息情况",
        "信息内容 本年新制作数量 本年新公开数量 对外公开总数量",
        "规章 0 0 0",
        "信息内容 上一年项目数量 本年增/减 处理决定数量",
        "行政许可 1,448 62 1,550",
        "行政处罚 209 10 219",
    ]
    path = tmp_path / "plain.pdf"
    path.write_bytes(pdf_bytes([lines], footer=False))
    v = _seed_004_values(parse_pdf(path, 2020).cells)
    assert (v[("二", "2.permit", "上一年项目数量")], v[("二", "2.permit", "处理决定数量")]) == (
        1448,
        1550,
    )
    assert v[("二", "2.penalty", "本年增/减")] == 10


# --- real-world variations ------------------------------------------------------------------------------

_WORD_HTML = """<html><body><div class=WordSection1>
<p class=MsoNormal><b><span style='font-family:黑体'>二、主动公开政府信息情况</span></b></p>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>
 <tr><td width=568 colspan=4><p class=MsoNormal align=center><span>第二十条第（一）项</span></p></td></tr>
 <tr><td><p class=MsoNormal><span>信息内容</span></p></td>
  <td><p class=MsoNormal><span>本年新<br>制作数量</span></p></td>
  <td><p class=MsoNormal><span>本年新公开数量</span></p></td>
  <td><p class=MsoNormal><span>对外公开<o:p></o:p></span></p><p class=MsoNormal><span>总数量</span></p></td></tr>
 <tr><td><p class=MsoNormal><span>规</span><span>&nbsp;&nbsp;</span><span>章</span></p></td>
  <td><p class=MsoNormal><span lang=EN-US>&nbsp;</span></p></td>
  <td><p class=MsoNormal><span lang=EN-US>0</span></p></td>
  <td><p class=MsoNormal><span lang=EN-US>3</span></p></td></tr>
 <tr><td colspan=4><p class=MsoNormal><span>第二十条第（五）项</span></p></td></tr>
 <tr><td><p><span>信息内容</span></p></td><td><p><span>上一年项目数量</span></p></td>
  <td><p><span>本年增<span lang=EN-US>/</span>减</span></p></td><td><p><span>处理决定数量</span></p></td></tr>
 <tr><td><p><span>行政
  许可</span></p></td><td><p><span lang=EN-US>１４４８</span></p></td>
  <td><p><span lang=EN-US>62</span></p></td><td><p><span lang=EN-US>1,550</span></p></td></tr>
</table>
<p class=MsoNormal><span>&nbsp;</span></p>
<p class=MsoNormal><b><span>四、政府信息公开行政复议、行政诉讼情况</span></b></p>
<table class=MsoNormalTable border=1>
 <tr><td colspan=5><p><span>行政复议</span></p></td><td colspan=10><p><span>行政诉讼</span></p></td></tr>
 <tr><td rowspan=2><p><span>结果<br>维持</span></p></td><td rowspan=2><p><span>结果<br>纠正</span></p></td>
  <td rowspan=2><p><span>其他<br>结果</span></p></td><td rowspan=2><p><span>尚未<br>审结</span></p></td>
  <td rowspan=2><p><span>总计</span></p></td><td colspan=5><p><span>未经复议直接起诉</span></p></td>
  <td colspan=5><p><span>复议后起诉</span></p></td></tr>
 <tr>{}</tr>
 <tr>{}</tr>
</table></div></body></html>""".format(
    "".join(f"<td><p><span>{c}</span></p></td>" for c in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
    "".join(f"<td><p class=MsoNormal align=center><span lang=EN-US>{v}</span></p></td>"
            for v in ["1", "&nbsp;", "0", "0", "1", "2", "0", "0", "1", "3", "0", "0", "0", "0", "0"]),
)  # fmt: skip


def test_word_exported_html():
    """MsoNormalTable markup: <p><span> inside cells, labels split over lines and spans, &nbsp; in empty
    cells, full-width digits and thousands separators."""
    from archive.tables import parse_html

    v = _seed_004_values(parse_html(_WORD_HTML, 2020).cells)
    assert [
        v[("二", "2.rules", c)] for c in ("本年制发件数", "本年新公开数量", "现行有效件数")
    ] == [
        None,
        0,
        3,
    ]
    assert [v[("二", "2.permit", c)] for c in ("上一年项目数量", "本年增/减", "处理决定数量")] == [
        1448,
        62,
        1550,
    ]
    assert [v[("四", "4.review", c)] for c in APPEAL_COLS] == [1, None, 0, 0, 1]
    assert [v[("四", "4.suit_direct", c)] for c in APPEAL_COLS] == [2, 0, 0, 1, 3]


def _requests_text(
    header: list[str], rows: dict[str, list[str]], repeat_header: bool = False
) -> str:
    """Section 三 as archive text with a given leaf-column header."""
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况",
        " | ".join(header),
    ]
    for n, (label, values) in enumerate(rows.items()):
        if repeat_header and n == 3:
            lines += lines[1:3]  # the header printed again where Word broke the table over a page
        lines.append(" | ".join([label, *values]))
    return "\n".join(lines)


_ORDER_ROWS = {
    "一、本年新收政府信息公开申请数量": ["5", "1", "0", "0", "0", "2", "8"],
    "二、上年结转政府信息公开申请数量": ["1", "0", "0", "0", "0", "0", "1"],
    "三、本年度办理结果 | （一）予以公开": ["3", "1", "0", "0", "0", "2", "6"],
    "（二）部分公开": ["1", "0", "0", "0", "0", "0", "1"],
    "（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": ["1", "0", "0", "0", "0", "0", "1"],
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": ["0", "0", "0", "0", "0", "0", "0"],
    "其他": ["1", "0", "0", "0", "0", "0", "1"],
    "（七）总计": ["6", "1", "0", "0", "0", "2", "9"],
    "四、结转下年度继续办理": ["0", "0", "0", "0", "0", "0", "0"],
}  # fmt: skip


@pytest.mark.parametrize("repeat", [False, True])
def test_request_columns_in_another_order(repeat):
    """The organisations printed before 自然人 and the header repeated mid-table: figures follow the
    header, not the template's order. 2021's 其他处理 three sub-rows, the last labelled only 其他."""
    header = [
        "法人或其他组织 | 自然人 | 总计",
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他",
    ]
    # The same figures as _ORDER_ROWS, but printed with the five organisation columns first.
    rows = {k: [*v[1:6], v[0], v[6]] for k, v in _ORDER_ROWS.items()}
    text = _requests_text(header, rows, repeat).replace(" | 商业企业", "\n商业企业")
    result = parse_text("本年制发件数\n" + text, 2022)
    v = _seed_004_values(result.cells)
    for label, code in [("一、本年新收", "3.new"), ("（七）总计", "3.result.total")]:
        want = next(x for k, x in _ORDER_ROWS.items() if k.startswith(label))
        assert [v[("三", code, c)] for c in REQUEST_COLS] == [int(x) for x in want]
    assert v[("三", "3.result.other.no_correction", "自然人")] == 1
    assert v[("三", "3.result.other.no_fee", "总计")] == 0
    assert v[("三", "3.result.other.other", "自然人")] == 1
    assert v[("三", "3.result.other.other", "总计")] == 1
    assert all(k["ok"] for k in checks(result) if k["rule"].startswith("三"))


def test_appeal_columns_in_another_order_and_repeated_header():
    text = "\n".join(
        [
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复议 | 行政诉讼",
            "结果纠正 | 结果维持 | 其他结果 | 尚未审结 | 总计 | 复议后起诉 | 未经复议直接起诉",
            " | ".join(["结果纠正", "结果维持", "其他结果", "尚未审结", "总计"] * 2),
            "行政复议 | 行政诉讼",
            " | ".join(["2", "1", "0", "0", "3", "0", "1", "0", "0", "1", "4", "0", "0", "1", "5"]),
        ]
    )
    v = _seed_004_values(parse_text("本年新收\n" + text, 2022).cells)
    assert [v[("四", "4.review", c)] for c in APPEAL_COLS] == [1, 2, 0, 0, 3]
    assert [v[("四", "4.suit_after_review", c)] for c in APPEAL_COLS] == [1, 0, 0, 0, 1]
    assert [v[("四", "4.suit_direct", c)] for c in APPEAL_COLS] == [0, 4, 0, 1, 5]


@pytest.mark.parametrize(
    "header",
    [
        # one header row, each label naming its group and its outcome
        [f"{g}{o}" for g in ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
         for o in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")],
        # one header row of the fifteen outcomes only, groups implied by the template order
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
    ],
)  # fmt: skip
def test_appeals_flattened_in_one_row(header):
    figures = ["3", "0", "1", "0", "4", "1", "0", "0", "0", "1", "0", "0", "0", "2", "2"]
    for text in (
        " | ".join(header) + "\n" + " | ".join(figures),  # a header row, then the figures
        "行政复议、行政诉讼 | " + " | ".join(figures),  # everything on one row after a label
    ):
        v = _seed_004_values(
            parse_text("本年新收\n四、政府信息公开行政复议、行政诉讼情况\n" + text, 2022).cells
        )
        assert [v[("四", "4.review", c)] for c in APPEAL_COLS] == [3, 0, 1, 0, 4]
        assert [v[("四", "4.suit_direct", c)] for c in APPEAL_COLS] == [1, 0, 0, 0, 1]
        assert [v[("四", "4.suit_after_review", c)] for c in APPEAL_COLS] == [0, 0, 0, 2, 2]


def test_thousands_separators_and_full_width_digits():
    from archive.tables import parse_value

    assert [
        parse_value(x) for x in ("１４４８", "1,448", "1，448", "１，４４８", "12,873.5", "")
    ] == [
        1448,
        1448,
        1448,
        1448,
        12873.5,
        None,
    ]
    text = "二、主动公开政府信息情况\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可 １４４８ 62 1,550"
    v = _seed_004_values(parse_text(text, 2020).cells)
    assert [v[("二", "2.permit", c)] for c in ("上一年项目数量", "本年增/减", "处理决定数量")] == [
        1448,
        62,
        1550,
    ]


# --- attachments and backfill ---------------------------------------------------------------------------


def test_tables_only_in_the_attachment(tmp_path):
    """A page that only says where the report is, with the tables in the attachment's text."""
    from archive.ingest import Archive

    item = next(it for it in _statutory_reports() if it.seed is None and it.year >= 2021)
    record = {
        "url": "http://127.0.0.1:8711/ndbg/only-attachment.html",
        "bureau_id": item.bureau_id,
        "kind": "annual_report",
        "year": item.year,
        "title": item.title,
        "text": "一、总体情况\n本年度报告全文见附件。",
        "attachments": [
            {
                "url": "http://127.0.0.1:8711/ndbg/a.docx",
                "name": "a.docx",
                "text": golden_text(item),
            }
        ],
    }
    with Archive(tmp_path / "a.db") as archive:
        assert archive.save_report(record) == "new"
        got = {
            (s, code, col): value
            for s, code, col, value in archive.conn.execute(
                "SELECT section, item_code, col_label, value FROM disclosure_stats"
            )
        }
        readable = archive.conn.execute(
            "SELECT count(*) FROM stats_checks WHERE rule LIKE '% table readable'"
        ).fetchone()[0]
    expected = expected_cells(item)
    assert readable == 0
    assert {k: got.get(k) for k in expected} == expected


def test_cells_of_an_ocr_attachment_are_stored_as_ocr(tmp_path):
    """An attachment whose text OCR read (text_source 'ocr') gives cells stored with method 'ocr', on
    save and again after `restats`; a typed attachment's cells stay 'text'."""
    from archive.ingest import Archive
    from archive.tables import restats

    item = next(it for it in _statutory_reports() if it.seed is None and it.year >= 2021)

    def record(n, source):
        attachment = {"url": f"http://127.0.0.1:8711/ndbg/{n}.pdf", "name": f"{n}.pdf"}
        attachment.update(text=golden_text(item), text_source=source)
        return {
            "url": f"http://127.0.0.1:8711/ndbg/{n}.html",
            "bureau_id": item.bureau_id,
            "kind": "annual_report",
            "year": item.year,
            "title": f"{item.title}（{n}）",
            "text": "一、总体情况\n本年度报告全文见附件。",
            "attachments": [attachment],
        }

    def methods(archive):
        rows = archive.conn.execute(
            "SELECT r.url, group_concat(DISTINCT s.method) FROM disclosure_stats s "
            "JOIN reports r ON r.id = s.report_id WHERE s.value IS NOT NULL GROUP BY r.url"
        )
        return {url.rsplit("/", 1)[1]: m for url, m in rows}

    with Archive(tmp_path / "a.db") as archive:
        assert archive.save_report(record("scan", "ocr")) == "new"
        assert archive.save_report(record("typed", None)) == "new"
        assert methods(archive) == {"scan.html": "ocr", "typed.html": "text"}
        archive.conn.execute("DELETE FROM disclosure_stats")
        restats(archive.conn)
        assert methods(archive) == {"scan.html": "ocr", "typed.html": "text"}


def test_restats_backfills_and_is_idempotent(archive_copy):
    """`nianbao restats` on an archive whose stats were lost (or never computed) restores exactly what
    the crawl stored; a second run rewrites nothing and leaves the file's rows unchanged."""
    from click.testing import CliRunner

    from nianbao.cli import main

    conn = sqlite3.connect(archive_copy)
    before = sorted(conn.execute("SELECT * FROM disclosure_stats"))
    checks_before = sorted(conn.execute("SELECT * FROM stats_checks"))
    conn.execute("DELETE FROM disclosure_stats")
    conn.execute("DELETE FROM stats_checks")
    conn.commit()
    conn.close()
    first = CliRunner().invoke(main, ["restats", "--db", str(archive_copy)])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.output)
    assert counts["annual_reports"] >= 20 and counts["rewritten"] == counts["annual_reports"]
    conn = sqlite3.connect(archive_copy)
    assert sorted(conn.execute("SELECT * FROM disclosure_stats")) == before
    assert sorted(conn.execute("SELECT * FROM stats_checks")) == checks_before
    conn.close()
    second = CliRunner().invoke(main, ["restats", "--db", str(archive_copy)])
    assert json.loads(second.output) == {**counts, "rewritten": 0, "cleared": 0}
    conn = sqlite3.connect(archive_copy)
    assert sorted(conn.execute("SELECT * FROM disclosure_stats")) == before
    conn.close()
