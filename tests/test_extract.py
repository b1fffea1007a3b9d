"""Extractor behaviour on our own hand-written pages of each CMS family."""

import json
from pathlib import Path

import pytest

from crawler.extract import extract_page

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def _load(name: str):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    html = (FIXTURES / f"{name}.html").read_bytes().decode("utf-8")
    return html, expected


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_expected(name):
    html, expected = _load(name)
    url = expected.pop("url")
    got = extract_page(html, url)
    assert got == expected
    json.dumps(got, ensure_ascii=False)


def test_trs_chrome_removed_and_prose_kept():
    html, exp = _load("trs_basic")
    got = extract_page(html, exp["url"])
    text = got["text"]
    assert "严格按照国家有关规定进行 ICP 备案，并在页面底部公布网站标识码" in text
    for chrome in ["当前位置", "发布时间", "浏览次数", "打印本页", "相关解读", "豫ICP备", "版权所有",
                   "IPv6", "上一篇", "隐藏的字", "移动端副本", "无障碍", "2001-01-01"]:  # fmt: skip
        assert chrome not in text
    assert not text.startswith(got["title"])
    assert "第二十条第（五）项 | 信息内容" in text.splitlines()
    assert "行政许可 | 1448 | 62" in text.splitlines()


def test_hanweb_markers_xxgk_and_ruby():
    html, exp = _load("hanweb_jcms")
    got = extract_page(html, exp["url"])
    assert got["index_no"] == "11341221MB1234567X/2022-00031"
    assert got["written_date"] == "2022-01-18"
    assert got["year"] == 2021
    assert "guān" not in got["text"] and "關于统计口径" in got["text"]
    assert "移动版正文重复" not in got["text"]
    assert "索引号" not in got["text"]
    assert len(got["attachments"]) == 2


def test_meta_attributes_sloppy():
    html = (
        '<html><head><meta content="某局" name="SiteName"><meta name="ColumnName"content="年报">'
        "<meta name=SiteIDCode content=3412000012><title>t</title></head><body><h1>某局2020年年报</h1>"
        '<div class="TRS_Editor"><p>正文。</p></div></body></html>'
    )
    got = extract_page(html, "http://x.gov.cn/a.html")
    assert (got["site_name"], got["column_name"], got["site_id_code"]) == (
        "某局",
        "年报",
        "3412000012",
    )
    assert got["title"] == "某局2020年年报" and got["text"] == "正文。" and got["published"] is None


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("发布时间：2019-04-18 10:24", "2019-04-18"),
        ("发布日期：2019年4月18日", "2019-04-18"),
        ("日期：2019/04/18", "2019-04-18"),
        ("发布日期:2019.04.18", "2019-04-18"),
    ],
)
def test_published_forms(line, date):
    html = f'<html><body><h1>标题</h1><div class="info">{line}</div><div id="zoom"><p>正文</p></div></body></html>'
    got = extract_page(html, "http://x.gov.cn/a.html")
    assert got["published"] == date
    assert got["text"] == "正文"


def test_published_never_from_links():
    html = (
        '<html><body><h1>标题</h1><div id="zoom"><p>正文</p></div>'
        '<a href="/t20190418_1.html">上一篇（发布日期：2019-04-18）</a></body></html>'
    )
    assert extract_page(html, "http://x.gov.cn/a.html")["published"] is None


def test_bytes_already_decoded_and_xml_declaration():
    html = '<?xml version="1.0" encoding="gb2312"?><html><body><div class="TRS_Editor">交通</div></body></html>'
    assert extract_page(html, "http://x.gov.cn/")["text"] == "交通"


def test_empty_page():
    got = extract_page("", "http://x.gov.cn/")
    assert got["text"] == "" and got["title"] == "" and got["attachments"] == []
