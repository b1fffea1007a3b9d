"""Score extraction on a folder of saved pages against an `expect.json`, ours and bare trafilatura's.

A generic F1 hides what matters for an archive of reports: one lost sentence of a statutory table, one
footer line leaking into the text, a wrong date. So the expectations are exact strings: every
`must_include` must be in the clean text, no `must_exclude` may be, title and date must be equal. List
pages are scored with the CMS family adapter the page's own markup points at, the way the spider reads
them: precision and recall of (href, title, date) items.

The expectations are read from folder/expect.json, keyed by file name in the folder, and from every
`<name>.expected.json` below the folder, which holds the expectation of the page `<name>.<ext>` beside it
(the golden format of tests/fixtures/README.md; its other keys are ignored here):
  detail page: {"url"?, "title", "published", "must_include": [...], "must_exclude": [...], "encoding"?}
  list page:   {"url"?, "items": [{"title", "href", "date"}], "encoding"?}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PageScore",
    "detect_family",
    "evaluate_dir",
    "expectations",
    "list_entries",
    "score_detail",
]


@dataclass
class PageScore:
    name: str
    kind: str  # "detail" | "list"
    included: int = 0
    include_total: int = 0
    leaks: list[str] = field(default_factory=list)
    title_ok: bool | None = None
    date_ok: bool | None = None
    missing: list[str] = field(default_factory=list)
    got_title: str | None = None
    got_date: str | None = None
    items_found: int = 0  # list items the adapter returned
    items_right: int = 0  # of those, matching an expected item (href, title and date)
    items_expected: int = 0
    family: str | None = None


def _page_url(name: str, exp: dict) -> str:
    return exp.get("url") or f"http://127.0.0.1/corpus/{name}"


def _bare_trafilatura(html: str, url: str) -> dict[str, Any]:
    """What trafilatura alone makes of the page: the baseline our family rules are measured against."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_tables=True)
    if doc is None:
        return {"title": None, "published": None, "text": ""}
    return {"title": doc.title, "published": doc.date, "text": doc.text or ""}


def score_detail(name: str, html: str, exp: dict, baseline: bool = False) -> PageScore:
    from crawler.extract import extract_page

    url = _page_url(name, exp)
    got = (
        _bare_trafilatura(html, url)
        if baseline
        else extract_page(html, url, family=exp.get("family"))
    )
    text = got.get("text") or ""
    score = PageScore(name, "detail")
    # a page whose report text comes from its attachment or images (`page_text`) holds none of it itself
    must = [] if "page_text" in exp else exp.get("must_include") or []
    score.include_total = len(must)
    score.missing = [s for s in must if s not in text]
    score.included = len(must) - len(score.missing)
    score.leaks = [s for s in exp.get("must_exclude") or [] if s in text]
    score.got_title, score.got_date = got.get("title"), got.get("published")
    if "title" in exp:
        score.title_ok = score.got_title == exp["title"]
    if "published" in exp:
        score.date_ok = score.got_date == exp["published"]
    return score


def detect_family(body: str, url: str = "") -> str:
    """The CMS family a saved list page (or JSON list answer) belongs to, as the families themselves
    judge it (`detect` of each module in crawler/families/), or "generic" when none claims it."""
    from crawler.families import GENERIC
    from crawler.families import detect_family as families_detect

    return families_detect(body, url) or GENERIC.family


def list_entries(body: str, url: str) -> tuple[str, list]:
    """(reader, entries) of one saved list page, read as the spider reads it: the detected family's
    reader, then the generic list reader when the family finds nothing."""
    from scrapy import Request
    from scrapy.http import HtmlResponse, TextResponse

    from crawler.families import ADAPTERS, GENERIC, read_list
    from crawler.families.base import STATE_KEY

    family = detect_family(body, url)
    adapter = ADAPTERS.get(family, GENERIC)
    request = Request(url, meta={STATE_KEY: adapter.saved_state(body, url)})
    # an API answer is no HTML
    cls = TextResponse if body.lstrip()[:1] in ("{", "[") else HtmlResponse
    response = cls(url, body=body.encode("utf-8"), encoding="utf-8", request=request)
    reader, entries, _ = read_list(adapter, response)
    return (family if reader == family else f"{family}→{reader}"), entries


