"""Column lists no sample family renders: TRS site-group templates paged by a script object, and pages no
family recognises, read by the generic list reader; a column that yields nothing is a crawl error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.evaluate import detect_family, evaluate_dir, expectations
from crawler.families import ADAPTERS, FAMILIES, GENERIC, get_adapter, read_list
from crawler.families.base import CAP_KEY, STATE_KEY
from crawler.families.paging import script_paging
from crawler.registry import FAMILIES as REGISTRY_FAMILIES
from crawler.spiders.bureaus import EMPTY_LIST
from nianbao.cli import run_crawl
from sample_portals import hostile
from sample_portals.hostile import lists

LISTS = Path(__file__).parent / "fixtures" / "families" / "lists"
EXPECT = expectations(LISTS)


def _response(name: str, state: dict) -> HtmlResponse:
    url = EXPECT[name]["url"]
    body = (LISTS / name).read_bytes()
    request = Request(url, meta={STATE_KEY: state, "column_url": url})
    return HtmlResponse(url, body=body, encoding="utf-8", request=request)


def test_every_list_fixture_gives_every_item_and_nothing_else():
    scores = evaluate_dir(LISTS)
    assert len(scores) == len(EXPECT) >= 4  # an empty fixture folder fails, never passes
    for s in scores:
        assert s.kind == "list"
        assert (s.items_right, s.items_found) == (s.items_expected, s.items_expected), s.name


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_list_fixture_asks_for_every_announced_page_once(name):
    family = detect_family((LISTS / name).read_text(encoding="utf-8"), EXPECT[name]["url"])
    adapter = ADAPTERS.get(family, GENERIC)
    _, entries, follow = read_list(adapter, _response(name, {"family": family, "first": True}))
    urls = [r.url for r in follow]
    assert len(urls) == len(set(urls)) == EXPECT[name]["pages"] - 1
    assert EXPECT[name]["url"] not in urls
    if "next_pages" in EXPECT[name]:  # the addresses themselves, as the page's pager names them
        assert sorted(urls) == sorted(EXPECT[name]["next_pages"])
    assert len(entries) == len(EXPECT[name]["items"])


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_list_fixture_is_read_by_its_family(name):
    """Site-group templates are TRS, JCMS units Hanweb, unmarked pages no family (the generic reader)."""
    body = (LISTS / name).read_text(encoding="utf-8")
    assert detect_family(body, EXPECT[name]["url"]) == EXPECT[name]["family"]


def test_script_paging_shapes():
    assert (
        script_paging("var pageCount = 12; var pageSize = 20; var recordCount = 234;").pages == 12
    )
    assert script_paging('x = {"totalCount": 58, "pageSize": 15, "currentPage": 1}').pages == 4
    assert script_paging("var countPage = 4//共多少页").pages == 4
    call = script_paging("createPageHTML('page_div', 7, 0, 'list', 'htm', 130);")
    assert (call.pages, call.base, call.ext) == (7, "list", "htm")
    assert script_paging("var pageSize = 20; var recordCount = 20;") is None  # one page only
    assert script_paging("var count = 9;") is None


def test_a_script_counting_a_million_pages_builds_at_most_the_cap():
    name = "trs_group_pagecount.html"
    body = (LISTS / name).read_bytes().replace(b"pageCount = 12", b"pageCount = 1000000")
    url = EXPECT[name]["url"]
    request = Request(url, meta={STATE_KEY: {"family": "legacy", CAP_KEY: 5}, "column_url": url})
    response = HtmlResponse(url, body=body, encoding="utf-8", request=request)
    reader, entries, follow = read_list(get_adapter("legacy"), response)
    assert reader == "generic" and len(entries) == 20 and len(follow) == 5


def test_the_registry_validates_against_the_families_own_list():
    # the registry reads a leaf list (crawler/family_names.py, so loading it needs no Scrapy): the same names
    assert REGISTRY_FAMILIES == FAMILIES
    assert set(FAMILIES) == {"trs", "hanweb", "gkml", "jpaas", "legacy"}
    assert GENERIC.family not in FAMILIES


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists")
    portal = hostile.start_in_thread(port=0)
    try:
        registry = portal.write_registry(root / "hostile.yml")
        db = root / "archive.db"
        code = run_crawl(
            registry=str(registry), db=db, bureau="lists-group,lists-empty", polite=False
        )
        yield {"code": code, "db": db, "hits": dict(portal.hits)}
    finally:
        portal.stop()


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_site_group_column_registered_as_legacy_is_read_whole(crawled):
    assert crawled["code"] == 0
    titles = {
        t
        for (t,) in _rows(crawled["db"], "SELECT title FROM reports WHERE bureau_id='lists-group'")
    }
    want = {lists._title(n) for n in range(lists.GROUP_PAGES * lists.GROUP_PER_PAGE)}
    assert titles == want
    # the sidebar's dated links are no items: never fetched
    assert not [p for p in crawled["hits"] if p.startswith("/lists/group/xwdt/")]
    errors = _rows(crawled["db"], "SELECT url FROM crawl_errors WHERE bureau_id='lists-group'")
    assert errors == []


def test_a_column_without_items_is_a_crawl_error(crawled):
    rows = _rows(
        crawled["db"], "SELECT url, reason FROM crawl_errors WHERE bureau_id='lists-empty'"
    )
    assert [(u.endswith("/lists/empty/index.html"), r) for u, r in rows] == [(True, EMPTY_LIST)]
    assert _rows(crawled["db"], "SELECT id FROM reports WHERE bureau_id='lists-empty'") == []
