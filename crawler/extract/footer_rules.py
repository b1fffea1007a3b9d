"""The chrome rules of site footers: markers only a footer carries (主办, 版权所有, ICP备, 网站标识码…),
footer links and contact details. They act together (`chrome._footer_kind`): a footer line is made of
markers, so it is measured with all of them removed, and goes when almost nothing is left; a report's
sentence that names one keeps plenty of its own text. Examples and spares as in `rules.py`."""

from __future__ import annotations

import re

from crawler.extract.rulebase import ChromeRule

__all__ = ["FOOTER_RULES"]

FOOTER_RULES: tuple[ChromeRule, ...] = (
    # Organiser lines: the label and an organisation name (ending in 局, 中心, 公司… and followed by a
    # space, the next label or the line's end, so an unspaced sentence after 承办： is not a name):
    # matches "主办:阜阳市交通运输局", "技术支持：某某信息技术有限公司", both names of
    # "主办：某某市交通运输局承办：某某市交通运输局办公室".
    ChromeRule(
        "footer-host",
        r"(主办|承办|协办|技术支持|运维|维护)(单位)?\s*[:：]\s*[^\s，。；,;:：|｜]{1,30}?"
        r"(局|厅|委员会|委|办公室|办|中心|有限公司|公司|政府|部|院|所|站|处|集团)"
        r"(?=$|[^\u4e00-\u9fff]|主办|承办|协办|技术支持|运维|维护|版权|地址|电话|网站)",
        "footer",
        (
            "主辦:阜陽市交通運(yùn)輸局 承辦:阜陽市交通運(yùn)輸指揮調(diào)度中心",
            "技术支持：某某信息技术有限公司",
            "主办：某某市交通运输局承办：某某市交通运输局办公室",
        ),
        (
            "本次培训由市交通运输局主办，各县区交通运输局承办，共有120名干部参加。",
            "承办：全年共承办人大代表建议12件和政协委员提案8件均已按期办结并答复",
        ),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "版权所有：清流县人民政府" (owner included), "Copyright © 2019".
    ChromeRule(
        "footer-copyright",
        r"版权所有\s*[:：]?\s*[\u4e00-\u9fff]{0,20}|copyright|©",
        "footer",
        ("版权所有：清流县人民政府", "Copyright © 2019 益阳市交通运输局"),
        ("我局依法保护著作权，转载须注明版权所有者，全年处理侵权投诉3件，均已办结。",),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "建议使用1024×768分辨率浏览", "1024*768分辨率浏览".
    ChromeRule(
        "footer-resolution",
        r"(建议|推荐)?\s*(使用)?\s*\d{3,4}\s*[×xX*]\s*\d{3,4}\s*(像素)?\s*(以上)?\s*分辨率[^。]{0,12}|"
        r"分辨率[^。]{0,20}",
        "footer",
        ("建议使用1024×768分辨率浏览", "1024*768分辨率浏览"),
        ("我局为执法人员配备高分辨率执法记录仪120台，实现执法全过程记录，全年调阅执法录像560次。",),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "皖ICP备19012406号-1", "ICP证12345号", "备案号：".
    ChromeRule(
        "footer-icp",
        r"[\u4e00-\u9fff]?ICP\s*备\s*\d+号?(-\d+)?|ICP证\s*\d+号?|备案号\s*[:：]?",
        "footer",
        ("皖ICP备19012406号-1", "皖I(lǐng)CP備19012406號(hào)-1"),
        ("我局严格按照国家有关规定进行 ICP 备案。",),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "皖公网安备34120202000184号".
    ChromeRule(
        "footer-police-record",
        r"[\u4e00-\u9fff]?公网安备\s*\d+号?",
        "footer",
        ("皖公网安备34120202000184号", "皖公網(wǎng)安備34120202000184號(hào)"),
        ("门户网站已完成公网安备登记，并在页面底部标注公网安备案编号，方便公众查验核实。",),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "网站标识码：3412000012", "网站标识码bm17000001".
    ChromeRule(
        "footer-site-id",
        r"网站标识码\s*[:：]?\s*[0-9a-zA-Z]{6,12}",
        "footer",
        ("网站标识码：3412000012", "網(wǎng)站標(biāo)識(shí)碼:3412000012"),
        ("门户网站已在页面底部标注网站标识码和公网安备案编号，并全面支持IPv6访问，方便公众浏览。",),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "本站已支持IPv6访问", "IPv6访问".
    ChromeRule(
        "footer-ipv6",
        r"(已|全面)?支持\s*IPv6(访问)?|IPv6\s*访问",
        "footer",
        ("本站已支持IPv6访问", "本站已支持IPv6訪問"),
        ("门户网站已在页面底部标注网站标识码和公网安备案编号，并全面支持IPv6访问，方便公众浏览。",),
        max_rest=12,
        flags=re.I,
    ),
    # A browser advice names a version or this site: matches "建议您使用IE9及以上版本浏览器访问本网站",
    # "建议使用IE6.0以上浏览器", "推荐使用谷歌浏览器访问本站"; not "建议群众使用手机浏览器查询。".
    ChromeRule(
        "footer-browser",
        r"(建议|推荐)[^。，]{0,8}(使用|采用)[^。，]{0,16}(IE|浏览器)[^。，]{0,16}"
        r"(以上|版本|访问本|浏览本|最佳)[^。，]{0,12}|IE\s*\d+\s*(\.0)?\s*(及|或)?以上[^。]{0,20}",
        "footer",
        (
            "建议您使用IE9及以上版本浏览器访问本网站 本站已支持IPv6访问",
            "建议使用IE6.0以上浏览器 1024*768分辨率浏览",
            "推荐使用谷歌浏览器访问本站",
        ),
        (
            "各县区交通运输局要加强门户网站建设。建议公众使用浏览器访问。全年网站访问量达到120万人次，较上年明显增长。",
            "建议群众使用手机浏览器查询。",
            "建议使用浏览器查询。",
        ),
        max_rest=12,
        flags=re.I,
    ),
    # Matches "服务监督热线:0558-12328 网站运维电话:0558-2560290".
    ChromeRule(
        "footer-ops-phone",
        r"(网站运维|网站维护|网站纠错|服务监督热线)[^:：]{0,4}\s*[:：]\s*[-\d ]{5,20}",
        "footer",
        ("服務(wù)監(jiān)督熱線:0558-12328 網(wǎng)站運(yùn)維電話:0558-2560290",),
        ("服务监督热线：0558-12328全年受理群众来电1200余件，办结率百分之百，群众满意率98%。",),
        max_rest=12,
        flags=re.I,
    ),
    # Footer links: matches "站点地图 | 联系我们 | OA登录", "网站地图".
    ChromeRule(
        "footer-nav",
        r"网站地图|站点地图|联系我们|关于我们|网站声明|隐私声明|免责声明|网站纠错|OA登录|帮助中心",
        "footer-nav",
        ("站點(diǎn)地圖 | 聯(lián)系我們 | OA登錄", "网站地图"),
        ("如有疑问请联系我们的政务公开办公室。", "网站地图 地址：某市某路1号"),
        max_rest=6,
    ),
    # Contact details, footer-ish only next to a footer marker: matches "地址：安徽省阜阳市阜南路9号" in
    # "地址：安徽省阜阳市阜南路9号 电话：0558-12328 皖ICP备19012406号-1".
    ChromeRule(
        "footer-contact",
        r"(地址|电话|传真|邮编|邮箱|联系电话)\s*[:：]\s*[-\d\u4e00-\u9fff()（）@.a-zA-Z ]{2,40}",
        "footer-contact",
        ("地址：安徽省阜阳市阜南路9号 电话：0558-12328 皖ICP备19012406号-1",),
        ("联系电话：0558-2567279", "地址：安徽省阜阳市阜南路9号"),
    ),
)
