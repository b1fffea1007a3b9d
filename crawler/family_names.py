"""The CMS family names a registry row may give, in a leaf module: the registry validates against them
without importing the family modules (and Scrapy with them), so the distributed coordinator, which loads
the registry to seed the crawl, stays free of Scrapy. tests/test_imports.py holds this list equal to
crawler.families.ADAPTERS."""

from __future__ import annotations

__all__ = ["FAMILY_NAMES"]

FAMILY_NAMES: tuple[str, ...] = ("trs", "hanweb", "gkml", "jpaas", "legacy")
