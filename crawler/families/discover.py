"""Find a bureau's annual-report column from its homepage, for registry rows without `columns`.

Real portals link the column by its name (政府信息公开年报, 政府信息公开年度报告, 信息公开年报, 年度报告),
usually from the 政府信息公开 / 政务公开 hub rather than the homepage, so the spider looks at the homepage
and then at the hubs it links (two hops). Link text decides; URL hints (ndbg, xxgknb) only break ties.
Links whose text names a year are items (a report, a notice), never the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

__all__ = ["Candidate", "column_candidates", "hub_links"]

# Column names, best first.
COLUMN_NAMES = ("政府信息公开年报", "政府信息公开年度报告", "政府信息公开工作年度报告", "信息公开年报",
                "信息公开年度报告", "政务公开年报", "年度报告", "年报")  # fmt: skip
HUB_NAMES = (
    "政府信息公开",
    "政务公开",
    "信息公开",
    "法定主动公开内容",
    "政府信息公开目录",
    "信息公开目录",
)
# URL path segments portals give report columns: matches "/zwgk/ndbg/", "/xxgknb/", "/gknb/index.html".
_URL_HINT_RE = re.compile(r"/(?:ndbg|xxgknb|gknb|ndbb|zfxxgknb|xxgkndbg|nb)(?:/|_|\.|$)", re.I)
# A year in link text marks an item, not a column: matches "2023年", "2019年度", "二〇二〇年".
_YEAR_RE = re.compile(r"(?:19|20)\d{2}|[二][〇○零][一二三四五六七八九〇○零]{2}")
# Decoration around link text: matches "·", "【", "】", "»" and spaces.
_DECOR_RE = re.compile(r"[\s·•【】\[\]»>]+")


@dataclass(frozen=True)
class Candidate:
    url: str
    text: str
    score: int


def _links(html: str, base_url: str) -> list[tuple[str, str]]:
    host = urlsplit(base_url).netloc
    out = []
    for a in Selector(text=html).css("a[href]"):
        href = a.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href)
        if urlsplit(url).netloc != host:
            continue  # the column of another site (the provincial portal) is not this bureau's
        text = _DECOR_RE.sub("", a.xpath("normalize-space(.)").get("") or a.attrib.get("title", ""))
        out.append((url.split("#")[0], text))
    return out


def column_candidates(html: str, base_url: str) -> list[Candidate]:
    """Links that name an annual-report column, best first."""
    found: dict[str, Candidate] = {}
    for url, text in _links(html, base_url):
        if not text or len(text) > 16 or _YEAR_RE.search(text) or "解读" in text:
            continue
        score = 0
        for rank, name in enumerate(COLUMN_NAMES):
            if text == name:
                score = 100 - rank
                break
            if name in text:
                score = 50 - rank
                break
        if not score:
            continue
        if _URL_HINT_RE.search(urlsplit(url).path):
            score += 5
        if url not in found or found[url].score < score:
            found[url] = Candidate(url, text, score)
    return sorted(found.values(), key=lambda c: -c.score)


def hub_links(html: str, base_url: str, limit: int = 6) -> list[str]:
    """Links to the 政府信息公开 / 政务公开 hubs, where the report column usually sits."""
    out: list[str] = []
    for url, text in _links(html, base_url):
        if text in HUB_NAMES and url.rstrip("/") != base_url.rstrip("/") and url not in out:
            out.append(url)
    return out[:limit]
