"""The crawl's collector settings (crawler/gcpolicy.py): set when the engine starts, put back when it stops,
with the collector's work in the crawl's stats; a wrong setting is refused with the setting's name."""

from __future__ import annotations

import gc

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.gcpolicy import GcPolicy, parse_thresholds


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
