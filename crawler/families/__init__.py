"""CMS family adapters: one per family, configured by registry rows, never one per site.

`ADAPTERS` is the one list of families: the registry validates a row's `family` against it, detection
asks each of them how sure it is that a page is its own, and `read_list` falls back on the generic
list reader when the family finds nothing on a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.families.base import STATE_KEY, FamilyAdapter, ListEntry, canonical_url
from crawler.families.generic import GenericAdapter
from crawler.families.gkml import GkmlAdapter
from crawler.families.hanweb import HanwebAdapter
from crawler.families.jpaas import JpaasAdapter
from crawler.families.legacy import LegacyAdapter
from crawler.families.trs import TrsAdapter
from crawler.families.written import with_written_html

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

__all__ = [
    "ADAPTERS",
    "FAMILIES",
    "GENERIC",
    "FamilyAdapter",
    "ListEntry",
    "canonical_url",
    "detect_family",
    "get_adapter",
    "read_list",
]

ADAPTERS: dict[str, FamilyAdapter] = {
    a.family: a
    for a in (TrsAdapter(), HanwebAdapter(), GkmlAdapter(), JpaasAdapter(), LegacyAdapter())
}
FAMILIES: tuple[str, ...] = tuple(ADAPTERS)
# The reader of last resort; not a family a registry row may name.
GENERIC = GenericAdapter()


def get_adapter(family: str) -> FamilyAdapter:
    try:
        return ADAPTERS[family]
    except KeyError:
        raise KeyError(
            f"no adapter for CMS family {family!r} (known: {', '.join(ADAPTERS)})"
        ) from None


def detect_family(body: str, url: str = "") -> str | None:
    """The family surest that a saved list page is its own (first in `ADAPTERS` on a tie), or None
    when none claims it: then only the generic reader can read it."""
    best, score = None, 0.0
    for name, adapter in ADAPTERS.items():
        s = adapter.detect(body, url)
        if s > score:
            best, score = name, s
    return best


def read_list(
    adapter: FamilyAdapter, response: Response
) -> tuple[str, list[ListEntry], list[Request]]:
    """(reader, entries, follow-ups) of one list page: the family's reader, and when it finds nothing at
    all (no item, no further request), the generic list reader; pages the generic reader asked for stay
    with it."""
    response = with_written_html(response)  # rows a script writes are rows of the page
    state = response.meta.get(STATE_KEY) or {}
    if state.get("reader") == GENERIC.family:
        return (GENERIC.family, *GENERIC.parse_list(response))
    entries, follow = adapter.parse_list(response)
    if entries or (follow and not _holds_list(response)):
        return (adapter.family, entries, follow)
    # The family found no row (its pager may still have spoken): the generic reader reads the rows, and
    # the family's own page requests are kept beside the generic reader's.
    first = state.get("first", response.meta.get("column_url", response.url) == response.url)
    found, more = GENERIC.parse_list(response, first=bool(first))
    if not found and not more:
        return (adapter.family, entries, follow)
    urls = {r.url for r in follow}
    return (GENERIC.family, found, follow + [r for r in more if r.url not in urls])


def _holds_list(response: Response) -> bool:
    """Whether an HTML page shows dated links at all (a JSON-fed shell does not)."""
    return hasattr(response, "selector") and "<a" in response.text
