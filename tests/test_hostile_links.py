"""Portal content never runs in a reader's browser, and the server holds against odd requests.

The hostile case module `links` (sample_portals/hostile/links.py) is crawled for real: attachment, image and
list links that are script to a browser (`JavaScript:`, `java&#9;script:`, `data:`, `vbscript:`, …) must be
in crawl_errors and nowhere else in the archive, while the good PDF and image are kept. Datasette is then
started for real on that archive: pages and SQL results must show such values as text, every response
carries the Content-Security-Policy, POSTs are refused with 405, empty searches and bad page numbers show
the page, and the plugin's SQL functions bound their input. Last, real Chromium opens the hostile report
pages, the search page and the reports table, clicks every link a stored portal URL produced, and sees no
alert, no `window.__pwned` and no CSP violation.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import lxml.html
import pytest
from test_browser import CHROMIUM_FLAGS, chromium_paths
from ui_server import running_datasette

from archive.schema import report_id
from archive.search import MAX_MATCH_BYTES, MAX_QUERY_CHARS
from nianbao.cli import run_crawl
from sample_portals import hostile
from sample_portals.hostile import links

BUREAU = "links-trs"
ALLOWED_PATHS = {
    "/robots.txt",
    f"{links.PREFIX}index.html",
    links.REPORT_PATH,
    links.IMAGE_PATH,
    links.GOOD_PDF,
    links.GOOD_IMAGE,
}


def rows(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    portal = hostile.start_in_thread(port=0)
    root = tmp_path_factory.mktemp("links")
    db = root / "archive.db"  # Datasette names the database after the file: `archive`
    try:
        registry = portal.write_registry(root / "hostile.yml")
        code = run_crawl(registry=str(registry), db=db, bureau=BUREAU, polite=False)
        assert code == 0
        yield {"db": db, "portal": portal, "base": portal.base}
    finally:
        portal.stop()


@pytest.fixture(scope="module")
def site(crawl):
    with running_datasette(crawl["db"]) as base:
        yield base


def request(base: str, path: str, method: str = "GET", params: dict | None = None):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    req = urllib.request.Request(url, method=method, data=b"a=1" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def sql_json(base: str, sql: str) -> tuple[int, dict]:
    status, _, body = request(base, "/archive.json", params={"sql": sql})
    return status, json.loads(body)


# -- the crawl ---------------------------------------------------------------------------------------


def test_refused_links_are_recorded_and_never_fetched(crawl):
    db = crawl["db"]
    errors = dict(rows(db, "select url, reason from crawl_errors where bureau_id = ?", BUREAU))
    for url in [*links.REFUSED_ATTACHMENTS, *links.REFUSED_IMAGES]:
        assert url in errors, (url, errors)
        scheme = (
            "data" if url.startswith("data") else "vbscript" if "vbscript" in url else "javascript"
        )
        assert errors[url] == f"refused link scheme {scheme}:", (url, errors[url])
    # the list entries that were a data: document and a javascript: link
    reasons = {reason for url, reason in errors.items() if "7004" in url or url.startswith("data:")}
    assert "refused link scheme javascript:" in reasons and "refused link scheme data:" in reasons
    # nothing but the real pages and files was ever requested from the portal
    assert set(crawl["portal"].hits) <= ALLOWED_PATHS, crawl["portal"].hits


def test_archive_keeps_only_http_links_and_the_good_files(crawl):
    db = crawl["db"]
    base = crawl["base"]
    attachments = rows(
        db,
        "select a.url, a.type, a.text from attachments a join reports r on r.id = a.report_id "
        "where r.bureau_id = ?",
        BUREAU,
    )
    assert [(u, t) for u, t, _ in attachments] == [(base + links.GOOD_PDF, "pdf")]
    assert "86" in (attachments[0][2] or "")
    reports = dict(rows(db, "select url, images from reports where bureau_id = ?", BUREAU))
    assert set(reports) == {base + links.REPORT_PATH, base + links.IMAGE_PATH}
    assert json.loads(reports[base + links.IMAGE_PATH]) == [base + links.GOOD_IMAGE]
    images = rows(db, "select url, path from report_images")
    assert [u for u, _ in images] == [base + links.GOOD_IMAGE] and images[0][1]
    # every URL-holding column of every table: http(s) only
    conn = sqlite3.connect(db)
    try:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
            if table in ("crawl_errors",) or table.startswith("reports_fts"):
                continue
            cols = [c[1] for c in conn.execute(f"pragma table_info([{table}])")]
            for col in [c for c in cols if c in ("url", "images", "homepage", "column_url")]:
                for (value,) in conn.execute(f"select [{col}] from [{table}]"):
                    values = json.loads(value) if col == "images" and value else [value]
                    for v in values:
                        assert v is None or v.startswith(("http://", "https://")), (table, col, v)
    finally:
        conn.close()
    titles = {t for (t,) in rows(db, "select title from reports where bureau_id = ?", BUREAU)}
    assert titles == {links.REPORT_TITLE, links.IMAGE_TITLE}  # kept as text, exactly


# -- the server --------------------------------------------------------------------------------------


def _report_path(crawl, path: str) -> str:
    return f"/archive/reports/{report_id(crawl['base'] + path)}"


def test_report_page_escapes_and_links_only_http(crawl, site):
    status, headers, body = request(site, _report_path(crawl, links.REPORT_PATH))
    assert status == 200
    assert "&lt;script&gt;window.__pwned" in body
    tree = lxml.html.fromstring(body)
    assert not [s for s in tree.iter("script") if "__pwned" in (s.text or "")]
    assert not [e for e in tree.iter() if any(k.startswith("on") for k in e.attrib)]
    hrefs = [a.get("href") for a in tree.iter("a") if a.get("href")]
    assert crawl["base"] + links.GOOD_PDF in hrefs
    for href in hrefs:
        assert href.startswith(("http://", "https://", "/", "?", "#")), href


def test_sql_results_never_link_script(site):
    cases = {
        "'javascript:alert(1)'": "javascript:alert(1)",
        "'JavaScript:alert(1)//a.pdf'": "JavaScript:alert(1)//a.pdf",
        "'java' || char(9) || 'script:alert(1)'": "java\tscript:alert(1)",
        "'data:text/html,<script>alert(1)</script>'": "data:text/html,<script>alert(1)</script>",
    }
    for expr, value in cases.items():
        sql = f"select {expr} as url, 'x' as snippet, 'y' as title"
        status, _, body = request(site, "/archive", params={"sql": sql})
        assert status == 200, body[:300]
        tree = lxml.html.fromstring(body)
        cell = tree.cssselect("td.col-url")[0]
        assert not cell.cssselect("a"), lxml.html.tostring(cell)
        assert cell.text_content().strip() == value
    # a stored http link is still a link
    sql = "select 'https://example.gov.cn/a.pdf' as url, 'x' as snippet"
    _, _, body = request(site, "/archive", params={"sql": sql})
    cell = lxml.html.fromstring(body).cssselect("td.col-url")[0]
    assert [a.get("href") for a in cell.cssselect("a")] == ["https://example.gov.cn/a.pdf"]
    # markdown columns (datasette-render-markdown) drop script links too
    sql = "select '[x](javascript:alert(1))' as note_markdown"
    _, _, body = request(site, "/archive", params={"sql": sql})
    for a in lxml.html.fromstring(body).cssselect("td a"):
        assert not (a.get("href") or "").lower().startswith("javascript"), a.get("href")


def test_every_response_carries_the_policy(crawl, site):
    for path in ["/", "/archive/reports", "/archive/reports.json", "/archive/reports.csv",
                 _report_path(crawl, links.REPORT_PATH), "/-/static/app.css",
                 "/-/dashboards/nianbao", "/no/such/page"]:  # fmt: skip
        _, headers, _ = request(site, path)
        csp = {k.lower(): v for k, v in headers.items()}.get("content-security-policy", "")
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'self'" in script_src and "'unsafe-inline'" not in script_src, (path, csp)
        assert "object-src 'none'" in csp, (path, csp)


def test_post_is_refused_with_4xx(site):
    for path in ["/", "/archive", "/archive/reports", "/archive/search_reports",
                 "/archive/coverage_by_bureau", "/-/dashboards/nianbao"]:  # fmt: skip
        status, headers, _ = request(site, path, method="POST")
        assert status == 405, (path, status)


@pytest.mark.parametrize("q", ["", "   ", '"', '" "x'])
def test_empty_search_shows_the_form(site, q):
    status, _, body = request(site, "/archive/search_reports", params={"q": q})
    assert status == 200, (q, body[:300])
    assert lxml.html.fromstring(body).cssselect('input[name="q"]')
    status, _, body = request(site, "/archive/reports", params={"_search": q})
    assert status == 200, (q, body[:300])
    assert lxml.html.fromstring(body).cssselect('input[name="_search"]')


def test_bad_page_shows_the_first_page(site):
    def ids(page):
        status, _, body = request(
            site,
            "/archive/search_reports.json",
            params={"q": "险链", "page": page, "_shape": "array"},
        )
        assert status == 200, (page, body[:300])
        return [r["id"] for r in json.loads(body)]

    first = ids("1")
    assert len(first) == 2
    for page in ["abc", "-1", "99999999999999999999", "0", ""]:
        assert ids(page) == first, page
    assert ids("2") == []


def test_sql_functions_bound_their_input(site):
    # the query is read up to MAX_QUERY_CHARS: a term after that is not looked for
    query = "x" * MAX_QUERY_CHARS + " 交通"
    status, data = sql_json(site, f"select nianbao_snippet('交通运输局', '{query}') as s")
    assert status == 200 and data["rows"] == [["交通运输局"]], data
    status, data = sql_json(site, "select nianbao_snippet('交通运输局', '交通') as s")
    assert data["rows"] == [["<mark>交通</mark>运输局"]]
    # a MATCH string longer than the tokenizer takes is an error, not minutes in Python
    long_match = f"select count(*) from reports_fts where reports_fts match printf('\"%.*c\"', {MAX_MATCH_BYTES + 10}, 'x')"
    status, data = sql_json(site, long_match)
    assert status == 400 and not data["ok"], data
    # a 60 MB text is answered (the bench, bench/server_limits.py, times it)
    status, data = sql_json(
        site, "select length(nianbao_snippet(printf('%.*c', 60000000, 'x') || '交通', 'x')) as n"
    )
    assert status == 200 and data["rows"][0][0] > 0, data


# -- real Chromium -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = chromium_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="nianbao-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _nothing_ran(driver, where: str) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        pass
    else:
        pytest.fail(f"an alert ran on {where}: {text}")
    assert driver.execute_script("return window.__pwned === undefined"), where
    violations = [
        e["message"] for e in driver.get_log("browser") if "Content Security" in e["message"]
    ]
    assert not violations, (where, violations)


def test_chromium_runs_nothing_from_the_portal(crawl, site, browser):
    from selenium.webdriver.common.by import By

    portal = crawl["base"]
    pages = [
        _report_path(crawl, links.REPORT_PATH),
        _report_path(crawl, links.IMAGE_PATH),
        "/archive/search_reports?q=" + urllib.parse.quote("险链"),
        "/archive/reports",
        "/archive/reports?_search=" + urllib.parse.quote("险链"),
    ]
    clicked = 0
    for path in pages:
        browser.get(site + path)
        _nothing_ran(browser, path)
        # every link and image as the browser parsed it: http(s) only
        protocols = browser.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.protocol)"
            ".concat([...document.querySelectorAll('img[src]')].map(i => new URL(i.src).protocol))"
        )
        assert set(protocols) <= {"http:", "https:"}, (path, set(protocols))
        # click every link a stored portal URL made (original page, files, images), then come back
        count = len(browser.find_elements(By.CSS_SELECTOR, "a[href]"))
        for i in range(count):
            anchors = browser.find_elements(By.CSS_SELECTOR, "a[href]")
            if i >= len(anchors) or not anchors[i].get_attribute("href").startswith(portal):
                continue
            browser.execute_script("arguments[0].removeAttribute('target')", anchors[i])
            anchors[i].click()
            clicked += 1
            time.sleep(0.2)
            _nothing_ran(browser, f"{path} after clicking link {i}")
            browser.get(site + path)
        shown = browser.find_element(By.TAG_NAME, "body").text
        if "search" in path or path == pages[0]:
            assert links.REPORT_TITLE in shown, (path, shown[:500])  # the payload shown as text
    assert clicked >= 4  # the original pages, the PDF and the image


def test_chromium_pages_work_under_the_policy(crawl, site, browser):
    """The server's own inline scripts are hashed into the policy: the SQL editor, the dashboard's charts
    (vega) and every page load without a single CSP violation."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")  # start from an empty log
    for path in ["/", "/archive", "/archive?sql=select+1", f"/archive/bureaus/{BUREAU}",
                 "/archive/crawl_errors", "/-/compare"]:  # fmt: skip
        browser.get(site + path)
        _nothing_ran(browser, path)
    browser.get(site + "/archive?sql=select+1")
    assert browser.find_elements(By.CSS_SELECTOR, ".CodeMirror"), "the SQL editor did not start"
    browser.get(site + "/-/dashboards/nianbao")
    charts = WebDriverWait(browser, 60).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".vega-embed svg, .vega-embed canvas")) >= 3
    )
    assert charts
    _nothing_ran(browser, "/-/dashboards/nianbao")
