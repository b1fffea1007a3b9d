"""The archive in a real browser: Debian's Chromium driven by Selenium against Datasette on the crawled sample.

`make test` installs Chromium and its driver first (Makefile target `browser`), so a machine without them is
a broken set-up and this test fails rather than skips. Chromium runs headless with every background service
off and a fresh profile, so it never talks to anything but 127.0.0.1. Screenshots go to tests/artifacts/
(gitignored) for people to look at.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
import tempfile
import urllib.request
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
    """Reports whose normalized title or text contains the query: what both searches must count."""
    needle = normalize(query).lower()
    conn = sqlite3.connect(db)
    try:
        found = conn.execute("select title, text_normalized from reports_with_text").fetchall()
    finally:
        conn.close()
    return sum(
        needle in (t or "").lower() or needle in normalize(title).lower() for title, t in found
    )


def one(db: Path, sql: str, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def test_home_search_page_paging_and_export(browser, site, crawled_archive):
    wait = WebDriverWait(browser, 30)
    browser.get(site)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    box = wait.until(ec.presence_of_element_located((By.ID, "nb-q")))
    box.send_keys("交通")
    box.submit()
    count = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.nb-count")))
    expected = brute_force_count(crawled_archive, "交通")
    assert int(count.get_attribute("data-matches")) == expected > 20
    assert f"共 {expected} 份报告符合" in count.text
    results = browser.find_elements(By.CSS_SELECTOR, "li.nb-result")
    assert len(results) == 20
    dates = [r.get_attribute("data-published") for r in results]
    assert dates == sorted(dates, reverse=True), "newest 发布日期 first"
    marks = browser.find_elements(By.CSS_SELECTOR, ".nb-passage mark")
    assert marks and {m.text for m in marks} == {"交通"}
    shot(browser, "search-page")
    browser.find_element(By.CSS_SELECTOR, "a.nb-next").click()
    wait.until(lambda d: "page=2" in d.current_url)
    assert browser.find_elements(By.CSS_SELECTOR, "a.nb-prev")
    assert "第 2 / " in browser.find_element(By.CSS_SELECTOR, "p.nb-count").text
    shot(browser, "search-page-2")
    href = browser.find_element(By.CSS_SELECTOR, "a.nb-export-csv").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as resp:
        table = list(csv.DictReader(io.StringIO(resp.read().decode("utf-8"))))
    assert len(table) == expected and not any("<mark>" in r["snippet"] for r in table)


def test_table_search_box_finds_titles(browser, site, crawled_archive):
    wait = WebDriverWait(browser, 30)
    browser.get(f"{site}/archive/reports")
    box = wait.until(ec.presence_of_element_located((By.NAME, "_search")))
    assert browser.find_element(By.CSS_SELECTOR, "details.nb-columns").get_attribute("open") is None
    box.send_keys("图片版")
    box.submit()
    wait.until(lambda d: "_search=" in d.current_url)
    heading = browser.find_element(By.CSS_SELECTOR, "h3.nb-count").text
    assert heading.startswith(f"共 {brute_force_count(crawled_archive, '图片版')} 条"), heading
    kinds = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "td.col-kind")}
    assert kinds == {"年报"}
    shot(browser, "reports-table-search")


def test_report_page_reads_and_cites(browser, site, crawled_archive):
    wait = WebDriverWait(browser, 30)
    rid, title = one(
        crawled_archive,
        "select r.id, r.title from reports r join report_texts t on t.report_id = r.id "
        "where instr(t.text, '關(guān)') and r.id in (select report_id from disclosure_stats)",
    ) or one(
        crawled_archive, "select id, title from reports_with_text where instr(text, '關(guān)')"
    )
    browser.get(f"{site}/archive/reports/{rid}")
    h1 = wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert h1.text == title
    body = browser.find_element(By.CSS_SELECTOR, ".nb-report").text
    assert "關(guān)" not in body and "關于印發" in body
    cite = browser.find_element(By.ID, "nb-citation").text
    assert title in cite and f"/archive/reports/{rid}" in cite
    button = browser.find_element(By.CSS_SELECTOR, "button.nb-copy")
    button.click()
    wait.until(lambda d: button.get_attribute("data-copied") == "1")
    shot(browser, "report-repaired")
    browser.find_element(By.LINK_TEXT, "显示抽取原文").click()
    wait.until(lambda d: "_text=extracted" in d.current_url)
    assert "關(guān)" in browser.find_element(By.CSS_SELECTOR, ".nb-report").text

    # a report with statutory tables: merged headers as printed
    rid = one(
        crawled_archive, "select report_id from disclosure_stats where section = '三' limit 1"
    )[0]
    browser.get(f"{site}/archive/reports/{rid}#tables")
    header = wait.until(
        ec.presence_of_element_located(
            (By.XPATH, "//table[@data-section='三']//th[text()='申请人情况']")
        )
    )
    assert header.get_attribute("colspan") == "7"
    shot(browser, "report-tables")


def test_image_only_report_shows_its_images(browser, site, crawled_archive):
    rid = one(crawled_archive, "select id from reports where image_only = 1")[0]
    n = one(
        crawled_archive,
        "select count(*) from report_images where report_id = ? and path is not null",
        (rid,),
    )[0]
    browser.get(f"{site}/archive/reports/{rid}")
    images = WebDriverWait(browser, 30).until(
        lambda d: (
            (els := d.find_elements(By.CSS_SELECTOR, ".nb-images img"))
            and all(
                d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", e)
                for e in els
            )
            and els
        )
    )
    assert len(images) == n > 0
    shot(browser, "report-image-only")


def test_bureau_comparison_coverage_and_charts(browser, site, crawled_archive):
    wait = WebDriverWait(browser, 30)
    browser.get(f"{site}/archive/bureaus/henan-jtt")
    rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.nb-figures tr")))
    gaps = browser.find_elements(By.CSS_SELECTOR, "table.nb-figures tr.nb-gap")
    assert gaps and all("缺失" in g.text for g in gaps) and len(rows) > len(gaps) + 1
    shot(browser, "bureau")

    browser.get(f"{site}/-/compare")
    for bid in ["henan-jtt", "hunan-jtt"]:
        browser.find_element(By.CSS_SELECTOR, f"input[name=bureau][value='{bid}']").click()
    browser.find_element(By.NAME, "year").send_keys("2019,2020,2021")
    browser.find_element(By.CSS_SELECTOR, ".nb-compare-form input[type=submit]").click()
    cells = wait.until(
        ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.nb-compare tr"))
    )
    assert len(cells) == 1 + 2 * 3
    assert not any(re.search(r"\d\.0\b", c.text) for c in cells)
    shot(browser, "compare")

    browser.get(f"{site}/archive/coverage?status=late")
    statuses = wait.until(
        ec.presence_of_all_elements_located(
            (By.CSS_SELECTOR, "table.rows-and-columns td.col-status")
        )
    )
    late = one(crawled_archive, "select count(*) from coverage where status = 'late'")[0]
    assert len(statuses) == late > 0 and {s.text for s in statuses} == {"逾期"}
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
