"""Every extraction golden of the project against what the code makes of its page: one format, one walk.

The format (tests/fixtures/README.md) is a saved page `<name>.<ext>` with `<name>.expected.json` beside
it. Goldens live beside the rendered sample portals (sample_portals/sites, written by the portal builder
from its content model), the hand-written fixtures (tests/fixtures, a list and a detail page for every
CMS family) and the hard cases (tests/corpus/hard); they are written by hand or from a model, never by
running the extractor. A golden with `items` is a list page, read as the spider reads it; any other is a
detail page, held to its record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textmetrics import char_f1

from archive.urls import canonical_url
from crawler.classify import classify
from crawler.evaluate import expectations, list_entries
from crawler.extract import extract_page
from crawler.families import FAMILIES, GENERIC
from sample_portals.bureaus import BY_ID

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "sites": ROOT / "sample_portals" / "sites",
    "fixtures": ROOT / "tests" / "fixtures",
    "hard": ROOT / "tests" / "corpus" / "hard",
}
# Fewer than this under a folder means goldens were lost (a rename, a glob that no longer matches).
AT_LEAST = {"sites": 100, "fixtures": 50, "hard": 9}
GOLDENS = [
    (folder, name, exp)
    for folder, path in FOLDERS.items()
    for name, exp in (expectations(path) if path.is_dir() else {}).items()
]
DETAILS = [g for g in GOLDENS if "items" not in g[2]]
LISTS = [g for g in GOLDENS if "items" in g[2]]
# The record fields a golden may state (tests/fixtures/README.md); each one it states is compared.
RECORD_FIELDS = (
    "title",
    "published",
    "year",
    "site_name",
    "site_id_code",
    "column_name",
    "source",
    "index_no",
    "publisher",
    "written_date",
    "doc_no",
    "attachments",
    "refused_links",
)


def _id(golden: tuple[str, str, dict]) -> str:
    return f"{golden[0]}/{golden[1]}"


def _page(folder: str, name: str, exp: dict) -> str:
    return (FOLDERS[folder] / name).read_bytes().decode(exp.get("encoding", "utf-8"))


def _family(folder: str, name: str, exp: dict) -> str | None:
    """The family a golden names, or for a rendered sample page its portal's (the registry's)."""
    if exp.get("family"):
        return exp["family"]
    if folder == "sites":
        bureau = BY_ID.get(name.split("/")[0])
        return bureau.family if bureau else None
    return None


def _same(got, want) -> bool:
    """null and "" both say the page names no such field; anything else must be equal."""
    return (got if got != "" else None) == (want if want != "" else None)


def test_goldens_are_there():
    """An empty parametrization passes silently (pytest skips it): too few goldens is a failure."""
    counts = {folder: sum(1 for g in GOLDENS if g[0] == folder) for folder in FOLDERS}
    short = {f: n for f, n in counts.items() if n < AT_LEAST[f]}
    assert not short, f"goldens per folder {counts}, want at least {AT_LEAST}"
    assert len(LISTS) >= len(FAMILIES) + 1 and len(DETAILS) >= 145


@pytest.mark.parametrize("family", [*FAMILIES, GENERIC.family])
def test_every_family_has_a_list_and_a_detail_golden(family):
    """Adding a family means adding its pages: list and detail fixture under tests/fixtures/families."""
    folder = FOLDERS["fixtures"] / "families" / family
    found = expectations(folder) if folder.is_dir() else {}
    kinds = sorted("list" if "items" in exp else "detail" for exp in found.values())
    assert kinds == ["detail", "list"], f"{folder}: {kinds}"
    assert all(exp.get("family") == family for exp in found.values())


# Every detail golden read with no family, and again with its family first where it has one.
DETAIL_RUNS = [(g, None) for g in DETAILS] + [
    (g, f) for g in DETAILS if (f := _family(g[0], g[1], g[2])) is not None
]


def test_family_first_runs_are_there():
    """Every hand-written fixture and sample-site golden says its family (hard cases may not)."""
    named = {_id(g) for g, f in DETAIL_RUNS if f is not None}
    unnamed = [_id(g) for g in DETAILS if _id(g) not in named and g[0] != "hard"]
    assert not unnamed and len(named) >= 130, unnamed


@pytest.mark.parametrize(
    ("golden", "family"),
    DETAIL_RUNS,
    ids=[f"{_id(g)}-{f or 'any-family'}" for g, f in DETAIL_RUNS],
)
def test_detail_golden(golden, family):
    """The crawl passes the registry row's family (its rules first); `nianbao eval` and reextract of an
    unknown page do not: both must give the golden."""
    folder, name, exp = golden
    html = _page(folder, name, exp)
    got = extract_page(html, exp["url"], family)
    for key in (k for k in RECORD_FIELDS if k in exp):
        assert _same(got.get(key), exp[key]), f"{key}: got {got.get(key)!r}, want {exp[key]!r}"
    # An attachment-only or 图片版 page says nothing itself: its report text (`text`) comes from the
    # file or the images, which the crawl tests check; the page must yield only its `page_text`.
    own = "page_text" not in exp
    want = exp["page_text"] if not own else exp.get("text")
    if want is not None:
        if "text_f1" in exp:
            f1 = char_f1(got["text"], want)
            assert f1 >= exp["text_f1"], f"char F1 {f1:.4f}"
        else:
            assert got["text"] == want
    lost = [s for s in exp.get("must_include", []) if own and s not in got["text"]]
    assert not lost, f"lost: {lost}"
    leaked = [s for s in exp.get("must_exclude", []) if s in got["text"]]
    assert not leaked, f"chrome left: {leaked}"
    if exp.get("image_only"):  # 图片版: the page's content images are found, and no others
        from crawler.metadata import image_only

        assert image_only(html, exp["url"], got["text"]) == exp["images"]
    if "kind" in exp:  # the classify pipeline step runs on what extract_page returns
        assert classify(got["title"], got["text"])[0] == exp["kind"]


@pytest.mark.parametrize("golden", LISTS, ids=_id)
def test_list_golden(golden):
    """Read through the family detection and list reading the spider uses: every item, nothing else."""
    folder, name, exp = golden
    reader, entries = list_entries(_page(folder, name, exp), exp["url"])
    if "family" in exp:
        assert reader.split("→")[0] == exp["family"]
    want = [(canonical_url(it["href"]), it["title"], it.get("date")) for it in exp["items"]]
    got = [(e.url, e.title, e.date) for e in entries]
    assert sorted(got) == sorted(want)
    assert len(got) == len(set(got)), "an item read twice"
