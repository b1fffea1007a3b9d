"""One memory-heavy child process at a time: document readers and OCR take turns.

The crawl's memory budget is for its whole process tree (bench/hostile.py: ≤ 500 MB). A document reader
may grow to its address-space limit (256 MB) and the OCR process holds its models plus the page being
read (≈ 220 MB); with the crawl itself (≈ 200 MB) the three together went past the budget when a
scanned page was read while a PDF bomb was being refused. So every heavy child runs under `LOCK`, and
before OCR starts, idle reader processes (kept for reuse, up to half their limit in size) are let go
through the callbacks registered with `on_make_room`. This module is a leaf: the crawler registers its
reader pool here, the archive's OCR calls `make_room`, and neither imports the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["LOCK", "make_room", "on_make_room"]

LOCK = threading.RLock()
_RELEASERS: list[Callable[[], None]] = []


def on_make_room(release: Callable[[], None]) -> None:
    """Register a callback that ends idle heavy processes; it is called with LOCK held."""
    if release not in _RELEASERS:
        _RELEASERS.append(release)


def make_room() -> None:
    """End every idle heavy process before starting another; call with LOCK held."""
    for release in list(_RELEASERS):
        release()
