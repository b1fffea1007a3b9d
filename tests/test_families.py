"""The family adapters on hand-written list pages in the real TRS WCM and Hanweb JCMS structure."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, TextResponse

from crawler.dates import parse_date
from crawler.families import get_adapter
from crawler.families.base import STATE_KEY
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
def test_list_cell_dates(text, expected):
    assert parse_date(text) == expected


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


# -- gkml, JPaaS and legacy GBK lists: hand-written pages in each platform's structure ------------------

GKML_LIST = """<html><body><div class="crumb">当前位置：首页 &gt; 政府信息公开</div>
<ul class="menu"><li><a href="/zwgk/index.html">政府信息公开</a></li></ul>
<table class="gkml_list"><tr><th>索引号</th><th>名称</th><th>生成日期</th></tr>
<tr><td>11420000/2024-00031</td><td><a href="./202501/c1234567.html" title="某某市交通运输局2024年政府信息公开工作年度报告">某某市交通运输局2024年…</a></td><td>2025-01-20</td></tr>
<tr><td>11420000/2024-00007</td><td><a href="./202404/c7654321.html">某某市交通运输局2024年政务公开工作要点</a></td><td>2024-04-02</td></tr>
</table>
<div class="page"><span>共 7 页 / 共 27 条</span> <a href="index_1.html">下一页</a> <a href="index_6.html">尾页</a> <a href="/index.html">首页</a></div>
</body></html>"""


def test_gkml_table_rows_and_counter_pages():
    column = "http://127.0.0.1:8797/xxgk/gkml/ndbg/index.html"
    adapter = get_adapter("gkml")
    (req,) = adapter.column_requests(bureau("gkml", column), column)
    resp = HtmlResponse(url=column, body=GKML_LIST.encode(), encoding="utf-8", request=req)
    entries, follow = adapter.parse_list(resp)
    assert [(e.url.rsplit("/", 2)[-2:], e.date) for e in entries] == [
        (["202501", "c1234567.html"], "2025-01-20"),
        (["202404", "c7654321.html"], "2024-04-02"),
    ]
    assert entries[0].title == "某某市交通运输局2024年政府信息公开工作年度报告"
    names = sorted(r.url.rsplit("/", 1)[1] for r in follow)
    # the counter says 7 pages: index_1 … index_6, although the pager shows only two of them
    assert names == [f"index_{n}.html" for n in range(1, 7)]


def test_gkml_query_paging_from_counter():
    column = "http://127.0.0.1:8797/gkml/list.jsp?columnId=12"
    page = GKML_LIST.replace(
        'href="index_1.html"', 'href="list.jsp?columnId=12&amp;page=2"'
    ).replace('href="index_6.html"', 'href="list.jsp?columnId=12&amp;page=7"')
    adapter = get_adapter("gkml")
    (req,) = adapter.column_requests(bureau("gkml", column), column)
    resp = HtmlResponse(url=column, body=page.encode(), encoding="utf-8", request=req)
    _, follow = adapter.parse_list(resp)
    pages = sorted(int(parse_qs(urlsplit(r.url).query)["page"][0]) for r in follow)
    assert pages == list(range(2, 8))  # page=1 is the column page itself


JPAAS_SHELL = """<html><head><meta name="pagetype" content="2"></head><body>
<div id="unit88" class="list-unit"></div>
<script>
var queryData = {webId:'2754', columnId:'1229', pageType:'column', pageSize:10};
$(function () { jpaasUnit("#unit88", "/api-gateway/jpaas-publish-server/front/page/build/unit", queryData); });
</script></body></html>"""


def test_jpaas_shell_then_json_pages():
    import json

    column = "http://127.0.0.1:8796/col/col1229/index.html"
    adapter = get_adapter("jpaas")
    (req,) = adapter.column_requests(bureau("jpaas", column), column)
    shell = HtmlResponse(url=column, body=JPAAS_SHELL.encode(), encoding="utf-8", request=req)
    entries, (api,) = adapter.parse_list(shell)
    assert entries == [] and api.method == "POST"
    assert api.url.endswith("/api-gateway/jpaas-publish-server/front/page/build/unit")
    sent = json.loads(api.body)
    assert sent["webId"] == "2754" and sent["columnId"] == "1229"
    assert (sent["pageNo"], sent["pageSize"]) == (1, 10)
    art = "/col/col1229/art/2025/art_0f6c1b7e2d8a4c3b9e5f1a2b3c4d5e6f.html"
    answer = {"success": True, "data": {"total": 23, "list": [
        {"title": "某某市交通运输局2024年政府信息公开工作年度报告", "url": art, "date": "2025-01-21"}]}}  # fmt: skip
    resp = TextResponse(
        url=api.url, body=json.dumps(answer, ensure_ascii=False).encode(), encoding="utf-8",
        request=api,
    )  # fmt: skip
    entries, follow = adapter.parse_list(resp)
    assert entries[0].url == "http://127.0.0.1:8796" + art and entries[0].date == "2025-01-21"
    assert [json.loads(r.body)["pageNo"] for r in follow] == [2, 3]


def test_jpaas_get_data_json_feed():
    column = "http://127.0.0.1:8796/col/col77/index.html"
    shell = '<html><body><script>loadList("/col/col77/data.json", {pageSize: 5});</script></body></html>'
    adapter = get_adapter("jpaas")
    (req,) = adapter.column_requests(bureau("jpaas", column, per_page=5), column)
    resp = HtmlResponse(url=column, body=shell.encode(), encoding="utf-8", request=req)
    _, (first,) = adapter.parse_list(resp)
    assert first.method == "GET" and first.url == "http://127.0.0.1:8796/col/col77/data.json?page=1"


LEGACY_LIST = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>
<body><table width="778"><tr><td width="180"><table><tr><td>·<a href="/zwgk/xxgkzn/index.html">信息公开指南</a></td></tr></table></td>
<td><table class="list">
<tr><td>·<a href="200903/20090315123.htm" title="某某县交通局2008年政府信息公开工作年度报告">某某县交通局2008年…</a></td><td><font color="#999999">[2009-03-15]</font></td></tr>
</table>
<table><tr><td>共9条记录 共3页 [1] <a href="list_2.htm">[2]</a> <a href="list_3.htm">[3]</a> <a href="list_2.htm">下一页</a></td></tr></table>
</td></tr></table></body></html>"""


