"""The shapes of a family's detail-page rules: where its CMS puts the body, the title, the source.

A leaf module (standard library only), so that a family module can declare its rules as plain data and
`crawler.extract` can read them without either importing the other's logic. Rules are tried by tier:
every rule of the surest tier first (all containers of that tier pooled, the largest outermost one wins),
so that adding a family's rule never lets a weak guess beat another family's strong marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["TIERS", "BodyRule", "FieldRule", "Markers", "has_class", "has_id"]

# From surest to least sure: a CMS editor container, a CMS comment/meta pair, the print markers many
# CMSs write, a container name common to many sites, the one paragraph-rich cell of a table layout.
TIERS = ("container", "markers", "print-markers", "weak-container", "layout-cell")


def has_class(*names: str) -> str:
    """XPath predicate: the element carries one of these class tokens (whole tokens, not substrings)."""
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names
    )


def has_id(*ids: str) -> str:
    """XPath predicate: the element has one of these ids."""
    return " or ".join(f"@id='{i}'" for i in ids)


@dataclass(frozen=True)
class Markers:
    """A pair of markers in the page source around a region (comments or empty meta tags).

    `begin` and `end` are regular expressions over the raw page; `comment`, when set, is a regular
    expression matching the begin comment's own text, so a pair sitting in a hidden mobile copy of the
    page is skipped."""

    begin: str
    end: str
    comment: str | None = None

    @cached_property
    def region_re(self) -> re.Pattern[str]:
        return re.compile(f"{self.begin}(.*?){self.end}", re.S | re.I)

    @cached_property
    def comment_re(self) -> re.Pattern[str] | None:
        return re.compile(self.comment, re.I) if self.comment else None


@dataclass(frozen=True)
class BodyRule:
    """One way a family's pages hold their body: an XPath predicate (`xpath`, the part inside
    `//*[…]`), a marker pair (`markers`), or the table-layout cell search (`layout_cell`).
    `example` is markup of the family's pages the rule must find (tests/test_chrome_rules.py)."""

    name: str
    tier: str
    example: str
    xpath: str | None = None
    markers: Markers | None = None
    layout_cell: bool = False

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"body rule {self.name!r}: unknown tier {self.tier!r}")
        if sum((self.xpath is not None, self.markers is not None, self.layout_cell)) != 1:
            raise ValueError(f"body rule {self.name!r}: give exactly one of xpath/markers/layout")


@dataclass(frozen=True)
class FieldRule:
    """A field (`title`, `source`) a family's template writes between markers; read before the
    generic guesses (h1, <title>, a 来源： line) and after the page's own meta tags."""

    name: str
    field: str
    markers: Markers
    examples: tuple[tuple[str, str], ...] = field(default=())  # (markup, value it must yield)
