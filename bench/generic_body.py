"""How well pages of an unknown template are read: every golden page with no family rule allowed.

`python bench/generic_body.py`: each detail golden with a text (sample sites, tests/fixtures,
tests/corpus/hard) is extracted as if no family's body rule knew its markup (`find_body` finds nothing),
once by the page's own densest element (`dense-block`, what `extract_page` does for such a page) and once
by trafilatura (the fallback before it). Prints, for both, the mean character F1 against the golden text,
the share of golden lines found as lines (a paragraph folded into its neighbour, or a lost heading,
counts as missed) and the pages under F1 0.95. A figure to compare, never an assertion.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def pages() -> list[tuple[str, str, str, str]]:
    """(name, html, url, golden text) of every detail golden that states its own page's text."""
    from crawler.evaluate import expectations

    out = []
    for folder in ("sample_portals/sites", "tests/fixtures", "tests/corpus/hard"):
        for name, g in expectations(ROOT / folder).items():
            if "items" in g or not g.get("text") or "page_text" in g:
                continue
            html = (ROOT / folder / name).read_bytes().decode(g.get("encoding", "utf-8"))
            out.append((f"{folder}/{name}", html, g["url"], g["text"]))
    return out


def score(mode: str, items) -> tuple[float, float, list[tuple[float, str]]]:
    from textmetrics import char_f1

    import crawler.extract.page as page

    real_find, real_dense = page.find_body, page.dense_block
    page.find_body = lambda html, root, hidden, family=None: (None, None)
    if mode == "trafilatura":
        page.dense_block = lambda root, title="", start=None: None
    try:
        f1s, found, wanted, low = [], 0, 0, []
        for name, html, url, want in items:
            got = page.extract_page(html, url)["text"]
            f1 = char_f1(got, want)
            f1s.append(f1)
            lines = set(got.splitlines())
            want_lines = want.splitlines()
            found += sum(1 for line in want_lines if line in lines)
            wanted += len(want_lines)
            if f1 < 0.95:
                low.append((f1, name))
    finally:
        page.find_body, page.dense_block = real_find, real_dense
    return sum(f1s) / len(f1s), found / wanted, sorted(low)


def main() -> None:
    items = pages()
    print(f"{len(items)} golden pages read with no family rule")
    for mode in ("dense-block", "trafilatura"):
        f1, lines, low = score(mode, items)
        print(
            f"{mode:12} mean char F1 {f1:.4f}, golden lines found {lines:.4f}, pages under 0.95: {len(low)}"
        )
        for f, name in low[:5]:
            print(f"    {f:.3f} {name}")


if __name__ == "__main__":
    main()
