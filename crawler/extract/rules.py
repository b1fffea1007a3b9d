"""Chrome rules as named data: what a portal prints around a report that the archive must not keep.

Each rule names one kind of chrome, says where it applies and how far (its limits), and carries the real
strings it must remove (`examples`, from the seed texts in sample_portals/seed_texts/ and the portals'
templates) and the prose it must spare (`spares`): a report may well say 网站标识码 or ICP 备案 in its
own sentences, so every rule looks at a whole line (or a whole attribute), never at a word inside prose.
tests/test_chrome_rules.py walks every example and spare; `nianbao extract --explain` names the rule
behind each dropped line. Lines are matched on their simplified, ruby-free key (`chrome.chrome_key`), so
發佈時間 and 當(dāng)前位置 match the simplified patterns too.

Where a rule applies (`applies_to`) is described in `rulebase.APPLIES`; the footer rules are in
`footer_rules.py` and take their place in `CHROME_RULES` (the order rules are tried in).
"""

from __future__ import annotations

import re

from crawler.extract.footer_rules import FOOTER_RULES
from crawler.extract.rulebase import APPLIES, ChromeRule

__all__ = ["APPLIES", "ATTRIBUTE_RULES", "CHROME_RULES", "RELATED_HEAD", "RULES", "ChromeRule"]

# The start of a 相关… list's heading, also how `links` tells a related box from an attachment box:
# matches "相关解读" in "相关解读：", "【相关链接" in "【相关链接】", "延伸阅读", "推荐阅读", "猜你喜欢".
RELATED_HEAD = (
    r"^[【\[]?\s*(?:相关(?:解读|文件|链接|附件|阅读|新闻|信息|稿件|政策|文章|报道)|延伸阅读|推荐阅读|"
    r"热点推荐|热门(?:文章|信息|推荐)|猜你喜欢|往期回顾)"
)

# The prefix of a labelled metadata line: an optional bracket, the label, a colon after it; the rules
# below give the labels. Matches "【发布时间：" and "来源:".
_LABEL = r"^[【\[(（]?\s*({})\s*[:：]"

