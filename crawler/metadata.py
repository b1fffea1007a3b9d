"""Metadata the page states indirectly: the region behind a SiteIDCode, and whether a report was
published as pictures only (dates, in any spelling, are read by `crawler.dates` alone).

Every government site carries a 网站标识码 (SiteIDCode) whose first six digits are the administrative
division code of the site's owner, so a report can be placed on the map without a registry lookup. The
level follows from the code's pattern: xx0000 is a province, xxyy00 a prefecture-level city, anything
else a county; province names are a fixed table, city and county names are known only for codes we
have met (a name we do not know stays NULL rather than being guessed).
"""

from __future__ import annotations

import html as html_module
import re
from urllib.parse import urljoin

from archive.safeurl import page_link_refusal, refused_link

__all__ = ["PROVINCES", "image_only", "region_fields"]

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}  # fmt: skip

# City- and county-level codes of the bureaus we crawl (GB/T 2260).
PLACES = {
    "341200": "阜阳市", "341221": "临泉县", "220400": "辽源市", "430900": "益阳市",
    "360400": "九江市", "360483": "庐山市", "330500": "湖州市", "421000": "荆州市",
    "422800": "恩施土家族苗族自治州", "422802": "利川市", "410100": "郑州市", "430100": "长沙市",
}  # fmt: skip

# A SiteIDCode: ten digits, or "bm" + two digits + "000…" for central ministries; matches "3412000001"
# and "4100000033"; the region code is the first six.
_SITE_ID_RE = re.compile(r"^(\d{6})\d{4}$")


def region_fields(site_id_code: str | None) -> dict[str, str | None]:
    """{region_code, province, city, county} from a SiteIDCode; all None when it is not a region code."""
    out: dict[str, str | None] = dict.fromkeys(("region_code", "province", "city", "county"))
    m = _SITE_ID_RE.match((site_id_code or "").strip())
    if not m or m.group(1)[:2] not in PROVINCES:
        return out
    code = m.group(1)
    out["region_code"] = code
    out["province"] = PROVINCES[code[:2]]
    if code[2:] != "0000":
        out["city"] = PLACES.get(code[:4] + "00")
        if code[4:] != "00":
            out["county"] = PLACES.get(code)
    return out


# Images that are chrome, not content: matches "/images/logo.png", "jiucuo.png", "red_gh.png",
# "ewm.jpg" (二维码), "dzjg.png" (党政机关 badge), "icon-search.gif", "banner1.jpg".
_CHROME_IMG_RE = re.compile(
    r"logo|icon|banner|jiucuo|ewm|qrcode|erweima|dzjg|gh\.png|wza|bg[_.-]", re.I
)
# <img src=…> in the raw page: matches '<img src="/u/2020/p1.jpg"' and "<IMG alt=x src='a.png'".
_IMG_RE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)


def image_only(html: str, url: str, text: str, refused: list | None = None) -> list[str]:
    """The content images of a 图片版 report: non-empty only when the clean text is (almost) empty and the
    page shows images that are not logos, badges or QR codes. A source that is not http(s) as a browser
    reads it (`javascript:`, `data:`, `jav&#x09;ascript:`; archive/safeurl.py) is no image: it goes to
    `refused`, for crawl_errors, and is never fetched."""
    if len(re.sub(r"\s", "", text or "")) > 40:
        return []
    images = []
    for raw in _IMG_RE.findall(html or ""):
        src = html_module.unescape(raw)  # the raw page: entities are still encoded here
        if _CHROME_IMG_RE.search(src):
            continue
        full = urljoin(url, src)
        why = page_link_refusal(src, full)
        if why:
            if refused is not None:
                refused.append(refused_link(src, why))
            continue
        if full not in images:
            images.append(full)
    return images
