"""ms/page of our extraction vs bare trafilatura on the same pages, in one run.

`python bench/extract.py [--rounds N]`: every sample detail page plus the hard cases of tests/corpus/hard,
each extracted N times by `crawler.extract.extract_page` and by `trafilatura.bare_extraction` (metadata and
tables on, as `nianbao eval --baseline` runs it). Prints ms/page for both and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pages() -> list[tuple[str, str]]:
    """(html, url) of every sample detail page and hard-case page."""
    from crawler.evaluate import expectations

    out = []
    for folder in (ROOT / "sample_portals" / "sites", ROOT / "tests" / "corpus" / "hard"):
        for name, g in expectations(folder).items():
            out.append(((folder / name).read_bytes().decode(g.get("encoding", "utf-8")), g["url"]))
    return out


def timed(fn, items: list[tuple[str, str]], rounds: int) -> float:
    """Best-of-rounds ms/page, so a noisy moment on a shared machine does not decide the figure."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for html, url in items:
            fn(html, url)
        best = min(best, (time.perf_counter() - start) * 1000 / len(items))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import trafilatura

    from crawler.extract import extract_page

    def bare(html: str, url: str):
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_tables=True)

    items = pages()
    size = sum(len(h.encode("utf-8")) for h, _ in items) / len(items) / 1024
    # one warm-up pass each: imports, regex compilation and lru caches are not per-page costs
    timed(extract_page, items[:5], 1)
    timed(bare, items[:5], 1)
    ours = timed(extract_page, items, args.rounds)
    base = timed(bare, items, args.rounds)
    print(f"{len(items)} pages, {size:.1f} KB/page on average, best of {args.rounds} rounds")
    print(f"nianbao extract_page:   {ours:7.2f} ms/page ({1000 / ours:.1f} pages/s)")
    print(f"bare trafilatura:       {base:7.2f} ms/page ({1000 / base:.1f} pages/s)")
    print(f"ratio nianbao/trafilatura: {ours / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