CHROME_RULES: tuple[ChromeRule, ...] = (
    # The label then a colon, a space or the trail: matches "当前位置: 首页 > 政务公开 > 政府信息公开年报",
    # "您现在的位置: 首页", "位置：首页", "您所在的位置：首页>>政务公开", "你的位置：首页",
    # "当前所在位置：首页"; not "所在位置偏远的……".
    ChromeRule(
        "breadcrumb",
        r"^(当前|您现在的|您当前的|您的|现在的|[您你]?(当前|现在|目前)?(所在|所处)?的?)位置"
        r"\s*([:：]|首页|>|»|\s|$)",
        "line-start",
        (
            "当前位置: 首页 > 政务公开 > 政府信息公开年报",
            "您现在的位置：首页 > 信息公开",
            "您所在的位置：首页>>政务公开>>年度报告",
            "你的位置：首页",
            "当前所在位置：首页 > 年报",
        ),
        ("位置较偏的12个农村客运站已全部完成改造。", "所在位置偏远的客运站已完成改造。"),
    ),
    # The word must end there (a colon, a bracket, a space, the line's end, 没有了): matches
    # "上一篇：关于……的通知", "下一篇: 没有了", "【上一条】", "上一篇 关于……", "下一篇没有了";
    # not "上篇幅较长的……" nor "上一篇报告中……".
    ChromeRule(
        "prev-next",
        r"^[【\[]?\s*(上一篇|下一篇|上一条|下一条|上篇|下篇)(\s*[】\]:：]|\s+|\s*$|\s*(没有了|无))",
        "line-start",
        (
            "上一篇：关于印发2019年政务公开工作要点的通知",
            "下一篇: 没有了",
            "【上一条】",
            "上一篇 关于印发2019年政务公开工作要点的通知",
            "下一篇没有了",
        ),
        (
            "上一年度报告中提出的问题已全部整改。",
            "上篇幅较长的报告已拆分为两部分。",
            "上一篇报告中提出的问题已整改。",
        ),
        max_len=159,
    ),
    # An attachment stub without file names: matches "附件:[点击下载]", "附件:【下载】", "附件下载：".
    ChromeRule(
        "attachment-stub",
        r"^附件(下载)?\s*[:：]?\s*[\[【]?\s*(点击下载|下载附件|点击查看|下载)?\s*[\]】]?$",
        "line-start",
        ("附件:[点击下载]", "附件下载：", "附件"),
        ("附件：2023年政府信息公开情况统计表",),
    ),
    # A download line naming files only (the files are recorded as attachments, not text): matches
    # "附件：湖南省交通运输厅2011年政府信息公开工作年度报告.doc", "附件1：统计表.xls 附件2：说明.pdf".
    ChromeRule(
        "attachment-files",
        r"^(?:(?:相关)?附件(?:下载)?\s*\d*\s*[:：]\s*[^\n]{0,120}?\.(?:pdf|docx?|wps|ofd|xlsx?|et|zip|rar)"
        r"\s*(?:[(（][^)）]{0,20}[)）])?\s*)+$",
        "line-start",
        (
            "附件：湖南省交通运输厅2011年政府信息公开工作年度报告.doc",
            "附件1：统计表.xls 附件2：说明.pdf",
            "附件下载：年报.pdf（326KB）",
        ),
        ("附件：2023年政府信息公开情况统计表",),
        max_len=399,
        flags=re.I,
    ),
    # A bare crumb trail: matches "首页 > 政务公开 > 政府信息公开年报", "首页»信息公开»年报",
    # "网站首页 / 政务公开 / 年度报告", "首页 >> 信息公开", "首页-->年报".
    ChromeRule(
        "crumb-trail",
        r"^(网站首页|门户首页|首页|主页)\s*(>|»|›|》|→|＞|/|／|\\|-+>)",
        "line-start",
        (
            "首页 > 政务公开 > 政府信息公开年报",
            "首页»信息公开»年报",
            "网站首页 / 政务公开 / 年度报告",
            "首页 >> 信息公开",
            "首页-->年报",
        ),
        ("首页设置了政府信息公开年报专栏。", "主页面改版后，年报栏目访问量增长。"),
        max_len=119,
    ),
    # Matches "发布时间:2019-04-18 10:24 作者: 来源:益阳市交通运输局 浏览次数: 字体:【大】 【中】 【小】",
    # "录入时间：2012-03-26", "发布于 2024-01-29 10:20".
    ChromeRule(
        "date-line",
        _LABEL.format(
            "发布时间|发布日期|发表时间|发文时间|更新时间|公开时间|录入时间|添加时间|发稿时间|日期|时间|发布"
        )
        + r"|^发布于\s*(19|20)\d{2}",
        "line-start",
        (
            "发布时间:2019-04-18 10:24 作者: 来源:益阳市交通运输局 浏览次数: 字体:【大】 【中】 【小】",
            "发布日期:2018-02-28 13:20   文章来源:河南省交通运输厅",
            "【发布时间：2024-01-30】",
            "发布于 2024-01-29 10:20 阅读 35",
            "录入时间：2012-03-26 作者：admin",
            "发布：2024-01-29",
        ),
        (
            "时间紧、任务重，我局按期完成了年报编制。",
            "2018年，我局按时间节点完成年报发布。",
            "发布于门户网站的政策解读共32篇。",
        ),
        max_len=159,
    ),
    # A line that opens with the date and goes on to other labels, with no 发布时间 before it: matches
    # "2023-01-20 来源：县交通运输局办公室 阅读 37 次", "2019年04月18日 10:24 作者：李明"; never a
    # date alone (a report's signature date) nor a sentence that opens with a date.
    ChromeRule(
        "dated-info-line",
        r"^(19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*(\d{1,2}:\d{2}(:\d{2})?)?"
        r"\s*[|｜]?\s*(来源|文章来源|信息来源|作者|发布人|发布机构|浏览|阅读|点击|责任编辑|编辑)",
        "line-start",
        ("2023-01-20 来源：县交通运输局办公室 阅读 37 次", "2019年04月18日 10:24 作者：李明"),
        ("2023年1月20日", "2022年12月31日前，各县区来源数据全部汇总完毕。"),
        max_len=119,
    ),
    # A view counter without a colon: matches "阅读 37 次", "浏览次数 1024", "【点击：7次】".
    ChromeRule(
        "counter-count",
        r"^[【\[(（]?\s*(阅读|浏览|点击|访问)(次数|数|量)?\s*[:：]?\s*\d+\s*次?\s*[】\])）]?$",
        "line-start",
        ("阅读 37 次", "浏览次数 1024", "【点击：7次】"),
        ("阅读量较上年增长30%。", "浏览12次以上的信息占比过半。"),
        max_len=40,
    ),
    # Matches "来源：益阳市交通运输局", "文章来源:河南省交通运输厅", "作者：", "责任编辑：张三".
    ChromeRule(
        "source-line",
        _LABEL.format("来源|文章来源|信息来源|稿件来源|作者|责任编辑|编辑|信息提供|发布人"),
        "line-start",
        ("文章来源:河南省交通运输厅", "来源：益阳市交通运输局", "责任编辑：张三"),
        ("来源于群众的意见建议共12条，均已办结。",),
        max_len=159,
    ),
    # Matches "浏览次数：1024", "点击数：", "阅读量：35".
    ChromeRule(
        "counter-line",
        _LABEL.format(
            "浏览次数|点击数|点击次数|点击量|访问次数|访问量|阅读次数|阅读数|阅读量|浏览量|浏览数"
        ),
        "line-start",
        ("浏览次数：1024", "点击数：", "【阅读量：35】", "访问量：88"),
        ("浏览次数较上年增长12%，群众关注度明显提高。",),
        max_len=159,
    ),
    # Matches "字体：【大】 【中】 【小】", "字号：大 中 小".
    ChromeRule(
        "font-label-line",
        _LABEL.format("字体|字号"),
        "line-start",
        ("字体：【大】 【中】 【小】", "字号：大 中 小"),
        ("字体规范、格式统一的公文模板已在全局推行。",),
        max_len=159,
    ),
    # The xxgk labels when they sit in a text line: matches "索引号：11410000MB1957591D/2019-00012",
    # "索 引 号：000014349/2021-00005" (labels spaced out to align), "文　　号：湘交发〔2019〕5号".
    ChromeRule(
        "xxgk-label-line",
        _LABEL.format(
            "索引号|发布机构|发文机关|成文日期|生成日期|文号|发文字号|主题分类|组配分类|体裁分类|"
            "公开方式|公开时限|公开范围|有效性"
        ),
        "line-start",
        (
            "索引号：11410000MB1957591D/2019-00012",
            "索 引 号：000014349/2021-00005",
            "文　　号：湘交发〔2019〕5号",
        ),
        ("公开方式以主动公开为主，依申请公开为辅。",),
        max_len=159,
    ),
    # The font-size switch anywhere on a short line: matches "字体：【大】 【中】 【小】", "【大 中 小】".
    ChromeRule(
        "font-switch",
        r"【\s*大\s*】\s*【\s*中\s*】\s*【\s*小\s*】|[【\[]\s*大\s*中\s*小\s*[】\]]|字[体号]\s*[:：]?\s*[大中小]\s*[大中小]",
        "line",
        ("【大】 【中】 【小】", "【大 中 小】", "默认 字号大中小"),
        ("大中小型客运企业共152家，均已纳入监管。",),
        max_len=79,
    ),
    # Matches "扫一扫在手机打开当前页" (the seeds' QR box), "手机扫一扫", "扫码在手机上查看",
    # "手机扫码阅读".
    ChromeRule(
        "scan-qr",
        r"扫一扫在手机|在手机打开当前页|手机扫一扫|^扫一扫|^扫码(在|用)?手机(上)?(查看|阅读|浏览|打开)|"
        r"^手机扫码(查看|阅读|浏览)?$",
        "line",
        ("扫一扫在手机打开当前页", "手机扫一扫", "扫一扫", "扫码在手机上查看", "手机扫码阅读"),
        (
            "我局在门户网站每篇信息下方提供扫一扫在手机打开当前页功能，方便群众随时随地查阅政府信息公开"
            "工作年度报告及统计数据，全年移动端访问量较上年增长百分之三十以上，群众满意度明显提升。",
            "群众可用微信扫一扫查询公交线路。",
        ),
        max_len=79,
    ),
    # Matches "分享到：" and "分享到：微信 微博".
    ChromeRule(
        "share",
        r"^分享到",
        "line",
        ("分享到：", "分享到：微信微博"),
        ("我局把经验分享到各县区交通运输部门。",),
        max_len=79,
    ),
    # Matches "【打印本页】【关闭窗口】", "打印 | 关闭", "【打印】【关闭】".
    ChromeRule(
        "print-close",
        r"打印本页|关闭窗口|^[【\[]?\s*打印\s*[】\]]?\s*[|｜]?\s*[【\[]?\s*关闭",
        "line",
        ("【打印本页】【关闭窗口】", "打印 | 关闭", "【打印】【关闭】"),
        ("打印机等办公设备采购信息已按规定公开。",),
        max_len=79,
    ),
    # Matches "收藏本页", "【加入收藏】".
    ChromeRule(
        "bookmark",
        r"收藏本页|加入收藏",
        "line",
        ("收藏本页", "【加入收藏】"),
        ("收藏品拍卖信息不属于本局公开范围。",),
        max_len=79,
    ),
    # A tool button alone on its line: matches "返回顶部", "【关闭】", "打印", "【我要纠错】", "返回列表".
    ChromeRule(
        "tool-button",
        r"^返回顶部$|^【?\s*(打印|关闭|返回|顶部|收藏|纠错|我要纠错|返回列表|返回首页|返回上一页|"
        r"复制链接|保存)\s*】?$",
        "line",
        ("返回顶部", "【关闭】", "打印", "【我要纠错】", "返回列表"),
        ("返回顶部的页面链接已全部修复。", "纠错机制已建立。"),
        max_len=79,
    ),
    *FOOTER_RULES,
    # Accessibility/language toggles: matches "无障碍 | 长者模式 | 繁体", "简体版 繁體版", "关怀版".
    ChromeRule(
        "toggle-bar",
        r"无障碍(浏览|阅读|模式)?|长者模式|关怀版|关怀模式|适老化|老年模式|繁体(版|中文)?|繁體(版)?|简体(版|中文)?|"
        r"English|EN|手机版|移动版|微信|微博|登录|注册|个人中心|读屏|智能问答|[|｜/·•\s]",
        "line-of-tokens",
        ("无障碍 | 长者模式 | 繁体", "简体版 繁體版", "关怀版"),
        ("微信公众号", "适老化改造已完成"),
        max_len=40,
    ),
    # Related lists' headings: the heading alone, or with a colon or bracket and a short item after
    # it; matches "相关解读：", "相关文件:", "【相关链接】", "相关附件:", "相关链接：某某市政府门户网站";
    # not "相关文件已全部公开。".
    ChromeRule(
        "related-heading",
        RELATED_HEAD + r"\s*(?:[】\]]\s*[:：]?.{0,60}|[:：].{0,60}|)$",
        "heading",
        (
            "相关解读:",
            "相关文件:",
            "【相关链接】",
            "相关附件:",
            "相关链接：某某市政府门户网站",
            "延伸阅读",
            "【推荐阅读】",
        ),
        (
            "相关部门积极配合，按时完成年报编制。",
            "相关文件已全部在门户网站公开。",
            "延伸阅读材料已印发各单位。",
        ),
        max_len=79,
    ),
)

