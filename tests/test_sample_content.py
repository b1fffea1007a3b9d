"""The sample-portal content: enough items of every kind, seeds rebuilt faithfully, tables that add up.

Everything downstream (rendered portals, golden files, the extractor's and classifier's tests) trusts
this content, so its properties are checked here by recomputation rather than by flags it carries.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sample_portals.bureaus import BUREAUS, BY_ID
from sample_portals.content import ITEMS, MOBILE_DUPLICATE_FROM, build_items
from sample_portals.model import Block, golden_text
from sample_portals.seeds import deruby

# The two reports whose section 三 table is wrong on purpose.
SPOILED_TITLES = {
    "湖南省交通运输厅2022年度政府信息公开工作年度报告",
    "临泉县交通运输局2020年政府信息公开工作年度报告",
}


def _reports() -> list:
    """The generated statutory reports; the hand-written attachment-only and 图片版 items are checked in
    test_attachments and the golden tests, not against the generators' template rules."""
    return [
        it
        for it in ITEMS
        if it.kind == "annual_report" and not it.attachment_only and not it.images
    ]


def _template(year: int) -> str:
    return "legacy" if year <= 2018 else ("2019" if year <= 2020 else "2021")


def _seed(prefix: str):
    return next(it for it in ITEMS if it.seed and it.seed.startswith(prefix))


