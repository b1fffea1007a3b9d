"""The project's one date reader and one URL spelling, on strings as portals print them."""

import pytest

from archive.schema import report_id
from archive.urls import canonical_url
from crawler.dates import date_in_url, month_day, parse_date
from crawler.families import base


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-20", "2024-01-20"),
        ("2024/1/20", "2024-01-20"),
        ("2024.01.20", "2024-01-20"),
        ("[2019.1.8]", "2019-01-08"),
        ("2024年1月20日", "2024-01-20"),
        ("2019 年 4 月 18 日", "2019-04-18"),
        ("发布时间：2024-01-20 10:30:00", "2024-01-20"),
        ("2024-01-2010:30", None),  # glued to a time, the day is not a day
        ("二〇二四年一月二十日", "2024-01-20"),
        ("二○二三年十二月三十一日", "2023-12-31"),
        ("二零一九年四月十八日", "2019-04-18"),
        ("２０２４年１月２０日", "2024-01-20"),
        ("2020-13-01 更正于 2020-12-01", "2020-12-01"),  # the first valid one
        ("索引号：11410000-2019-00013", None),
        ("文号 20240120", None),  # an eight-digit run in text is no date
        ("", None),
        (None, None),
    ],
)
def test_parse_date_reads_every_printed_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.gov.cn/zwgk/202401/t20240120_1.html", "2024-01-20"),
        ("./202312/t20231231_4410239.shtml", "2023-12-31"),
        ("http://a.gov.cn/art/2024/3/5/art_1229_99.html", None),
        ("http://a.gov.cn/P020240132123456.pdf", None),
        ("http://a.gov.cn/t20241340_1.html", None),
    ],
)
def test_date_in_url(url, expected):
    assert date_in_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("[01-20]", (1, 20)), ("1月20日", (1, 20)), ("(12/31)", (12, 31)), ("13-01", None)],
)
def test_month_day(text, expected):
    assert month_day(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.gov.cn:80/a#top", "http://example.gov.cn/a"),
        ("https://A.cn:443", "https://a.cn/"),
        ("https://a.cn:8443/X?Y=1", "https://a.cn:8443/X?Y=1"),
        ("http://a.cn/list?b=2&a=1", "http://a.cn/list?a=1&b=2"),
        (" http://a.cn/中文.html ", "http://a.cn/%E4%B8%AD%E6%96%87.html"),
        ("http://a.cn:99999/x", "http://a.cn:99999/x"),
    ],
)
def test_canonical_url_one_spelling(url, expected):
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected  # stable: a stored URL keeps its spelling
    assert base.canonical_url is canonical_url  # the crawler and the archive share it


def test_report_id_agrees_for_every_spelling_the_crawler_and_archive_saw():
    # the list entry's spelling (w3lib) and the archive's old spelling (host, port) name one report
    assert report_id("http://A.gov.cn:80/x?b=2&a=1#f") == report_id("http://a.gov.cn/x?a=1&b=2")
