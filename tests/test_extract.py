"""Extractor behaviour on our own hand-written pages of each CMS family (their goldens, in the one golden
format of tests/fixtures/README.md, are walked by tests/test_golden.py)."""

import json
from pathlib import Path

import pytest

from crawler.extract import extract_page

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def _load(name: str):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    html = (FIXTURES / f"{name}.html").read_bytes().decode("utf-8")
    return html, expected


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
    got = extract_page(html, "http://127.0.0.1/a.html")
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
        ("发布于 2019-04-18 10:24 阅读 35", "2019-04-18"),
        ("录入时间：2019-04-18 作者：admin", "2019-04-18"),
    ],
)
def test_published_forms(line, date):
    html = f'<html><body><h1>标题</h1><div class="info">{line}</div><div id="zoom"><p>正文</p></div></body></html>'
    got = extract_page(html, "http://127.0.0.1/a.html")
    assert got["published"] == date
    assert got["text"] == "正文"


@pytest.mark.parametrize(
    ("info", "date"),
    [
        ("2024-01-29 10:20 来源：某县交通运输局", "2024-01-29"),
        ('<time datetime="2024-01-29T10:20">1月29日</time>', "2024-01-29"),
        ("<span>2024年01月29日</span> 作者：办公室", "2024-01-29"),
    ],
)
def test_published_without_a_label(info, date):
    """An info line that opens with the date, or an HTML5 <time>: dated though no 发布时间 says so."""
    html = f'<html><body><h1>标题</h1><div class="info">{info}</div><div id="zoom"><p>正文</p></div></body></html>'
    got = extract_page(html, "http://127.0.0.1/a.html")
    assert got["published"] == date and got["text"] == "正文"


_TITLE = "某县交通运输局2023年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    "crumb",
    [
        "<p>首页 / 政务公开 / 年度报告</p>",
        "<p>首页 » 政务公开 » 年度报告</p>",
        "<p>首页 › 政务公开 › 年度报告 › 正文</p>",
        "<p>当前位置：首页 → 政务公开 → 年度报告</p>",
        "<p>网站首页 >> 政务公开 >> 年度报告</p>",
        f"<p>您所在的位置：首页 > 政务公开 > 年度报告 > {_TITLE}</p>",
        f"<p>首页 / 政务公开 / 年度报告 / {_TITLE[:12]}…</p>",
        '<div class="breadcrumb"><a href="/">首页</a><a href="/gk/">政务公开</a><a href="/gk/nb/">年度报告</a>'
        "<span>正文</span></div>",
        '<ul class="crumbs"><li><a href="/">首页</a></li><li><a href="/gk/">政务公开</a></li>'
        f"<li><a href='/gk/nb/'>年度报告</a></li><li>{_TITLE}</li></ul>",
    ],
)
def test_column_is_the_last_crumb_that_is_not_the_page(crumb):
    """Every separator portals draw (or none, CSS arrows); the page's own title or 正文 is no column."""
    html = f"<html><head><title>{_TITLE}</title></head><body>{crumb}<div id='zoom'><p>正文内容。</p></div></body></html>"
    got = extract_page(html, "http://127.0.0.1/a.html")
    assert got["column_name"] == "年度报告"
    assert got["text"] == "正文内容。"


def test_published_never_from_links():
    html = (
        '<html><body><h1>标题</h1><div id="zoom"><p>正文</p></div>'
        '<a href="/t20190418_1.html">上一篇（发布日期：2019-04-18）</a></body></html>'
    )
    assert extract_page(html, "http://127.0.0.1/a.html")["published"] is None


def test_bytes_already_decoded_and_xml_declaration():
    html = '<?xml version="1.0" encoding="gb2312"?><html><body><div class="TRS_Editor">交通</div></body></html>'
    assert extract_page(html, "http://127.0.0.1/")["text"] == "交通"