def test_legacy_gbk_list_decoded_from_bytes_despite_header():
    from crawler.families.charset import decide_charset, with_right_charset

    column = "http://127.0.0.1:8795/zwgk/ndbg/list.htm"
    adapter = get_adapter("legacy")
    (req,) = adapter.column_requests(bureau("legacy", column), column)
    body = LEGACY_LIST.encode("gb18030")
    # the server claims UTF-8: Scrapy alone would produce mojibake
    lying = HtmlResponse(url=column, body=body, request=req,
                         headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
    assert "某某县" not in lying.text
    fixed = with_right_charset(lying)
    entries, follow = adapter.parse_list(fixed)
    assert [(e.title, e.date) for e in entries] == [
        ("某某县交通局2008年政府信息公开工作年度报告", "2009-03-15")
    ]
    assert sorted(r.url.rsplit("/", 1)[1] for r in follow) == ["list_2.htm", "list_3.htm"]
    assert decide_charset(body, "text/html") == "gb18030"
    assert decide_charset("交通".encode(), "text/html; charset=gbk") == "utf-8"
    assert decide_charset(b"plain ascii", None) == "utf-8"


# -- shapes real portals print that the fixtures under tests/fixtures/families/lists do not spell out ----


def _html(url: str, body: str, family: str = "generic") -> HtmlResponse:
    request = Request(url, meta={STATE_KEY: {"family": family, "first": True}, "column_url": url})
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)


def test_written_rows_are_put_back_after_their_script():
    from crawler.families.written import written_html

    page = (
        "<ul><script>var s = '';"
        "s += '<li><a href=\\\"./202401/t20240120_1.html\\\" title=\\'某县2023年年报\\'>某县…</a></li>';"
        "document.write(s);</script></ul><script>document.write('<b>no link</b>');</script>"
    )
    out = written_html(page)
    assert (
        """<li><a href="./202401/t20240120_1.html" title='某县2023年年报'>某县…</a></li>""" in out
    )
    assert out.count("<b>no link</b>") == 1  # markup without a link stays in its script only
    assert written_html("<p>plain</p>") == "<p>plain</p>"


