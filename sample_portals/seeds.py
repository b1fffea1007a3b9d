"""The five seed reports, rebuilt as sample-portal items from the scraped texts in `seed_texts/`.

The seed files are what a naive scraper kept of five real report pages. They are the project's own test
data (`sample_portals/seed_texts/`, with the README that came with them), read at build time so the
sample portals stay tied to the evidence: the chrome the scraper swallowed becomes item fields (title,
published, source, related), and what remains is the body the extractor must give back unchanged,
oddities included (pinyin ruby debris, PDF spaces inside words, odd template labels). Seed 004's
statutory tables, flattened to one cell per line, are set back into the 2019 template's shape with its
row and column spans, because that is how the portal carried them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sample_portals.model import Block, Cell, Item

SEEDS_DIR = Path(__file__).resolve().parent / "seed_texts"


# Pinyin ruby debris a 繁体 toggle leaves after characters, e.g. "關(guān)" -> "(guān)".
_RUBY = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")

# Lines that are page chrome, matched after ruby debris is removed.
_CHROME = [
    re.compile(r"^当前位置\s*[:：]"),  # 当前位置: 首页 > 政务公开 > 政府信息公开年报
    re.compile(
        r"^发布(时间|日期)\s*[:：]"
    ),  # 发布日期:2018-02-28 13:20   文章来源:河南省交通运输厅
    re.compile(r"字体\s*[:：]?\s*【大】"),  # 浏览次数: 字体:【大】 【中】 【小】
    re.compile(r"^扫一扫在手机打开当前页$"),  # 扫一扫在手机打开当前页
    re.compile(r"^相关(解读|文件|附件)\s*[:：]\s*$"),  # 相关解读:
    re.compile(r"^附件\s*[:：]\s*\[点击下载\]$"),  # 附件:[点击下载]
]

# The first line of a site footer; everything after it is footer too.
# Matches "站點地圖 | 聯系我們 | OA登錄" (seed 000, traditional) and "站点地图".
_FOOTER_START = re.compile(r"^(站点地图|站點地圖|网站地图|網站地圖)")

# Footer lines that must follow the footer start, as a check that the cut removes chrome only.
# Matches "主辦:阜陽市交通運輸局 承辦:…", "服務監督熱線:0558-12328 …", "地址:安徽省阜陽市阜南路9號",
# "皖ICP備19012406號-1 … 網站標識碼:3412000012(…)".
_FOOTER_LINE = re.compile(
    r"^(站點地圖|站点地图|主辦|主办|服務監督熱線|服务监督热线|地址|皖ICP備|.*ICP)"
)

# A section heading line: "一、总体情况", "二、存在問題及2019年工作打算".
_H_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
# A sub-heading line: "(一)组织保障", "(九)综合协同办公系统:".
_H_SUB = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
# A short heading naming a topic: "主動公開情況", "下一步工作打算".
_H_TOPIC = re.compile(r"^\S{2,10}(情况|情況|打算)$")


def deruby(text: str) -> str:
    """Chrome is recognised on the plain characters, whatever ruby debris the 繁体 toggle added."""
    return _RUBY.sub("", text)


def _is_chrome(line: str) -> bool:
    plain = deruby(line).strip()
    return any(p.search(plain) for p in _CHROME)


def _text_block(line: str) -> Block:
    """Headings are told apart only so the renderer can dress them; the golden text is the same."""
    plain = deruby(line).strip()
    has_stop = "。" in plain
    if (_H_SECTION.match(plain) and not has_stop and len(plain) <= 30) or (
        _H_SUB.match(plain) and not has_stop and len(plain) <= 20
    ):
        return Block("h", line.strip())
    if _H_TOPIC.match(plain):
        return Block("h", line.strip())
    return Block("p", line.strip())


def _pipe_cells(line: str) -> list[str]:
    """A scraped pipe row such as "依申請公開情況 | 收費及減免情況 | 被復議和訴訟情況 |"."""
    line = line.strip()
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split(" | ")]


def _body_lines(path: Path, title: str | None) -> list[str]:
    """The seed's lines without chrome, footer and title; blank lines are only separators."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    for i, raw in enumerate(lines):
        plain = deruby(raw).strip()
        if _FOOTER_START.match(plain):
            rest = [deruby(x).strip() for x in lines[i:] if x.strip()]
            bad = [x for x in rest if not _FOOTER_LINE.match(x)]
            if bad:
                raise ValueError(f"{path.name}: unexpected line in footer: {bad[0]!r}")
            break
        if not plain or _is_chrome(raw) or (title and plain == title):
            continue
        out.append(raw.rstrip())
    return out