ATTRIBUTE_RULES: tuple[ChromeRule, ...] = (
    # Inline styles that hide an element: matches "display:none", "DISPLAY: none;", "visibility:hidden".
    ChromeRule(
        "hidden-style",
        r"display\s*:\s*none|visibility\s*:\s*hidden",
        "attribute",
        ("display:none", "DISPLAY: none;", "visibility:hidden"),
        ("display:block", "color:#333"),
        flags=re.I,
    ),
    # Class tokens that mean display:none in common CSS frameworks: matches "hidden", "d-none".
    ChromeRule(
        "hidden-class",
        r"hidden|hide|d-none|sr-only|visually-hidden|invisible|none",
        "class-token",
        ("hidden", "d-none", "sr-only", "Hide"),
        ("hidden-xs", "nonetheless", "main"),
        flags=re.I,
    ),
    # Class/id names of mobile-template copies (matched on "class id"): matches "mobile", "m-content",
    # "wap_con", "visible-xs", "hidden-lg", "phone-show"; not "hidden-xs" (hides on phones only) nor
    # "phone" (may be a contact number).
    ChromeRule(
        "mobile-copy",
        r"(?:^|[\s_-])(?:mobile|wap|phone-show|show-phone|visible-xs|visible-sm|hidden-lg|hidden-md|show-m|m-show)(?:$|[\s_-])|"
        r"(?:^|\s)m[-_](?:content|con|article|art|detail|main|body|text|zoom)",
        "attribute",
        ("mobile", "m-content", "wap_con", "visible-xs", "main m-article-con"),
        ("hidden-xs", "phone", "main", "atom-content"),
        flags=re.I,
    ),
)

RULES: dict[str, ChromeRule] = {r.name: r for r in CHROME_RULES + ATTRIBUTE_RULES}
