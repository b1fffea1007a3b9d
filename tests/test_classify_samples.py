"""The classifier measured on every sample item, and the hard cases real report columns hold."""

from __future__ import annotations

import pytest

from crawler.classify import classify, subordinate_unit


def test_accuracy_on_every_sample_item(goldens):
    """kind and year from title and text, as the pipeline classifies; the report text of an
    attachment-only page is its file's text (golden `text`)."""
    wrong = []
    for g in goldens:
        got = classify(g["title"], g["text"])
        if got != (g["kind"], g["year"]):
            wrong.append((g["title"], got, (g["kind"], g["year"])))
    accuracy = 1 - len(wrong) / len(goldens)
    kinds = sorted({g["kind"] for g in goldens})
    print(f"\nclassifier: {len(goldens) - len(wrong)}/{len(goldens)} sample items right "
          f"(kind and year), accuracy {accuracy:.4f}, kinds {kinds}")  # fmt: skip
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("title", "text", "kind", "year", "unit"),
    [
        # 工作要点 and 工作总结 are about the year's work, not the statutory report
        ("某某市交通运输局2023年政务公开工作要点", "", "work_plan", 2023, None),
        ("某某市交通运输局2022年政务公开工作总结", "", "work_plan", 2022, None),
        ("关于印发《某某市交通运输局2021年政务公开工作要点》的通知", "", "work_plan", 2021, None),
        # interpretations of a report are not the report
        ("某某市交通运输局2021年政府信息公开工作年度报告解读", "", "interpretation", 2021, None),
        ("一图读懂某某县交通运输局2022年度政府信息公开工作年度报告", "", "interpretation", 2022, None),
        # a unit under the bureau, published in the bureau's column: a report, with the unit named
        ("某某市公路事业发展中心2021年政府信息公开工作年度报告", "", "annual_report", 2021, "某某市公路事业发展中心"),
        ("2020年某某县道路运输服务中心政府信息公开工作年度报告", "", "annual_report", 2020, "某某县道路运输服务中心"),
        ("某某市港航管理局2019年度政府信息公开工作年报", "", "annual_report", 2019, "某某市港航管理局"),
        ("某某市交通运输局2021年政府信息公开工作年度报告", "", "annual_report", 2021, None),
        ("2022年某某市交通运输局政府信息公开工作年度报告", "", "annual_report", 2022, None),
        # 2019年度 and 二〇一九年 are the same year
        ("某某县交通运输局2019年度政府信息公开工作年度报告", "", "annual_report", 2019, None),
        ("某某县交通运输局二〇一九年政府信息公开工作年度报告", "", "annual_report", 2019, None),
        ("某某县交通运输局二○一九年度政府信息公开年报", "", "annual_report", 2019, None),
        # no year in the title: the statistics period in the text decides
        ("某某县交通运输局政府信息公开工作年度报告",
         "本年度报告所列数据的统计期限为2023年1月1日至12月31日。", "annual_report", 2023, None),
        ("政府信息公开工作年度报告", "本报告中所列数据的统计期自2020年1月1日起至2020年12月31日止。",
         "annual_report", 2020, None),
        # guides and notices about the reports
        ("某某市交通运输局政府信息公开指南", "", "guide", None, None),
        ("关于做好2021年政府信息公开工作年度报告编制和发布工作的通知", "", "other", 2021, None),
    ],
)  # fmt: skip
def test_hard_cases(title, text, kind, year, unit):
    assert classify(title, text) == (kind, year)
    assert subordinate_unit(title) == unit
