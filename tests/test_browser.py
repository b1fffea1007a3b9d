"""The archive in a real browser: Debian's Chromium driven by Selenium against Datasette on the crawled sample.

`make test` installs Chromium and its driver first (Makefile target `browser`), so a machine without them is
a broken set-up and this test fails rather than skips. Chromium runs headless with every background service
off and a fresh profile, so it never talks to anything but 127.0.0.1. Screenshots go to tests/artifacts/
(gitignored) for people to look at.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from ui_server import running_datasette

from archive.textnorm import normalize

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--window-size=1280,1600",
    "--lang=zh-CN",
]


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    assert browser and driver, (
        "Chromium missing: `make browser` (a dependency of `make test`) installs it"
    )
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = chromium_paths()
    profile = tempfile.mkdtemp(prefix="nianbao-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager (which would download a driver) is never consulted.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(crawled_archive):
    with running_datasette(crawled_archive) as base:
        yield base


def shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def brute_force_count(db: Path, query: str) -> int:
    needle = normalize(query).lower()
    conn = sqlite3.connect(db)
    try:
        texts = [r[0] or "" for r in conn.execute("select text_normalized from reports")]
    finally:
        conn.close()
    return sum(needle in t.lower() for t in texts)


def test_search_box_search_page_coverage_and_report_page(browser, site, crawled_archive):
    wait = WebDriverWait(browser, 30)

    # 1. The reports table's own search box: type, submit, count.
    browser.get(f"{site}/archive/reports")
    box = wait.until(ec.presence_of_element_located((By.NAME, "_search")))
    box.clear()
    box.send_keys("交通")
    box.submit()
    wait.until(lambda d: "_search=" in d.current_url)
    heading = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".table-wrapper, h3")))
    assert heading
    text = browser.find_element(By.TAG_NAME, "body").text
    m = re.search(r"([\d,]+) rows? where search matches", text)
    assert m, text[:2000]
    assert int(m.group(1).replace(",", "")) == brute_force_count(crawled_archive, "交通")
    shot(browser, "search-jiaotong")

    # 1b. The search page, reached from the home page's link: the same count, hits highlighted.
    browser.get(site)
    wait.until(ec.element_to_be_clickable((By.LINK_TEXT, "search page"))).click()
    box = wait.until(ec.presence_of_element_located((By.NAME, "q")))
    box.send_keys("交通")
    box.submit()
    marks = wait.until(
        ec.presence_of_all_elements_located((By.CSS_SELECTOR, "td.col-snippet mark"))
    )
    assert marks and {m.text for m in marks} == {"交通"}
    matches = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "td.col-matches")}
    assert matches == {str(brute_force_count(crawled_archive, "交通"))}
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")) == 20
    shot(browser, "search-page-jiaotong")

    # 2. The coverage view, filtered to late reports, and the dashboard with its three charts drawn.
    browser.get(f"{site}/archive/coverage?status=late")
    cells = wait.until(
        ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.rows-and-columns tbody tr"))
    )
    conn = sqlite3.connect(crawled_archive)
    try:
        from archive.search import register_tokenizer

        register_tokenizer(conn)
        late = conn.execute("select count(*) from coverage where status = 'late'").fetchone()[0]
    finally:
        conn.close()
    assert len(cells) == late > 0
    shot(browser, "coverage-late")

    browser.get(f"{site}/-/dashboards/nianbao")
    charts = WebDriverWait(browser, 60).until(
        lambda d: (
            (els := d.find_elements(By.CSS_SELECTOR, ".vega-embed svg, .vega-embed canvas"))
            and len(els) >= 3
            and els
        )
    )
    assert len(charts) >= 3
    shot(browser, "dashboard")

    # 3. A report page: title, paragraphs, statutory tables, link to the original.
    conn = sqlite3.connect(crawled_archive)
    try:
        rid, title, url = conn.execute(
            "select id, title, url from reports where id in (select report_id from disclosure_stats) "
            "order by year desc limit 1"
        ).fetchone()
    finally:
        conn.close()
    browser.get(f"{site}/archive/reports/{rid}")
    h1 = wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert h1.text == title
    assert len(browser.find_elements(By.CSS_SELECTOR, ".nb-report p")) >= 5
    assert browser.find_elements(By.CSS_SELECTOR, "table.nb-stats")
    assert browser.find_element(By.CSS_SELECTOR, "a.nb-original").get_attribute("href") == url
    shot(browser, "report")

    # 4. The bureau page lists its reports by year.
    browser.get(f"{site}/archive/bureaus/henan-jtt")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".nb-years h3")))
    shot(browser, "bureau")