def score_list(name: str, body: str, exp: dict) -> PageScore:
    from archive.urls import canonical_url

    url = _page_url(name, exp)
    family, entries = list_entries(body, url)
    want = {
        (canonical_url(it["href"]), it["title"], it.get("date")) for it in exp.get("items") or []
    }
    got = {(e.url, e.title, e.date) for e in entries}
    score = PageScore(name, "list", family=family)
    score.items_found, score.items_expected = len(got), len(want)
    score.items_right = len(got & want)
    return score


EXPECTED = ".expected.json"


def expectations(folder: Path) -> dict[str, dict]:
    """Page path relative to folder → its expectation, from folder/expect.json and from each
    `<name>.expected.json` below folder (whose page is the one other file `<name>.*` beside it)."""
    folder = Path(folder)
    found: dict[str, dict] = {}
    if (folder / "expect.json").is_file():
        found.update(json.loads((folder / "expect.json").read_text(encoding="utf-8")))
    for path in sorted(folder.rglob("*" + EXPECTED)):
        stem = path.name.removesuffix(EXPECTED)
        pages = [p for p in path.parent.glob(stem + ".*") if p != path and p.stem == stem]
        if len(pages) != 1:
            raise ValueError(f"{path}: want one page {stem}.<ext> beside it, found {len(pages)}")
        found[pages[0].relative_to(folder).as_posix()] = json.loads(path.read_text("utf-8"))
    return found


def evaluate_dir(folder: Path, baseline: bool = False) -> list[PageScore]:
    """Every page with an expectation in folder, scored; list pages only by our adapters (no baseline)."""
    folder = Path(folder)
    expect = expectations(folder)
    scores = []
    for name in sorted(expect):
        exp = expect[name]
        body = (folder / name).read_bytes().decode(exp.get("encoding", "utf-8"))
        if "items" in exp:
            if not baseline:
                scores.append(score_list(name, body, exp))
            continue
        scores.append(score_detail(name, body, exp, baseline))
    return scores


def totals(scores: list[PageScore]) -> dict[str, Any]:
    details = [s for s in scores if s.kind == "detail"]
    lists = [s for s in scores if s.kind == "list"]
    inc = sum(s.include_total for s in details)
    titled = [s for s in details if s.title_ok is not None]
    dated = [s for s in details if s.date_ok is not None]
    found = sum(s.items_found for s in lists)
    expected = sum(s.items_expected for s in lists)
    right = sum(s.items_right for s in lists)
    return {
        "detail_pages": len(details),
        "list_pages": len(lists),
        "include_recall": sum(s.included for s in details) / inc if inc else 1.0,
        "leaks": sum(len(s.leaks) for s in details),
        "pages_with_leaks": sum(1 for s in details if s.leaks),
        "title_exact": sum(s.title_ok for s in titled) / len(titled) if titled else 1.0,
        "date_exact": sum(s.date_ok for s in dated) / len(dated) if dated else 1.0,
        "list_precision": right / found if found else (1.0 if not expected else 0.0),
        "list_recall": right / expected if expected else 1.0,
    }


def report(scores: list[PageScore], label: str) -> str:
    """Per-page lines then the totals, as `nianbao eval` prints them."""
    out = []
    for s in scores:
        if s.kind == "detail":
            flags = "title " + ("ok" if s.title_ok else "WRONG" if s.title_ok is False else "-")
            flags += ", date " + ("ok" if s.date_ok else "WRONG" if s.date_ok is False else "-")
            line = (
                f"{s.name}: include {s.included}/{s.include_total}, leaks {len(s.leaks)}, {flags}"
            )
            if s.missing:
                line += f"; missing {s.missing[:2]}"
            if s.leaks:
                line += f"; leaked {s.leaks[:2]}"
            if s.title_ok is False:
                line += f"; title {s.got_title!r}"
            if s.date_ok is False:
                line += f"; date {s.got_date!r}"
        else:
            line = (
                f"{s.name}: list ({s.family}) {s.items_right} right of {s.items_found} found, "
                f"{s.items_expected} expected"
            )
        out.append(line)
    t = totals(scores)
    out.append(
        f"TOTAL {label}: {t['detail_pages']} detail pages, must-include recall {t['include_recall']:.4f}, "
        f"leaks {t['leaks']} (on {t['pages_with_leaks']} pages), title exact {t['title_exact']:.4f}, "
        f"date exact {t['date_exact']:.4f}"
        + (
            f"; {t['list_pages']} list pages, item precision {t['list_precision']:.4f}, "
            f"recall {t['list_recall']:.4f}"
            if t["list_pages"]
            else ""
        )
    )
    return "\n".join(out)