def test_empty_page():
    got = extract_page("", "http://127.0.0.1/")
    assert got["text"] == "" and got["title"] == "" and got["attachments"] == []


def test_gkml_spaced_labels_and_generic_body():
    html, exp = _load("gkml_list_meta")
    got = extract_page(html, exp["url"])
    assert got["index_no"] == "000014349/2021-00005"
    assert (
        got["title"] == "示例省交通运输厅2020年政府信息公开工作年度报告"
    )  # <title> suffix cut at "-"
    assert "索" not in got["text"].splitlines()[0]
    assert "规范性文件 | 3 | 1 | 12" in got["text"]
    assert "京ICP备" not in got["text"] and "主办单位" not in got["text"]


def test_layout_table_is_not_a_data_row():
    html, exp = _load("trs_layout_table")
    lines = extract_page(html, exp["url"])["text"].splitlines()
    assert lines[1] == "一、概述"
    assert "主动公开信息 | 215" in lines


def test_jpaas_attachment_endpoint():
    html, exp = _load("jpaas_bt_content")
    got = extract_page(html, exp["url"])
    assert got["attachments"][0]["url"].startswith("http://jtt.example.gov.cn/api-gateway/")
    assert "（二）依申请公开" in got["text"] and "分享到" not in got["text"]
    assert got["year"] == 2022


def test_footer_rules_keep_prose_mentions():
    html = (
        '<html><body><div class="TRS_Editor"><p>我局严格按照国家有关规定进行 ICP 备案。</p>'
        "<p>门户网站已在页面底部标注网站标识码和公网安备案编号，并全面支持IPv6访问，方便公众浏览。</p>"
        "<p>皖ICP备19012406号-1 皖公网安备34120202000184号</p><p>网站标识码：3412000012</p>"
        "<p>版权所有：某局</p><p>本站已支持IPv6访问</p></div></body></html>"
    )
    text = extract_page(html, "http://127.0.0.1/")["text"]
    assert text.splitlines() == [
        "我局严格按照国家有关规定进行 ICP 备案。",
        "门户网站已在页面底部标注网站标识码和公网安备案编号，并全面支持IPv6访问，方便公众浏览。",
    ]


def test_title_split_over_lines_not_repeated():
    html = (
        '<html><head><meta name="ArticleTitle" content="某局2021年政府信息公开工作年度报告"></head><body>'
        '<div id="zoom"><p>某局</p><p>2021年政府信息公开工作年度报告</p><p>正文第一段。</p></div></body></html>'
    )
    assert extract_page(html, "http://127.0.0.1/")["text"] == "正文第一段。"


def test_report_contact_lines_are_content():
    html = (
        '<html><body><div class="TRS_Editor"><p>六、其他需要报告的事项</p>'
        "<p>联系电话：0558-2567279</p><p>地址：安徽省阜阳市阜南路9号</p></div>"
        '<div class="foot">地址：安徽省阜阳市阜南路9号 电话：0558-12328 皖ICP备19012406号-1</div></body></html>'
    )
    assert extract_page(html, "http://127.0.0.1/")["text"].splitlines()[1:] == [
        "联系电话：0558-2567279",
        "地址：安徽省阜阳市阜南路9号",
    ]


def test_empty_source_label_and_date_in_table_cell():
    html = (
        '<html><body><h1>某局2019年年报</h1><div class="info">来源： 浏览次数：12</div>'
        '<table><tr><td>发布日期：</td><td>2020-01-15</td></tr></table><div id="zoom">正文</div></body></html>'
    )
    got = extract_page(html, "http://127.0.0.1/")
    assert got["source"] is None and got["published"] == "2020-01-15"


def test_mobile_named_wrapper_does_not_lose_the_report():
    html = (
        '<html><body><div class="main mobile-wrap"><div class="TRS_Editor"><p>正文留在这里。</p>'
        '<p>联系电话：<span class="phone">0558-2567279</span></p></div></div></body></html>'
    )
    assert (
        extract_page(html, "http://127.0.0.1/")["text"] == "正文留在这里。\n联系电话：0558-2567279"
    )


