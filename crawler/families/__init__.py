"""CMS family adapters: one per family, configured by registry rows, never one per site."""

from __future__ import annotations

from crawler.families.base import FamilyAdapter, ListEntry, canonical_url
from crawler.families.gkml import GkmlAdapter
from crawler.families.hanweb import HanwebAdapter
from crawler.families.jpaas import JpaasAdapter
from crawler.families.legacy import LegacyAdapter
from crawler.families.trs import TrsAdapter

__all__ = ["ADAPTERS", "FamilyAdapter", "ListEntry", "canonical_url", "get_adapter"]

ADAPTERS: dict[str, FamilyAdapter] = {
    a.family: a
    for a in (TrsAdapter(), HanwebAdapter(), GkmlAdapter(), JpaasAdapter(), LegacyAdapter())
}


def get_adapter(family: str) -> FamilyAdapter:
    try:
        return ADAPTERS[family]
    except KeyError:
        raise KeyError(
            f"no adapter for CMS family {family!r} (known: {', '.join(ADAPTERS)})"
        ) from None
