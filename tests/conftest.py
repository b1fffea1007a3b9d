"""Session fixtures: the real sample portals, one real crawl into a real archive, and the golden files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "sample_portals" / "sites"


def load_goldens() -> list[dict]:
    """Every golden file of the sample portals (`<name>.expected.json` beside the page `<name>.<ext>`),
    each with the path of the page it describes."""
    from crawler.evaluate import expectations

    return [{**data, "_page": str(SITES / name)} for name, data in expectations(SITES).items()]


@pytest.fixture(scope="session")
def goldens() -> list[dict]:
    found = load_goldens()
    assert found, f"no golden files under {SITES}: build them with `python -m sample_portals.build`"
    return found


@pytest.fixture(scope="session")
def portals():
    """The sample portals served for real on 127.0.0.1 for the whole session."""
    from sample_portals import server

    stop = server.start_in_thread()
    yield
    if stop:
        stop()


@pytest.fixture(scope="session")
def crawled_archive(portals, tmp_path_factory) -> Path:
    """One real `scrapy crawl bureaus` over every sample portal into a fresh archive file.

    The file is named archive.db so Datasette calls the database `archive`, as `make serve` does.
    """
    from nianbao.cli import run_crawl

    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    code = run_crawl(registry="sample", db=db, polite=False)
    assert code == 0, "scrapy crawl bureaus failed"
    return db


@pytest.fixture
def archive_copy(crawled_archive, tmp_path) -> Path:
    """A private copy of the crawled archive for tests that write to it."""
    dest = tmp_path / "archive.db"
    shutil.copy(crawled_archive, dest)
    return dest
