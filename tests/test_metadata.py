"""SiteIDCode → region, dates in every form, image-only pages."""

import pytest

from crawler.dates import parse_date
from crawler.metadata import PROVINCES, image_only, region_fields


def test_region_from_site_id_code():
    assert region_fields("3412210001") == {
        "region_code": "341221", "province": "安徽省", "city": "阜阳市", "county": "临泉县"
    }  # fmt: skip
    assert region_fields("4100000033")["province"] == "河南省"
    assert region_fields("4100000033")["city"] is None
    assert region_fields("bm09000001")["region_code"] is None
    assert len(PROVINCES) == 31


@pytest.mark.parametrize(
    "raw",
    ["2019-04-18", "2019年4月18日", "2019/04/18", "发布时间：2019-04-18 10:24", "2019 年 4 月 18 日",
     "2019.4.18", "二〇一九年四月十八日"],
)  # fmt: skip
def test_dates_in_every_form(raw):
    assert parse_date(raw) == "2019-04-18"


def test_parse_date_rejects_non_dates():
    assert parse_date("索引号：11410000-2019-00013") is None
    assert parse_date("二〇二三年十二月三十一日") == "2023-12-31"


def test_image_only_lists_content_images():
    html = '<img src="/images/logo.png"><div><img src="/u/2020/p1.jpg"><IMG src=\'p2.jpg\'></div>'
    assert image_only(html, "http://127.0.0.1/art/1.html", "") == [
        "http://127.0.0.1/u/2020/p1.jpg",
        "http://127.0.0.1/art/p2.jpg",
    ]
    assert image_only(html, "http://127.0.0.1/", "一、总体情况。" * 10) == []
