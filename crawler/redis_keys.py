"""The Redis keys of a distributed crawl, in a leaf module: the coordinator (crawler/distributed.py), which
writes the archive and never runs Scrapy, and the workers (crawler/spiders/bureaus_redis.py,
crawler/affinity.py) name the same keys without the coordinator importing Scrapy (≈ 25 MB it never uses)."""

from __future__ import annotations

__all__ = [
    "DISCOVERY_KEY",
    "DUPEFILTER_KEY",
    "ITEMS_KEY",
    "QUEUE_KEY",
    "SEEDED_KEY",
    "SEEDS_KEY",
    "SPIDER_NAME",
    "WORKER_STATS_KEY",
    "affinity_keys",
    "dupefilter_shards",
]

SPIDER_NAME = "bureaus_redis"
# Redis keys, all under the spider's name so one Redis can serve several crawls named differently.
SEEDS_KEY = f"{SPIDER_NAME}:start_urls"
QUEUE_KEY = f"{SPIDER_NAME}:requests"
DUPEFILTER_KEY = f"{SPIDER_NAME}:dupefilter"
ITEMS_KEY = f"{SPIDER_NAME}:items"
WORKER_STATS_KEY = f"{SPIDER_NAME}:worker_stats"
DISCOVERY_KEY = f"{SPIDER_NAME}:discovery:%s"
# set by the coordinator once every seed is pushed; a worker never stops before it exists
SEEDED_KEY = f"{SPIDER_NAME}:seeded"


def affinity_keys(spider_name: str) -> dict[str, str]:
    """The Redis keys of the host routing, all under the spider's name (cleared by the coordinator)."""
    return {
        "owners": f"{spider_name}:owners",
        "live": f"{spider_name}:live",
        "inbox": f"{spider_name}:inbox:",
        "orphans": f"{spider_name}:orphans",
        # worker -> requests it holds locally, so an idle worker (and the coordinator behind it) waits
        # while another one, maybe on another machine, still has work that may spill over
        "loads": f"{spider_name}:loads",
    }


def dupefilter_shards(key: str) -> str:
    """The Redis pattern of every host's hash of the shared dupefilter under `key` (crawler.affinity's
    CompactDupeFilter keeps one per host: `bureaus_redis:dupefilter:127.20.0.1`)."""
    return key + ":*"