def _blocks_plain(lines: list[str]) -> list[Block]:
    """Paragraphs, headings and pipe tables (consecutive " | " lines make one table)."""
    blocks: list[Block] = []
    for line in lines:
        if " | " in line:
            row: list[Cell] = list(_pipe_cells(line))
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(row)
            else:
                blocks.append(Block("table", rows=[row]))
        else:
            blocks.append(_text_block(line))
    return blocks


# --- seed 004: the flattened 2019-template tables -------------------------------------------------


def _flat_rows(lines: list[str]) -> list[list[str]]:
    """Rows of non-empty cells from a flattened table: a line that is only "|" starts a new row.

    Example segment: "|", "规 章 |", "0 |", "0 |", "0 | |" gives ["规 章", "0", "0", "0"].
    """
    rows: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line.strip() == "|":
            if current:
                rows.append(current)
            current = []
            continue
        cells = [c.strip() for c in line.split("|") if c.strip()]
        if current is None:
            current = []
        current.extend(cells)
    if current:
        rows.append(current)
    return rows


def _is_number(text: str) -> bool:
    # Values in the flattened tables: "1448", "0", "-3".
    return re.fullmatch(r"-?\d+", text) is not None


def _table_active(rows: list[list[str]]) -> list[list[Cell]]:
    """Section 二 of the 2019 template: four columns, 第二十条 rows spanning all of them."""
    out: list[list[Cell]] = []
    header_shape: list[int] = [1, 1, 1, 1]
    for row in rows:
        if len(row) == 1 and row[0].startswith("第二十条"):
            out.append([(row[0], 1, 4)])
        elif row[0] == "信息内容":
            # A three-label header ("信息内容 | 采购项目数量 | 采购总金额") spans its last label over two.
            header_shape = [1] * (len(row) - 1) + [4 - (len(row) - 1)]
            out.append([c if w == 1 else (c, 1, w) for c, w in zip(row, header_shape, strict=True)])
        elif len(row) >= 4:
            out.append(list(row))
        else:
            cells = row + [""] * (len(header_shape) - len(row))
            out.append(
                [c if w == 1 else (c, 1, w) for c, w in zip(cells, header_shape, strict=True)]
            )
    return out


def _values(cells: list[str], width: int) -> list[Cell]:
    """The seed gives only the figures that were filled in; they sit in the rightmost (合计) column."""
    vals: list[Cell] = [""] * width
    if cells:
        vals[-len(cells) :] = cells
    return vals


