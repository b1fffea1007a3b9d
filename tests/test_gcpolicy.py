"""The crawl's collector settings (crawler/gcpolicy.py): set when the engine starts, put back when it stops,
with the collector's work in the crawl's stats; a wrong setting is refused with the setting's name. And what
the collector need not do: a handled page, and the rows read from it, are freed by their last reference,
not left in a reference cycle for a full pass."""

from __future__ import annotations

import asyncio
import gc
import weakref
from contextlib import contextmanager

import lxml.html
import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.families.rows import texts_outside
from crawler.gcpolicy import GcPolicy, ReleaseSelectorMiddleware, parse_thresholds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5000,20,50", (5000, 20, 50)),
        (" 700, 10 ,10", (700, 10, 10)),
        (["100", "2", "3"], (100, 2, 3)),
        ("", None),
        (None, None),
    ],
)
def test_thresholds_read(value, expected):
    assert parse_thresholds(value) == expected


@pytest.mark.parametrize("value", ["5000,20", "a,b,c", "0,10,10", "1,2,3,4"])
def test_wrong_thresholds_name_the_setting(value):
    with pytest.raises(ValueError, match="NIANBAO_GC_THRESHOLDS"):
        parse_thresholds(value)


def test_empty_setting_keeps_pythons_own():
    with pytest.raises(NotConfigured):
        GcPolicy.from_crawler(get_crawler(settings_dict={"NIANBAO_GC_THRESHOLDS": ""}))


def test_set_for_the_crawl_and_put_back():
    before = gc.get_threshold()
    crawler = get_crawler(settings_dict={"NIANBAO_GC_THRESHOLDS": "4000,15,40"})
    crawler.stats.open_spider()
    ext = GcPolicy.from_crawler(crawler)
    crawler.signals.send_catch_log(signals.engine_started)
    try:
        assert gc.get_threshold() == (4000, 15, 40)
        assert gc.get_freeze_count() > 0
        garbage = []
        garbage.append(garbage)  # a cycle, for the collector to find
        del garbage
        gc.collect()
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert ext._timed not in gc.callbacks
    stats = crawler.stats.get_stats()
    assert stats["nianbao/gc/collections/2"] >= 1
    assert stats["nianbao/gc/longest_pause_ms"] > 0


PAGE = (
    "<html><head><title>2023年政府信息公开工作年度报告</title></head><body><ul>"
    "<li><a href='/a.html'>交通运输局2023年年度报告</a><span>2024-01-20</span></li>"
    "</ul></body></html>"
).encode()


@contextmanager
def no_collector():
    """Only reference counts free anything inside: what a cycle holds stays."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _callback(response):
    yield {"title": response.css("title::text").get()}


async def _async_callback(response):
    yield {"title": response.xpath("//title/text()").get()}


def _page():
    from scrapy.http import HtmlResponse

    return HtmlResponse(url="http://127.0.0.1/col/index.html", body=PAGE, encoding="utf-8")


def test_a_handled_page_is_freed_by_its_last_reference():
    middleware = ReleaseSelectorMiddleware()
    with no_collector():
        response = _page()
        gone = weakref.ref(response)
        out = list(middleware.process_spider_output(response, _callback(response)))
        assert out == [{"title": "2023年政府信息公开工作年度报告"}]
        del response
        assert gone() is None

        # the async path, as Scrapy runs an async callback
        response = _page()
        gone = weakref.ref(response)

        async def consume(page):
            output = middleware.process_spider_output_async(page, _async_callback(page))
            return [x async for x in output]

        assert asyncio.run(consume(response)) == [{"title": "2023年政府信息公开工作年度报告"}]
        del response
        assert gone() is None

        # the control: without the middleware the page outlives its callback, held by its selector
        response = _page()
        kept = weakref.ref(response)
        assert list(_callback(response))
        del response
        assert kept() is not None
    gc.collect()
    assert kept() is None


def test_a_page_asked_for_its_selector_again_gets_one():
    middleware = ReleaseSelectorMiddleware()
    response = _page()
    list(middleware.process_spider_output(response, _callback(response)))
    assert response.css("span::text").get() == "2024-01-20"


def test_reading_a_row_leaves_no_cycle():
    """texts_outside walked the row with a nested function calling itself: a cycle that held the page's
    lxml tree until a full collection, once per row read."""
    doc = lxml.html.fromstring(PAGE)
    (li,) = doc.iter("li")
    with no_collector():
        assert texts_outside(li, li.find("a")) == ["2024-01-20"]
        assert gc.collect() == 0