def test_table_caption_and_pre_lines():
    """A statutory table's caption is its heading line; a <pre> report keeps its own line breaks."""
    html = (
        '<html><body><div id="zoom"><p>二、主动公开政府信息情况</p><table><caption>第二十条第（一）项</caption>'
        "<tr><th>信息内容</th><th>本年制发件数</th></tr><tr><td>规章</td><td>0</td></tr></table>"
        "<pre>  三、存在的主要问题\n\n  解读形式单一。\n</pre></div></body></html>"
    )
    got = extract_page(html, "http://127.0.0.1/a.html")
    assert got["text"].splitlines() == [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容 | 本年制发件数",
        "规章 | 0",
        "三、存在的主要问题",
        "解读形式单一。",
    ]


_LONG = "全年主动公开政府信息，依法按时答复全部申请。" * 12


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        # a long paragraph holds nearly all the prose, but its heading beside it is the report's too
        (f"<div class='nr'><h4>一、总体情况</h4><p>{_LONG}</p></div>", ["一、总体情况", _LONG]),
        # a small statutory table after the text is part of the body however little it weighs
        (
            f"<div class='nr'><div class='t'><p>一、总体情况</p><p>{_LONG}</p></div><table>"
            "<tr><td>信息内容</td><td>数量</td></tr><tr><td>规章</td><td>0</td></tr>"
            "<tr><td>规范性文件</td><td>3</td></tr></table></div>",
            ["一、总体情况", _LONG, "信息内容 | 数量", "规章 | 0", "规范性文件 | 3"],
        ),
        # a loose sentence after the editor box is the report's own, not a side box
        (
            "<div class='wrap'><div class='ed'><p>一、总体情况</p><p>全年主动公开政府信息1021条。</p>"
            "<p>依法答复申请86件。</p></div><p>（二）依申请公开。全年收到申请86件，均按期答复。</p></div>",
            [
                "一、总体情况",
                "全年主动公开政府信息1021条。",
                "依法答复申请86件。",
                "（二）依申请公开。全年收到申请86件，均按期答复。",
            ],
        ),
        # an <article> with the title, an info line and <h4> headings, a tool bar and prev/next after it
        (
            "<article class='post'><h2>某县交通运输局2023年报告</h2><p>发布时间：2024-01-29　阅读：0</p>"
            f"<div class='post-body'><p>{_LONG}</p><h4>一、总体情况</h4><p>全年公开133条。</p></div></article>"
            "<div class='tools'><a href='#'>打印</a> | <a href='#'>关闭</a></div>"
            "<p>上一篇：<a href='/1.html'>某县交通运输局2022年报告</a></p>",
            [_LONG, "一、总体情况", "全年公开133条。"],
        ),
    ],
)
def test_unknown_template_body_keeps_every_part(body, lines):
    html = (
        "<html><head><title>某县交通运输局2023年报告</title></head><body>"
        f"<div class='top'><a href='/'>首页</a><a href='/gk/'>信息公开</a></div>{body}"
        "<div class='foot'>版权所有：某县交通运输局</div></body></html>"
    )
    assert extract_page(html, "http://127.0.0.1/a.html")["text"].splitlines() == lines


def test_weak_name_on_a_small_box_does_not_hide_the_report():
    """class="view" is a body box on old sites and a 浏览 counter on others: the prose decides."""
    html = (
        "<html><head><title>某县交通运输局2023年报告</title></head><body>"
        "<div class='info'>发布时间：2024-01-02 <span class='view'>浏览：35</span></div>"
        f"<div class='nr'><h4>一、总体情况</h4><p>{_LONG}</p></div></body></html>"
    )
    got = extract_page(html, "http://127.0.0.1/a.html")
    assert got["text"].splitlines() == ["一、总体情况", _LONG]
    assert got["published"] == "2024-01-02"


