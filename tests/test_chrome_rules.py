"""Every chrome rule removes its real examples and spares its prose; every family's body and field rules
find their own markup; `nianbao extract --explain` names the rule behind a dropped line."""

import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from crawler.extract import explain_page, extract_page
from crawler.extract.chrome import applies, chrome_key, clean_lines, drop_rule
from crawler.extract.fields import family_field
from crawler.extract.rules import ATTRIBUTE_RULES, CHROME_RULES
from crawler.extract.tree import hidden_by
from crawler.families import ADAPTERS

ROOT = Path(__file__).resolve().parents[1]
RULES = CHROME_RULES + ATTRIBUTE_RULES
EXAMPLES = [(r, ex) for r in RULES for ex in r.examples]
SPARES = [(r, sp) for r in RULES for sp in r.spares]
BODY_RULES = [(f, r) for f, a in ADAPTERS.items() for r in a.body_rules]
FIELD_RULES = [(f, r, ex) for f, a in ADAPTERS.items() for r in a.field_rules for ex in r.examples]


def _ids(cases):
    return [f"{c[0].name}-{i}" if hasattr(c[0], "name") else f"{c[0]}-{c[1].name}-{i}"
            for i, c in enumerate(cases)]  # fmt: skip


def _element(r, value: str):
    """A div carrying the attribute an attribute rule reads."""
    attr = "style" if r.name == "hidden-style" else "class"
    el = lxml.html.fragment_fromstring("<div>x</div>")
    el.set(attr, value)
    return el


def test_there_are_rules_to_walk():
    """An empty parametrization would pass silently: no rules (or no examples) is a failure."""
    assert len(CHROME_RULES) >= 20 and len(ATTRIBUTE_RULES) >= 3
    assert len(EXAMPLES) >= 60 and len(SPARES) >= 30
    assert len({r.name for r in RULES}) == len(RULES), "rule names are unique"
    assert all(a.body_rules for a in ADAPTERS.values()), "every family says where its body is"
    assert FIELD_RULES


@pytest.mark.parametrize(("rule", "example"), EXAMPLES, ids=_ids(EXAMPLES))
def test_rule_drops_its_examples(rule, example):
    if rule.applies_to in ("attribute", "class-token"):
        assert hidden_by(_element(rule, example)) == rule.name
        return
    key = chrome_key(example)
    assert applies(rule, key), f"{rule.name} does not match {example!r}"
    if rule.applies_to == "heading":
        assert clean_lines([(example, False), ("下一篇文章", True)]) == []
    else:
        assert drop_rule(key) is not None
        assert clean_lines([(example, False)]) == []


@pytest.mark.parametrize(("rule", "spare"), SPARES, ids=_ids(SPARES))
def test_rule_spares_prose(rule, spare):
    if rule.applies_to in ("attribute", "class-token"):
        assert hidden_by(_element(rule, spare)) is None
        return
    assert not applies(rule, chrome_key(spare))
    assert clean_lines([(spare, False)]) == [spare], f"dropped by {drop_rule(chrome_key(spare))}"


@pytest.mark.parametrize(("family", "rule"), BODY_RULES, ids=_ids(BODY_RULES))
def test_family_body_rule_finds_its_markup(family, rule):
    page = f"<html><body><div class='nav'><a href='/'>首页</a></div>{rule.example}</body></html>"
    trace = explain_page(page, "http://127.0.0.1/a.html", family=family)
    assert trace["body"] == {"family": family, "rule": rule.name, "tier": rule.tier}
    assert "一、总体情况" in trace["result"]["text"] and "首页" not in trace["result"]["text"]


@pytest.mark.parametrize(("family", "rule", "example"), FIELD_RULES, ids=_ids(FIELD_RULES))
def test_family_field_rule_reads_its_markup(family, rule, example):
    markup, value = example
    assert family_field(markup, rule.field, family) == (value, f"{family}/{rule.name}")


_TWO_FAMILIES = """<html><head><title>某局2023年政府信息公开工作年度报告</title></head><body>
<div class="TRS_Editor"><p>专题：交通运输政务公开专栏，点击进入查看更多内容。</p></div>
<!--<$[信息内容]>begin--><p>一、总体情况</p><p>2023年，我局主动公开政府信息133条。</p>
<!--<$[信息内容]>end--></body></html>"""


def test_given_family_rules_go_first():
    """A Hanweb page that also carries a TRS editor box: told the family, the Hanweb markers win."""
    url = "http://127.0.0.1/art/2024/1/2/art_1_2.html"
    plain = explain_page(_TWO_FAMILIES, url)
    assert plain["body"]["family"] == "trs" and "专题" in plain["result"]["text"]
    hanweb = explain_page(_TWO_FAMILIES, url, family="hanweb")
    assert hanweb["body"] == {"family": "hanweb", "rule": "信息内容", "tier": "markers"}
    got = extract_page(_TWO_FAMILIES, url, family="hanweb")
    assert got == hanweb["result"]
    assert got["text"] == "一、总体情况\n2023年，我局主动公开政府信息133条。"


_CHROME_IN_BODY = """<html><head><meta name="ArticleTitle" content="益阳市交通运输局2018年政府信息公开年度报告">
</head><body><div class="TRS_Editor"><p>益阳市交通运输局2018年政府信息公开年度报告</p>
<p>发布时间:2019-04-18 10:24 作者: 来源:益阳市交通运输局 浏览次数: 字体:【大】 【中】 【小】</p>
<p>一、指标完成情况</p><p>我局高度重视交通运输政务公开工作。</p><p>扫一扫在手机打开当前页</p></div>
<div class="foot">皖ICP备19012406号-1</div></body></html>"""


def test_explain_names_the_rule_behind_each_dropped_line(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(_CHROME_IN_BODY, encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "nianbao",
        "extract",
        str(page),
        "--url",
        "http://127.0.0.1/a.html",
    ]
    explained = subprocess.run(
        [*cmd, "--explain"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.splitlines()
    assert explained[0] == "body: trs / TRS_Editor (container)"
    assert "dropped [scan-qr]: 扫一扫在手机打开当前页" in explained
    assert "dropped [repeated-title]: 益阳市交通运输局2018年政府信息公开年度报告" in explained
    assert any(line.startswith("dropped [date-line]: 发布时间:2019-04-18") for line in explained)
    assert "outside body [footer-icp]: 皖ICP备19012406号-1" in explained
    kept = explained[explained.index("kept:") + 1 :]
    assert kept == ["一、指标完成情况", "我局高度重视交通运输政务公开工作。"]
    # without --explain the command prints extract_page's record as JSON, as before
    plain = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert json.loads(plain) == extract_page(_CHROME_IN_BODY, "http://127.0.0.1/a.html")
