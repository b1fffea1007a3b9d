"""crawler.progress.BureauLogStats on a real Scrapy crawler, fed through Scrapy's own signals."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from scrapy import Request, signals
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.progress import BureauLogStats


def make(interval=60.0):
    crawler = get_crawler(settings_dict={"NIANBAO_PROGRESS_INTERVAL": interval})
    return crawler, BureauLogStats.from_crawler(crawler)


def send_page(crawler, spider, bureau):
    req = Request("http://127.0.0.1/x", meta={"bureau_id": bureau})
    resp = HtmlResponse(req.url, body=b"<html></html>", request=req)
    crawler.signals.send_catch_log(
        signals.response_received, response=resp, request=req, spider=spider
    )


def test_counts_per_bureau_and_rates(caplog):
    crawler, ext = make(interval=30.0)
    spider = SimpleNamespace(bureaus=[SimpleNamespace(id="a"), SimpleNamespace(id="b")])
    for _ in range(3):
        send_page(crawler, spider, "a")
    send_page(crawler, spider, "b")
    crawler.signals.send_catch_log(
        signals.item_scraped,
        item={"bureau_id": "a", "kind": "annual_report"},
        response=None,
        spider=spider,
    )
    crawler.signals.send_catch_log(
        signals.item_scraped, item={"bureau_id": "b", "kind": "guide"}, response=None, spider=spider
    )
    lines = ext.progress_lines()
    assert lines == [
        "a: 3 pages (6 pages/min), 1 items (2 items/min), 1 annual reports",
        "b: 1 pages (2 pages/min), 1 items (2 items/min), 0 annual reports",
    ]
    # rates are per interval: nothing new since the last line means 0/min
    send_page(crawler, spider, "a")
    assert (
        ext.progress_lines()[0]
        == "a: 4 pages (2 pages/min), 1 items (0 items/min), 1 annual reports"
    )
    with caplog.at_level(logging.WARNING, logger="crawler.progress"):
        ext.spider_closed(spider, "finished")
    assert crawler.stats.get_value("nianbao/bureaus_without_report") == ["b"]
    assert "no annual report found for 1 bureau(s): b" in caplog.text


def test_registered_in_project_settings():
    from scrapy.utils.project import get_project_settings

    exts = get_project_settings().getdict("EXTENSIONS")
    assert "crawler.progress.BureauLogStats" in exts