def test_pager_links_through_the_pages_own_function_and_a_select():
    from crawler.families.base import pager_urls

    url = "http://jtj.example.gov.cn/xxgk/ndbg/index.html"
    page = """<html><body><div class="fy"><a href="javascript:goPage(1)">首页</a>
    <a href="javascript:goPage(2)">下一页</a> <a href="javascript:goPage(5)">尾页</a></div>
    <script>function goPage(p) { location.href = 'list_' + (p - 1) + '.shtml'; }</script>
    <select onchange="location.href=this.value"><option value="index.html">1</option>
    <option value="more_2.html">2</option><option value="javascript:;">-</option></select></body></html>"""
    got = pager_urls(_html(url, page))
    folder = url.rsplit("/", 1)[0]
    assert got == [f"{folder}/list_1.shtml", f"{folder}/list_4.shtml", f"{folder}/more_2.html"]


def test_query_pager_fills_the_counter_and_drops_page_one():
    url = "http://jtj.example.gov.cn/xxgk/list.jsp?cid=7"
    rows = "".join(
        f'<li><a href="/xxgk/c{n}.html">某县交通运输局{2023 - n}年政府信息公开工作年度报告</a>'
        f"<span>2024-01-{n + 10}</span></li>"
        for n in range(4)
    )
    page = (
        f"<html><body><ul>{rows}</ul><div>共5页 <a href='list.jsp?cid=7&amp;page=1'>首页</a>"
        "<a href='list.jsp?cid=7&amp;page=2'>下一页</a></div></body></html>"
    )
    from crawler.families import GENERIC

    entries, follow = GENERIC.parse_list(_html(url, page), first=True)
    assert len(entries) == 4
    assert sorted(r.url for r in follow) == [f"{url}&page={n}" for n in range(2, 6)]


def test_an_items_companion_link_is_no_item_and_no_obstacle():
    url = "http://jtj.example.gov.cn/xxgk/ndbg/index.html"
    rows = "".join(
        f'<li><a href="./{n}.html">某县交通运输局{2023 - n}年政府信息公开工作年度报告</a> '
        f'<a href="./{n}_jd.html">[解读]</a><span>2024-01-2{n}</span></li>'
        for n in range(3)
    )
    table = "".join(
        f'<tr><td><a href="./t{n}.html">某县交通运输局{2020 - n}年政府信息公开工作年度报告</a>'
        f' <a href="./t{n}.pdf">下载</a></td><td>2021-01-2{n}</td></tr>'
        for n in range(3)
    )
    from crawler.families import GENERIC

    entries, _ = GENERIC.parse_list(_html(url, f"<html><body><ul>{rows}</ul></body></html>"))
    assert [e.url.rsplit("/", 1)[1] for e in entries] == ["0.html", "1.html", "2.html"]
    assert entries[2].date == "2024-01-22"
    page = f"<html><body><table>{table}</table></body></html>"
    entries, _ = get_adapter("legacy").parse_list(_html(url, page, "legacy"))
    assert [(e.url.rsplit("/", 1)[1], e.date) for e in entries] == [
        ("t0.html", "2021-01-20"), ("t1.html", "2021-01-21"), ("t2.html", "2021-01-22")
    ]  # fmt: skip


def test_an_empty_column_beside_a_latest_news_box_yields_nothing():
    from crawler.families import GENERIC

    url = "http://jtj.example.gov.cn/xxgk/ndbg/index.html"
    news = "".join(
        f'<li><a href="/xwzx/{n}.html">某县开展道路运输安全检查之{n}</a><span>2024-03-0{n}</span></li>'
        for n in range(1, 7)
    )
    page = (
        "<html><body><div class='main'><h2>年度报告</h2><p>暂无信息</p></div>"
        f"<div class='box'><h3>最新信息</h3><ul>{news}</ul></div></body></html>"
    )
    assert GENERIC.parse_list(_html(url, page)) == ([], [])


