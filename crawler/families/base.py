"""What every CMS family adapter provides to the spider.

The spider knows nothing about any CMS: it asks the bureau's adapter for the first list requests of a
column, hands every list response back to it, and gets item entries plus further list requests. Adapters
return requests without callbacks; the spider attaches its own callbacks and bureau meta, so adapters stay
pure functions of HTML that tests can drive with a hand-written page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

    from crawler.registry import Bureau

__all__ = ["STATE_KEY", "FamilyAdapter", "ListEntry", "canonical_url", "normalize_date"]

# Request meta key under which an adapter keeps its own paging state between list pages.
STATE_KEY = "nianbao_list"

# List dates as portals print them: matches "2026/08/27", "2023-01-30", "2019.1.8", "2020年01月15日".
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class ListEntry:
    """One item of a column list: the detail page it links to, its full title and list date."""

    url: str
    title: str
    date: str | None  # YYYY-MM-DD


def normalize_date(text: str | None) -> str | None:
    """The first date in a list cell as YYYY-MM-DD; list cells often carry brackets or a time."""
    if not text:
        return None
    m = _DATE_RE.search(text)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def canonical_url(url: str) -> str:
    """One spelling per detail page, so list pages, mobile units and re-crawls agree on identity."""
    return canonicalize_url(url, keep_fragments=False)


class FamilyAdapter:
    """Base of the family adapters.

    A family provides: the requests that open a column (`column_requests`), the parsing of any list
    response it asked for (`parse_list`), and where the article body usually sits (`body_selectors`),
    a hint for extraction and for people debugging a new portal.
    """

    family: ClassVar[str] = ""
    body_selectors: ClassVar[tuple[str, ...]] = ()

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        raise NotImplementedError

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        raise NotImplementedError

    @staticmethod
    def state(response: Response) -> dict[str, Any]:
        return dict(response.meta.get(STATE_KEY) or {})

    @staticmethod
    def dedupe(entries: list[ListEntry]) -> list[ListEntry]:
        """Keep the first entry per canonical URL (the same item can sit in two units or groups)."""
        seen: set[str] = set()
        out = []
        for entry in entries:
            if entry.url not in seen:
                seen.add(entry.url)
                out.append(entry)
        return out
