"""Items of the three bureaus on the gkml, JPaaS and legacy-GBK platforms.

They are written by the same generators as the first seven columns (so classification and golden text
follow the same rules), from their own plan, so adding them never moves an item of the older columns.
The legacy portal stopped being maintained around 2019, as many county sites did: its column holds the
2008-ordinance reports and one of the 2019 template.
"""

from __future__ import annotations

from sample_portals import generate_reports as g
from sample_portals.model import Item

# (bureau, report year, title pattern, published late?) — patterns as in generate_reports.PLAN.
PLAN: list[tuple[str, int, str, bool]] = [
    ("jingzhou-jtj", 2013, "A", False), ("jingzhou-jtj", 2017, "G", False),
    ("jingzhou-jtj", 2019, "A", False), ("jingzhou-jtj", 2020, "B", False),
    ("jingzhou-jtj", 2021, "A", False), ("jingzhou-jtj", 2022, "E", True),
    ("jingzhou-jtj", 2023, "A", False), ("jingzhou-jtj", 2024, "A", False),
    ("huzhou-jtj", 2014, "F", False), ("huzhou-jtj", 2018, "A", False),
    ("huzhou-jtj", 2019, "B", False), ("huzhou-jtj", 2020, "A", False),
    ("huzhou-jtj", 2021, "C", False), ("huzhou-jtj", 2022, "A", False),
    ("huzhou-jtj", 2023, "A", True), ("huzhou-jtj", 2024, "B", False),
    ("lichuan-jtj", 2008, "A", True), ("lichuan-jtj", 2009, "C", False),
    ("lichuan-jtj", 2010, "A", False), ("lichuan-jtj", 2011, "G", False),
    ("lichuan-jtj", 2012, "A", False), ("lichuan-jtj", 2014, "D", False),
    ("lichuan-jtj", 2016, "A", False), ("lichuan-jtj", 2019, "A", False),
]  # fmt: skip

INTERPRETATIONS: list[tuple[str, int, str]] = [
    ("jingzhou-jtj", 2023, "图解：{report}"),
    ("huzhou-jtj", 2022, "《{report}》解读"),
    ("lichuan-jtj", 2019, "{org}{year}年政府信息公开工作年度报告解读"),
]

WORK_PLANS: list[tuple[str, int, str]] = [
    ("jingzhou-jtj", 2022, "荆州市交通运输局{year}年政务公开工作要点"),
    ("huzhou-jtj", 2023, "湖州市交通运输局{year}年政务公开工作要点"),
    ("lichuan-jtj", 2012, "黎川县交通运输局{year}年政务公开工作要点"),
]

NOTICES: list[tuple[str, int | None, str, str]] = [
    ("jingzhou-jtj", 2021, "关于做好2021年政府信息公开工作年度报告编制和发布工作的通知", "2021-12-09 10:15"),
    ("huzhou-jtj", None, "关于调整湖州市交通运输局政务公开工作领导小组成员的通知", "2022-06-20 15:30"),
    ("lichuan-jtj", 2011, "关于开展2011年度政务公开工作自查的通知", "2011-11-14 09:00"),
]  # fmt: skip


def more_items() -> list[Item]:
    reports: list[Item] = []
    facts_by: dict[tuple[str, int], dict] = {}
    for bureau_id, year, pattern, late in PLAN:
        if g.template_of(year) == "legacy":
            blocks, facts = g.body_legacy(bureau_id, year)
        else:
            blocks, facts = g.body_template(bureau_id, year, None)
        rng = g.rng_for(bureau_id, year, "meta")
        item = Item(
            bureau_id=bureau_id,
            title=g.report_title(bureau_id, year, pattern),
            kind="annual_report",
            year=year,
            published=g._published_for_report(bureau_id, year, late),
            source=g._source(bureau_id, rng),
            blocks=blocks,
            must_survive=g.pick_must_survive(blocks, rng),
        )
        reports.append(item)
        facts_by[(bureau_id, year)] = facts
    by_key = {(it.bureau_id, it.year): it for it in reports}
    items = list(reports)
    for bureau_id, year, pattern in INTERPRETATIONS:
        facts = {k: v for k, v in facts_by[(bureau_id, year)].items() if v is not None}
        items.append(g.interpretation(bureau_id, year, pattern, by_key[(bureau_id, year)], facts))
    items += [g.work_plan(*wp) for wp in WORK_PLANS]
    items += [g.notice(*n) for n in NOTICES]
    # the guides of these bureaus come from generate_reports, which writes one per VOICES entry
    return items