def _table_requests(rows: list[list[str]]) -> list[list[Cell]]:
    """Section 三 of the 2019 template: three label columns, seven applicant columns."""
    out: list[list[Cell]] = []
    head, persons, orgs = rows[0], rows[1], rows[2]
    out.append([(head[0], 3, 3), (head[1], 1, 7)])
    out.append([(persons[0], 2, 1), (persons[1], 1, 5), (persons[2], 2, 1)])
    out.append(list(orgs))
    body = rows[3:]
    results_end = next(i for i, r in enumerate(body) if "总计" in r[0])
    results_start = next(i for i, r in enumerate(body) if r[0].startswith("三、"))
    for i, row in enumerate(body):
        labels = [c for c in row if not _is_number(c)]
        nums = [c for c in row if _is_number(c)]
        cells: list[Cell] = []
        if labels[0][:2] in ("一、", "二、", "四、"):
            cells.append((labels[0], 1, 3))
        else:
            if labels[0].startswith("三、"):
                cells.append((labels[0], results_end - results_start + 1, 1))
                labels = labels[1:]
            label = labels[0]
            if len(labels) > 1:  # "(三)不予公开" with its first item "1.属于国家秘密"
                span = 1
                # Sub-rows follow while they are numbered: "2.其他法律行政法规禁止公开".
                while i + span < len(body) and re.match(r"^\d+\.", body[i + span][0]):
                    span += 1
                cells += [(label, span, 1), labels[1]]
            elif re.match(r"^\d+\.", label):  # "2.重复申请"
                cells.append(label)
            else:  # "(六)其他处理"
                cells.append((label, 1, 2))
        out.append(cells + _values(nums, 7))
    return out


def _table_appeals(rows: list[list[str]]) -> list[list[Cell]]:
    """Section 四: 行政复议 over five columns, 行政诉讼 over ten (two groups of five)."""
    top, second, third, values = rows[0], rows[1], rows[2], rows[3]
    out: list[list[Cell]] = [[(top[0], 1, 5), (top[1], 1, 10)]]
    out.append([(c, 2, 1) for c in second[:5]] + [(c, 1, 5) for c in second[5:]])
    out.append(list(third))
    out.append(list(values) + [""] * (15 - len(values)))
    return out


def _blocks_004(lines: list[str]) -> list[Block]:
    """Prose as it is; the three flattened tables between the section 二, 三, 四 and 五 headings rebuilt."""
    starts = {
        "二、主动公开政府信息情况": _table_active,
        "三、收到和处理政府信息公开申请情况": _table_requests,
        "四、政府信息公开行政复议、行政诉讼情况": _table_appeals,
    }
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line in starts:
            blocks.append(Block("h", line))
            j = i + 1
            # The table runs to the next section heading; "三、 本 年 度 办 理 结 果" is a cell, not one.
            while j < len(lines) and not (
                lines[j].strip() in starts or lines[j].startswith("五、")
            ):
                j += 1
            blocks.append(Block("table", rows=starts[line](_flat_rows(lines[i + 1 : j]))))
            i = j
            continue
        blocks.append(_text_block(line))
        i += 1
    return blocks


# --- the five seeds ---------------------------------------------------------------------------------


@dataclass
class _Seed:
    file: str
    bureau_id: str
    title: str
    kind: str
    year: int
    published: str
    source: str
    must_survive: list[str]
    extra: dict


