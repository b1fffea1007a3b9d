import pytest

from crawler.classify import classify, year_from_text


@pytest.mark.parametrize(
    ("title", "kind", "year"),
    [
        ("益阳市交通运输局2018年政府信息公开年度报告", "annual_report", 2018),
        ("河南省交通运输厅2017年政府信息公开工作年度报告", "annual_report", 2017),
        ("示例市交通运输局2019年度政府信息公开工作年报", "annual_report", 2019),
        ("二〇一九年政府信息公开工作年度报告", "annual_report", 2019),
        ("示例县交通运输局二○一九年度政府信息公开工作年度报告", "annual_report", 2019),
        ("二零二一年政府信息公开年报", "annual_report", 2021),
        ("2019年政府信息公开工作年度报告解读", "interpretation", 2019),
        ("图解：示例市交通运输局2020年政府信息公开工作年度报告", "interpretation", 2020),
        ("一图读懂2021年度政府信息公开年报", "interpretation", 2021),
        ("《2022年政府信息公开工作年度报告》政策解读", "interpretation", 2022),
        ("辽源市交通运输局2022年政务公开工作要点", "work_plan", 2022),
        ("2020年政务公开工作计划", "work_plan", 2020),
        ("2018年政务公开工作总结", "work_plan", 2018),
        ("示例市交通运输局政府信息公开指南", "guide", None),
        ("关于做好2019年政府信息公开工作年度报告编制发布工作的通知", "other", 2019),
        ("示例市交通运输局机构职能", "other", None),
        ("", "other", None),
    ],
)
def test_classify_titles(title, kind, year):
    assert classify(title) == (kind, year)


def test_year_from_text_when_title_has_none():
    text = "本年度报告所列数据的统计期限为2023年1月1日至12月31日。"
    assert classify("示例市交通运输局政府信息公开工作年度报告", text) == ("annual_report", 2023)
    assert year_from_text("2020年，在市委、市政府的正确领导下，我局……") == 2020
    assert year_from_text("") is None


def test_title_year_wins_over_text():
    assert classify("2018年政府信息公开年度报告", "2019年1月，我局……") == ("annual_report", 2018)


def test_notice_issuing_a_document_takes_its_kind():
    assert classify("关于印发《湖南省交通运输厅2021年政务公开工作要点》的通知") == (
        "work_plan",
        2021,
    )
    assert classify("关于做好2021年政务公开工作要点落实工作的通知")[0] == "other"