def test_items_per_bureau_fill_three_list_pages():
    counts = Counter(it.bureau_id for it in ITEMS)
    for b in BUREAUS:
        need = 10 if b.family == "trs" else 11
        assert counts[b.id] >= need, (b.id, counts[b.id])
        assert -(-counts[b.id] // b.per_page) >= 3, b.id


def test_every_column_has_the_neighbours_of_reports():
    for b in BUREAUS:
        kinds = Counter(it.kind for it in ITEMS if it.bureau_id == b.id)
        assert kinds["work_plan"] >= 1, b.id
        assert 1 <= kinds["interpretation"] <= 2, b.id
        assert kinds["guide"] == 1, b.id
        assert kinds["other"] >= 1, b.id


def test_report_counts_templates_and_years():
    reports = _reports()
    assert len(reports) >= 37
    assert len([r for r in reports if not r.seed]) >= 33
    per_template = Counter(_template(r.year) for r in reports)
    assert per_template["legacy"] >= 10
    assert per_template["2019"] >= 6
    assert per_template["2021"] >= 12
    years = {r.year for r in reports}
    assert min(years) == 2008
    assert max(years) == 2025
    assert len(years) >= 15


def test_seeds_sit_on_their_bureaus():
    expected = {
        "000": "fuyang-jtj",
        "001": "liaoyuan-jtj",
        "002": "yiyang-jtj",
        "003": "henan-jtt",
        "004": "lushan-jtj",
    }
    for prefix, bureau_id in expected.items():
        item = _seed(prefix)
        assert item.bureau_id == bureau_id
    assert _seed("001").kind == "work_plan"
    assert _seed("002").published == "2019-04-18 10:24"
    assert _seed("003").published == "2018-02-28 13:20"
    assert _seed("000").ruby


def test_every_must_survive_is_in_the_golden_text():
    for it in ITEMS:
        text = golden_text(it)
        if it.images:  # 图片版: no text layer, nothing that could survive
            assert not text and not it.must_survive, it.title
            continue
        assert 4 <= len(it.must_survive) <= 6, it.title
        for sentence in it.must_survive:
            assert sentence in text, (it.title, sentence)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_text_has_no_chrome_and_no_title(prefix):
    item = _seed(prefix)
    text = golden_text(item)
    # Chrome lines as the scraper kept them, e.g. "发布时间:2019-04-18 10:24 作者: 来源:…",
    # "皖ICP備19012406號-1 …", "相关解读:"; the same words inside body sentences are content.
    chrome = re.compile(
        r"^(扫一扫在手机打开当前页|发布时间|发布日期|当前位置|站點地圖|站点地图|主辦|主办|服務監督熱線|地址|"
        r"皖ICP|相关解读|相关文件|相关附件|附件:\[点击下载\])"
    )
    for line in text.splitlines():
        assert not chrome.match(deruby(line)), (prefix, line)
        assert "字体:【大】" not in line
    assert "网站标识码" not in deruby(text) and "網站標識碼" not in deruby(text)
    assert item.title not in text.splitlines()


def test_seed_000_keeps_ruby_and_its_pipe_table():
    item = _seed("000")
    text = golden_text(item)
    assert "關(guān)" in text
    tables = [b for b in item.blocks if b.kind == "table"]
    assert len(tables) == 1
    assert [len(r) for r in tables[0].rows] == [3, 3]
    assert "1 | 0 | 0" in text.splitlines()


def test_seed_001_work_plan_body_once():
    item = _seed("001")
    text = golden_text(item)
    assert item.title not in MOBILE_DUPLICATE_FROM, "seed pages show the body once"
    assert text.count("按照有关公共资源配置领域") == 1
    assert text.endswith("未完成的尽快整改。")


def test_seed_004_tables_rebuilt_with_the_seed_values():
    item = _seed("004")
    lines = golden_text(item).splitlines()
    for line in [
        "规 章 | 0 | 0 | 0",
        "规范性文件 | 0 | 0 | 0",
        "行政许可 | 1448 | 62 | 1550",
        "其他对外管理服务事项 | 0 | 0 | 0",
        "行政处罚 | 209 | 10 | 219",
        "行政强制 | 10 | 6 | 16",
        "商业 企业 | 科研 机构 | 社会公益组织 | 法律服务机构 | 其他",
        "一、本年新收政府信息公开申请数量 |  |  |  |  |  |  | 0",
        "二、上年结转政府信息公开申请数量 |  |  |  |  |  |  | 0",
        "(七)总计 |  |  |  |  |  |  | 0",
    ]:
        assert line in lines, line
    assert any(line.startswith("政府集中采购") for line in lines)
    text = "\n".join(lines)
    assert "结果维护" in text
    assert "关 心指导" in text and "网上 办事" in text
    tables = [b for b in item.blocks if b.kind == "table"]
    assert len(tables) == 3
    spans = [c for t in tables for row in t.rows for c in row if isinstance(c, tuple)]
    assert any(c[1] > 1 for c in spans) and any(c[2] > 1 for c in spans)
    # section 三: 3 header rows, 本年新收, 上年结转, 20 result rows, 结转下年度
    assert len(tables[1].rows) == 26
    assert tables[1].rows[5][0] == ("三、 本 年 度 办 理 结 果", 20, 1)


def _section3(item) -> Block | None:
    for prev, block in zip(item.blocks, item.blocks[1:], strict=False):
        if (
            prev.kind == "h"
            and prev.text.startswith("三、收到和处理政府信息公开申请情况")
            and block.kind == "table"
        ):
            return block
    return None


def _consistent(table: Block) -> bool:
    """Recompute the template's identities from the cells themselves."""

    def text(c):
        return c if isinstance(c, str) else c[0]

    def values(row):
        return [int(text(c)) for c in row[-7:]]

    labels = [" ".join(text(c) for c in row[:-7]) for row in table.rows]
    find = lambda key: next(i for i, lab in enumerate(labels) if key in lab)  # noqa: E731
    i_new, i_old, i_total, i_next = (
        find("一、本年新收"),
        find("二、上年结转"),
        find("（七）总计"),
        find("四、结转下年度"),
    )
    rows = {i: values(table.rows[i]) for i in range(i_new, len(table.rows))}
    if any(v[6] != sum(v[:6]) for v in rows.values()):
        return False
    leaves = [rows[i] for i in range(i_old + 1, i_total)]
    for col in range(7):
        if rows[i_new][col] + rows[i_old][col] != rows[i_total][col] + rows[i_next][col]:
            return False
        if rows[i_total][col] != sum(leaf[col] for leaf in leaves):
            return False
    return True


def test_section_three_adds_up_except_the_two_spoiled_reports():
    generated = [r for r in _reports() if not r.seed and r.year >= 2019]
    assert len(generated) >= 20
    broken = set()
    for report in generated:
        table = _section3(report)
        assert table is not None, report.title
        n_rows = 3 + 2 + (20 if _template(report.year) == "2019" else 22) + 1
        assert len(table.rows) == n_rows, report.title
        if not _consistent(table):
            broken.add(report.title)
    assert broken == SPOILED_TITLES


def test_template_specific_labels():
    for report in _reports():
        if report.seed or report.year < 2019:
            continue
        text = golden_text(report)
        if report.year <= 2020:
            assert (
                "本年新制作数量" in text
                and "政府集中采购" in text
                and "1.申请人无正当理由" not in text
            )
        else:
            assert "本年制发件数" in text and "政府集中采购" not in text
            assert "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in text
        for heading in ["一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]:
            assert heading in text.splitlines(), (report.title, heading)


def test_building_twice_gives_the_same_items():
    assert build_items() == build_items() == ITEMS


def test_texts_and_titles_are_unique():
    texts = [golden_text(it) for it in ITEMS]
    assert len(set(texts)) == len(texts)
    titles = [(it.bureau_id, it.title) for it in ITEMS]
    assert len(set(titles)) == len(titles)
    openings = [golden_text(r).splitlines()[1] for r in _reports() if not r.seed and r.year >= 2019]
    assert len(set(openings)) == len(openings)


def test_related_links_point_to_interpretations_of_the_same_bureau():
    linked = 0
    for it in ITEMS:
        for label, target in it.related:
            match = [x for x in ITEMS if x.title == target and x.bureau_id == it.bureau_id]
            assert len(match) == 1 and match[0].kind == "interpretation", (it.title, label)
            assert "年度报告" in target
            linked += 1
    assert linked >= 9


def test_fields_look_like_the_portals():
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")  # 2019-04-18 10:24
    index_no = re.compile(r"^[0-9A-Z]{18}/\d{4}-\d{5}$")  # 113412000032184357/2019-00007
    late = 0
    for it in ITEMS:
        assert stamp.match(it.published), it.title
        assert it.kind in {"annual_report", "work_plan", "interpretation", "guide", "other"}
        assert it.blocks or it.images, it.title
        assert all(b.kind in {"p", "h", "table"} for b in it.blocks)
        if BY_ID[it.bureau_id].family == "hanweb":
            assert index_no.match(it.index_no), it.title
            assert it.written_date <= it.published[:10]
        if it.kind == "annual_report":
            assert str(it.year) in it.title or "〇" in it.title
            assert it.published[:4] == str(it.year + 1), it.title
            late += it.published[5:7] != "01"
    assert late >= 5
