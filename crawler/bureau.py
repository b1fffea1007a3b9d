"""One bureau of the registry, as the crawl carries it: a leaf module.

The families, the page budget and the spiders all take a `Bureau`; the registry builds and validates them
and needs the families' list to do so. Kept apart, the families can name the type without importing the
registry that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["Bureau"]


@dataclass(frozen=True, slots=True)
class Bureau:
    id: str
    name: str
    level: str
    province: str
    region_code: str
    homepage: str
    family: str
    columns: tuple[str, ...] = ()
    verified: bool = False
    allow_loopback: bool = False  # the portal runs on this machine (sample and test portals only)
    # A read-only mapping is not hashable; leave it out of the hash, bureaus are identified by id anyway.
    overrides: MappingProxyType = field(
        default_factory=lambda: MappingProxyType({}), hash=False, compare=False
    )

    def override(self, key: str, default: Any = None) -> Any:
        return self.overrides.get(key, default)

    def as_row(self) -> dict[str, Any]:
        """The shape of the archive's `bureaus` table (columns as a list; the archive stores JSON)."""
        return {
            "id": self.id,
            "name": self.name,
            "level": self.level,
            "province": self.province,
            "region_code": self.region_code,
            "homepage": self.homepage,
            "family": self.family,
            "columns": list(self.columns),
            "verified": self.verified,
        }
