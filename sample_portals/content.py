"""Everything the seven sample bureaus published in their report columns.

The seeds come first because they are evidence from real pages; the generated items around them give
each column the mix and depth real columns have (years of reports in both statutory templates,
解读, 工作要点, 指南 and notices), so list paging and classification meet realistic material.
"""

from __future__ import annotations

from sample_portals.attachment_items import ATTACHMENT_ITEMS, IMAGE_ITEMS
from sample_portals.bureaus import BUREAUS
from sample_portals.generate_more import more_items
from sample_portals.generate_reports import generated_items
from sample_portals.model import Item
from sample_portals.seeds import seed_items

# Where the renderer puts a hidden "mobile template" copy of part of the body, keyed by item title: real
# Hanweb pages carry such a second, hidden rendering, and an extractor must not keep it. Seed pages get
# none, because their naive scrape (the seed text) shows the body once.
MOBILE_DUPLICATE_FROM: dict[str, str] = {
    "临泉县交通运输局2023年政府信息公开工作年度报告": "（二）依申请公开。",
}

__all__ = ["ITEMS", "MOBILE_DUPLICATE_FROM", "build_items"]


def build_items() -> list[Item]:
    """Per bureau (in BUREAUS order), newest first, as the column lists them."""
    seeds = seed_items()
    items = seeds + generated_items(seeds) + more_items() + ATTACHMENT_ITEMS + IMAGE_ITEMS
    order = {b.id: i for i, b in enumerate(BUREAUS)}
    return sorted(items, key=lambda it: (order[it.bureau_id], _neg(it.published), it.title))


def _neg(published: str) -> tuple[int, ...]:
    """Newest first within a bureau without relying on a reversed sort of mixed keys."""
    digits = [int(x) for x in published.replace("-", " ").replace(":", " ").split()]
    return tuple(-d for d in digits)


ITEMS: list[Item] = build_items()