_SEEDS = [
    _Seed(
        "000_c81dd79e7f9e0623.txt",
        "fuyang-jtj",
        "阜阳市交通运输局2018年政府信息公开工作年度报告",
        "annual_report",
        2018,
        "2019-01-21 16:05",
        "阜阳市交通运输局",
        [
            "本年以來政務(wù)公開欄目發(fā)布回應(yīng)46條",
            "(十四)機(jī)構(gòu)人員情況。專職一名,兼職一名。",
            "今年以來政策解讀信息共發(fā)布33條,其中上級(jí)政策解讀發(fā)布22條,本級(jí)政策解讀發(fā)布11條。",
            "依申請(qǐng)公開情況 | 收費(fèi)及減免情況 | 被復(fù)議和訴訟情況",
            "我局今年共收到1條依申請(qǐng)公開信息",
        ],
        {
            "ruby": True,
            "index_no": "113412000032184357/2019-00007",
            "written_date": "2019-01-18",
        },
    ),
    _Seed(
        "001_8cf50e034e1a4929.txt",
        "liaoyuan-jtj",
        "2022年辽源市交通运输局政务公开工作要点",
        "work_plan",
        2022,
        "2022-03-16 14:37",
        "辽源市交通运输局",
        [
            "制定出台《辽源市政府信息公开申请办理答复规范》,规范提升依申请公开工作质量和效果。",
            "特别重大、重大突发事件发生后,应在24小时内及时进行信息发布、公开。",
            "(牵头单位:办公室、纪检监察室、行政审批办、市交通运输综合行政执法支队)",
            "定期公开市交通运输局本级“三公”经费支出使用情况。",
            "对上一年度工作要点落实情况开展回头看",
        ],
        {
            "index_no": "11220400013561208K/2022-00031",
            "doc_no": "辽交办〔2022〕9号",
            "written_date": "2022-03-14",
        },
    ),
    _Seed(
        "002_1f4fe686f3ff1e83.txt",
        "yiyang-jtj",
        "益阳市交通运输局2018年政府信息公开年度报告",
        "annual_report",
        2018,
        "2019-04-18 10:24",
        "益阳市交通运输局",
        [
            "今年我局共办理行政许可4075件,处罚案件76件,其中道路运政23件,海事52件,交通质监1件,无一起行政复议案件和行政赔偿案件。",
            "2018年1至11月,我局门户网共编发各类公开信息近403条",
            "截止12月18日,12328共接听2362个电话,当场答复2209件",
            "行政审批“最多跑一次” 事项达100%,一次都不跑事项达70%。",
            "一是门户网站建设还有待进一步加强。",
            "窗口值日生轮流履行职责,坚持天天窗口巡视",
        ],
        {},
    ),
    _Seed(
        "003_0475dbc9ae30ac9e.txt",
        "henan-jtt",
        "河南省交通运输厅2017年政府信息公开工作年度报告",
        "annual_report",
        2017,
        "2018-02-28 13:20",
        "河南省交通运输厅",
        [
            "省人民政府办公厅:",
            "2017年,我厅收到信息公开(信函)申请31件,其中:网络申请23件,信函申请8件。",
            "2017年我厅依法、全面、准确、及时地在门户网站公开发布各类信息2612条,其中:主动公开规范性文件560条;",
            "2017年,我厅共受理网民留言613件,办结605件,办结率98.69%",
            "对突发性且社会关注度高的重大舆情1小时内编印《专题报告》。",
        ],
        {"attachments": ["河南省交通运输厅2017年政府信息公开工作年度报告.doc"]},
    ),
    _Seed(
        "004_f381d2065afaaaf4.txt",
        "lushan-jtj",
        "庐山市交通运输局2020年政府信息公开工作年度报告",
        "annual_report",
        2020,
        "2021-01-26 09:48",
        "庐山市交通运输局",
        [
            "2020 年,在市委、市政府的正确领导和市政府信息办的关 心指导下,市交通运输局继续推进政务公开工作,积极推行网上 办事、公众互动服务",
            "1.文件收发情况:截至 12 月初,市交通运输局通过公文交换平台收发公文共计 1221件,接收公文 1113 件,发送公文 108 件,接收会议通知 232件。",
            "6、政务新媒体:2019 年截至目前,我局共发布政务微博 123 条,基本完成任务要求。",
            "存在问题:存在部分网站栏目内容更新不及时情况。",
            "行政许可 | 1448 | 62 | 1550",
            "行政处罚 | 209 | 10 | 219",
        ],
        {},
    ),
]

SEED_TITLES = {s.file: s.title for s in _SEEDS}


def seed_items(seeds_dir: Path = SEEDS_DIR) -> list[Item]:
    """Every seed as an item of its bureau's report column, body parsed from the seed file now."""
    items: list[Item] = []
    for s in _SEEDS:
        path = seeds_dir / s.file
        lines = _body_lines(path, s.title)
        blocks = _blocks_004(lines) if s.file.startswith("004_") else _blocks_plain(lines)
        item = Item(
            bureau_id=s.bureau_id,
            title=s.title,
            kind=s.kind,
            year=s.year,
            published=s.published,
            source=s.source,
            blocks=blocks,
            must_survive=list(s.must_survive),
            seed=s.file,
            **s.extra,
        )
        items.append(item)
    return items