def test_hanweb_record_dated_by_its_own_text_and_paged_by_its_next_group_link():
    from crawler.families.hanweb import nextgroup_config, record_entry

    entry = record_entry(
        '<li><a href="/art/2024/1/5/art_1_2.html">某县2023年年报</a> 2024-01-05</li>',
        "http://www.example.gov.cn/col/col1/index.html",
    )
    assert (entry.title, entry.date) == ("某县2023年年报", "2024-01-05")
    xml = (
        '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?startrecord=4&amp;'
        'endrecord=6&amp;perpage=3&amp;totalRecord=8&amp;columnid=9&amp;unitid=77"></a>]]></nextgroup>'
        "</datastore>"
    )
    assert nextgroup_config(xml) == {
        "totalRecord": "8",
        "perPage": "3",
        "proxyUrl": "/module/web/jpage/dataproxy.jsp",
        "ajaxParam": {"columnid": "9", "unitid": "77"},
    }
    assert nextgroup_config("<datastore><recordset></recordset></datastore>") is None


def test_site_key_joins_a_bureaus_hosts_and_nothing_more():
    from crawler.families.blocks import site_key

    assert site_key("jtj.kexi.gov.cn") == site_key("file.kexi.gov.cn") == "kexi.gov.cn"
    assert site_key("jtj.kexi.gov.cn") != site_key("jtj.songxi.gov.cn")
    assert site_key("www.example.com") == "example.com"
    assert site_key("127.0.0.1") == "127.0.0.1" != site_key("127.0.0.2")


def test_a_column_page_framing_its_list_asks_for_the_framed_page_once():
    from crawler.families import read_list

    url = "http://jtj.example.gov.cn/xxgk/ndbg/index.html"
    page = (
        "<html><body><table><tr><td><a href='/'>首页</a></td></tr></table>"
        "<iframe src='list.html' width='100%'></iframe>"
        "<iframe src='http://video.example.com/player.html'></iframe></body></html>"
    )
    reader, entries, follow = read_list(get_adapter("legacy"), _html(url, page, "legacy"))
    assert (reader, entries) == ("generic", [])
    assert [r.url for r in follow] == ["http://jtj.example.gov.cn/xxgk/ndbg/list.html"]
    framed = HtmlResponse(follow[0].url, body=page.encode(), encoding="utf-8", request=follow[0])
    assert read_list(get_adapter("legacy"), framed)[1:] == ([], [])  # a frame of a frame: no more


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.gov.cn/art/2024/1/20/art_1_2.html", "2024-01-20"),
        ("http://a.gov.cn/xxgk/202401/abc.html", "2024-01-20"),
        ("http://a.gov.cn/xxgk/2024-01/20/content_8.html", "2024-01-20"),
        ("http://a.gov.cn/html/2024/0120/88.html", "2024-01-20"),
        ("http://a.gov.cn/html/2024/0220/88.html", None),  # another month: not this cell's year
        ("http://a.gov.cn/xxgk/c88.html", None),
    ],
)
def test_a_month_day_cell_takes_its_year_from_the_address(url, expected):
    from crawler.families.rows import _year_for

    assert _year_for(url, 1, 20) == expected


def test_a_script_link_that_names_its_page_is_an_item():
    from crawler.families import GENERIC

    url = "http://jtj.example.gov.cn/xxgk/ndbg/index.html"
    rows = "".join(
        f'<li><a href="javascript:void(0)" onclick="window.open(\'/art/2024/1/2{n}/art_5_{n}.html\')">'
        f"某县交通运输局{2023 - n}年政府信息公开工作年度报告</a><span>2024-01-2{n}</span></li>"
        for n in range(3)
    )
    page = f"<html><body><ul>{rows}</ul><a href='javascript:history.back()'>返回</a></body></html>"
    entries, _ = GENERIC.parse_list(_html(url, page))
    assert [e.url for e in entries] == [
        f"http://jtj.example.gov.cn/art/2024/1/2{n}/art_5_{n}.html" for n in range(3)
    ]
