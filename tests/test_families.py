"""The family adapters on hand-written list pages in the real TRS WCM and Hanweb JCMS structure."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, TextResponse

from crawler.families import get_adapter
from crawler.families.base import STATE_KEY, normalize_date
from crawler.families.hanweb import parse_jpage_config
from crawler.registry import Bureau

FIXTURES = Path(__file__).parent / "fixtures" / "families"
TRS_COLUMN = "http://127.0.0.1:8799/zwgk/zfxxgknb/"
HANWEB_COLUMN = "http://127.0.0.1:8798/col/col10521/index.html"


def bureau(family: str, column: str, **overrides) -> Bureau:
    return Bureau(
        id="test-jtj",
        name="某某市交通运输局",
        level="city",
        province="某某省",
        region_code="999900",
        homepage=column,
        family=family,
        columns=(column,),
        overrides=overrides,
    )


def respond(request: Request, fixture: str, cls=HtmlResponse) -> TextResponse:
    body = (FIXTURES / fixture).read_bytes()
    return cls(url=request.url, body=body, encoding="utf-8", request=request)


def first_list_response(family: str, column: str, fixture: str, **overrides):
    adapter = get_adapter(family)
    (request,) = adapter.column_requests(bureau(family, column, **overrides), column)
    return adapter, respond(request, fixture)


# --- TRS WCM -----------------------------------------------------------------------------------------


def test_trs_items_use_full_title_and_skip_popbox_and_menus():
    adapter, response = first_list_response("trs", TRS_COLUMN, "trs_list.html")
    entries, _ = adapter.parse_list(response)
    titles = [e.title for e in entries]
    assert titles == [
        "某某市交通运输局2023年政府信息公开工作年度报告",
        "图解：2023年政府信息公开工作年度报告",
        "2023年政务公开工作要点",
        "某某市交通运输局2022年政府信息公开工作年度报告",
        "某某市交通运输局2021年政府信息公开工作年度报告",
        "某某市交通运输局2020年政府信息公开 工作年度报告",
    ]
    assert not any("…" in t for t in titles)
    assert entries[0].url == TRS_COLUMN + "202401/t20240125_3001.html"
    assert entries[0].date == "2024-01-25"
    assert entries[3].url == TRS_COLUMN + "202301/t20230120_2990.html", "fragment dropped"
    assert entries[5].date == "2021-01-29"
    assert len({e.url for e in entries}) == len(entries)


def test_trs_popbox_link_alone_is_not_an_item(tmp_path):
    html = (FIXTURES / "trs_list.html").read_text(encoding="utf-8")
    # Remove the list row for the 图解 so that it only survives inside the pop-up box.
    html = html.replace(
        '<li><a href="./202401/t20240126_3002.html" title="图解：2023年政府信息公开工作年度报告">'
        '图解：2023年…</a><span>2024/01/26</span></li>\n  <li><a href="./202303',
        '<li><a href="./202303',
    )
    adapter = get_adapter("trs")
    (request,) = adapter.column_requests(bureau("trs", TRS_COLUMN), TRS_COLUMN)
    response = HtmlResponse(url=TRS_COLUMN, body=html.encode(), encoding="utf-8", request=request)
    entries, _ = adapter.parse_list(response)
    assert all("t20240126_3002" not in e.url for e in entries)
    assert len(entries) == 5


def test_trs_create_page_html_expands_to_every_page():
    adapter, response = first_list_response("trs", TRS_COLUMN, "trs_list.html")
    _, follow = adapter.parse_list(response)
    assert [r.url for r in follow] == [
        TRS_COLUMN + "index_1.shtml",
        TRS_COLUMN + "index_2.shtml",
        TRS_COLUMN + "index_3.shtml",
    ]
    # Later pages carry the same pager call; they must not expand it again.
    later = respond(follow[0], "trs_list.html")
    _, again = adapter.parse_list(later)
    assert again == []


def test_trs_pager_other_base_names_and_page_cap():
    html = (
        (FIXTURES / "trs_list.html")
        .read_text(encoding="utf-8")
        .replace('createPageHTML(4, 0, "index", "shtml");', "createPageHTML(30,0,'list','html')")
    )
    adapter = get_adapter("trs")
    column = TRS_COLUMN + "list.html"
    (request,) = adapter.column_requests(bureau("trs", column, max_pages=3), column)
    response = HtmlResponse(url=column, body=html.encode(), encoding="utf-8", request=request)
    _, follow = adapter.parse_list(response)
    assert [r.url for r in follow] == [TRS_COLUMN + "list_1.html", TRS_COLUMN + "list_2.html"]


def test_trs_page_without_pager_has_no_follow_ups():
    html = (
        (FIXTURES / "trs_list.html")
        .read_text(encoding="utf-8")
        .replace('createPageHTML(4, 0, "index", "shtml");', "")
    )
    adapter = get_adapter("trs")
    (request,) = adapter.column_requests(bureau("trs", TRS_COLUMN), TRS_COLUMN)
    response = HtmlResponse(url=TRS_COLUMN, body=html.encode(), encoding="utf-8", request=request)
    entries, follow = adapter.parse_list(response)
    assert len(entries) == 6 and follow == []


# --- Hanweb JCMS -------------------------------------------------------------------------------------


def test_hanweb_records_parsed_from_datastore_and_mobile_unit_deduped():
    adapter, response = first_list_response("hanweb", HANWEB_COLUMN, "hanweb_list.html")
    entries, _ = adapter.parse_list(response)
    assert len(entries) == 6
    assert entries[0].url == "http://127.0.0.1:8798/art/2024/1/25/art_10521_901.html"
    assert entries[0].title == "某某市交通运输局2023年政府信息公开工作年度报告"
    assert entries[0].date == "2024-01-25"
    assert entries[2].url == "http://jtj.example.gov.cn/art/2022/1/28/art_10521_850.html"
    assert entries[2].title == "2021年度政府信息公开工作年度报告 & 解读"


def test_hanweb_proxy_posts_in_chunks_of_three_pages_with_ajax_params():
    adapter, response = first_list_response("hanweb", HANWEB_COLUMN, "hanweb_list.html")
    _, follow = adapter.parse_list(response)
    # 14 records, 2 per page, 6 static: 7-12 (pages 4-6) and 13-14; the mobile unit asks for nothing.
    assert len(follow) == 2
    ranges = []
    for request in follow:
        assert isinstance(request, FormRequest)
        assert request.method == "POST"
        parts = urlsplit(request.url)
        assert parts.path == "/module/web/jpage/dataproxy.jsp"
        query = parse_qs(parts.query)
        ranges.append((query["startrecord"][0], query["endrecord"][0], query["perpage"][0]))
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        assert form == {
            "col": "1",
            "appid": "1",
            "webid": "27",
            "path": "/",
            "columnid": "10521",
            "sourceContentType": "1",
            "unitid": "4812",
            "webname": "某某市交通运输局",
            "permissiontype": "0",
        }
    assert ranges == [("7", "12", "2"), ("13", "14", "2")]


def test_hanweb_proxy_response_parsed_and_not_paged_again():
    adapter, response = first_list_response("hanweb", HANWEB_COLUMN, "hanweb_list.html")
    _, follow = adapter.parse_list(response)
    proxy_response = respond(follow[0], "hanweb_proxy.xml", cls=TextResponse)
    entries, again = adapter.parse_list(proxy_response)
    assert again == []
    assert [e.url for e in entries] == [
        "http://127.0.0.1:8798/art/2019/1/31/art_10521_600.html",
        "http://127.0.0.1:8798/art/2018/1/30/art_10521_500.html",
    ]
    assert entries[1].date == "2018-01-30"


def test_hanweb_unit_filter_and_per_page_override():
    adapter, response = first_list_response(
        "hanweb", HANWEB_COLUMN, "hanweb_list.html", hanweb_unit_ids=["4813"], pages_per_request=1
    )
    entries, follow = adapter.parse_list(response)
    assert len(entries) == 6
    assert {parse_qs(r.body.decode())["unitid"][0] for r in follow} == {"4813"}
    assert len(follow) == 4  # records 7-8, 9-10, 11-12, 13-14
    assert all(r.meta[STATE_KEY]["proxy"] for r in follow)


def test_jpage_config_reads_js_object_literal():
    script = (
        '$("#77").jpage({totalRecord:138,perPage:10,proxyUrl:"/module/web/jpage/dataproxy.jsp",'
        "ajaxParam:{columnid:'5', unitid:\"77\", webid:3}});"
    )
    config = parse_jpage_config(script)["77"]
    assert config["totalRecord"] == "138" and config["perPage"] == "10"
    assert config["ajaxParam"] == {"columnid": "5", "unitid": "77", "webid": "3"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/08/27", "2026-08-27"),
        ("[2019.1.8]", "2019-01-08"),
        ("2020年01月15日", "2020-01-15"),
        ("", None),
        ("2020-13-01", None),
    ],
)
def test_normalize_date(text, expected):
    assert normalize_date(text) == expected


def test_trs_row_without_title_attribute_still_listed():
    html = (
        '<html><body><ul class="nav"><li><a href="/index.html">首页</a></li></ul><ul>'
        '<li><span>2019-01-31</span><a href="./201901/t20190131_77.html">2018年政府信息公开工作年度报告</a></li>'
        "</ul></body></html>"
    )
    adapter = get_adapter("trs")
    (request,) = adapter.column_requests(bureau("trs", TRS_COLUMN), TRS_COLUMN)
    response = HtmlResponse(url=TRS_COLUMN, body=html.encode(), encoding="utf-8", request=request)
    entries, follow = adapter.parse_list(response)
    assert [(e.url, e.title, e.date) for e in entries] == [
        (TRS_COLUMN + "201901/t20190131_77.html", "2018年政府信息公开工作年度报告", "2019-01-31")
    ]
    assert follow == []