def test_menu_inside_print_markers_is_dropped():
    """<!--startprint--> often wraps the crumb and a tab bar of other columns as well as the report."""
    html = (
        "<html><head><title>某县交通运输局2023年报告</title></head><body><!--startprint-->"
        "<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/gk/'>信息公开</a> &gt; "
        "<a href='/gk/nb/'>年报</a></div><ul class='tabs'><li><a href='/x/'>通知公告</a></li>"
        "<li><a href='/y/'>政策解读</a></li><li><a href='/z/'>年度报告</a></li></ul>"
        f"<p>一、总体情况</p><p>{_LONG}</p><!--endprint--></body></html>"
    )
    got = extract_page(html, "http://127.0.0.1/a.html")
    assert got["text"].splitlines() == ["一、总体情况", _LONG]
    assert got["column_name"] == "年报"


@pytest.mark.parametrize(
    ("title_tag", "h1"),
    [
        (f"{_TITLE} - 某县交通运输局", '<a href="/">某县交通运输局门户网站</a>'),
        (f"{_TITLE} - 某县交通运输局", "某县交通运输局门户网站"),
        (_TITLE, "某县交通运输局"),
        (f"{_TITLE[:14]}...", _TITLE),
    ],
)
def test_logo_h1_is_not_the_title(title_tag, h1):
    """An h1 holding the site's name (a link home, 门户网站) is the logo; a full h1 beats a cut <title>."""
    html = f"<html><head><title>{title_tag}</title></head><body><h1>{h1}</h1><div id='zoom'><p>正文。</p></div></body></html>"
    assert extract_page(html, "http://127.0.0.1/a.html")["title"] == _TITLE


_LINKS = "".join(
    f"<li><a href='/{c}.html'>关于{n}的通知</a></li>" for c, n in zip("abc", "甲乙丙", strict=True)
)


@pytest.mark.parametrize(
    ("box", "kept"),
    [
        (f"<ul class='menu'>{_LINKS}</ul>", []),
        (
            f"<div class='fj'>附件：<ul>{_LINKS}</ul></div>",
            ["关于甲的通知", "关于乙的通知", "关于丙的通知"],
        ),
        (f"<p>附件：</p><ul>{_LINKS}</ul>", ["关于甲的通知", "关于乙的通知", "关于丙的通知"]),
    ],
)
def test_link_boxes_in_a_weak_body(box, kept):
    """id="content" may wrap a menu of other pages (dropped) or the report's 附件 list (kept)."""
    html = f"<html><head><title>某局年报</title></head><body><div id='content'><p>{_LONG}</p>{box}</div></body></html>"
    assert extract_page(html, "http://127.0.0.1/a.html")["text"].splitlines() == [_LONG, *kept]


def test_one_cell_rows_are_a_frame_not_data():
    """A table of one cell a row frames the text: its paragraphs stay lines (a data row would fold them)."""
    html = (
        "<html><body><div id='zoom'><table><tr><td><p>一、总体情况</p><p>全年主动公开信息120条。</p></td></tr>"
        "<tr><td>二、存在的问题</td></tr></table></div></body></html>"
    )
    assert extract_page(html, "http://127.0.0.1/a.html")["text"].splitlines() == [
        "一、总体情况",
        "全年主动公开信息120条。",
        "二、存在的问题",
    ]


def test_title_cell_only_when_the_title_tag_is_the_site_name():
    """A one-part <title> that is the page's own title is kept over a dated side heading."""
    html = (
        "<html><head><title>关于印发政务公开工作要点的通知</title></head><body><div class='side'>"
        "<h3>2023年工作动态</h3></div><div id='zoom'><p>正文。</p></div></body></html>"
    )
    assert (
        extract_page(html, "http://127.0.0.1/a.html")["title"] == "关于印发政务公开工作要点的通知"
    )
