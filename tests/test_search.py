"""Chinese search: the tokenizer's tokens and offsets, recall equal to a brute-force substring count, the same
through Datasette's own search box started for real, and no noise on stderr when connections close."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlitefts import fts5

from archive.db import open_db
from archive.search import CJKCharTokenizer, count, search, snippet
from archive.textnorm import normalize

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["路", "交通", "年报", "政府信息公开", "关于", "關於", "ICP"]
# punctuation: answered through the pair tokens ("件，"), or the bare mark at a phrase's start ("，关于")
QUERIES += ["件，", "年报，", "报告。", "（一）", "《条例》", "，关于", "。", "报，关", "，的"]


def _load_bench():
    # bench/ is not a package; its generator and Datasette runner are shared with these tests.
    spec = importlib.util.spec_from_file_location(
        "nianbao_bench_search", ROOT / "bench" / "search.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def brute_force(records: list[dict], query: str) -> int:
    """Rows whose normalized title or text contains the normalized query, case-folded."""
    needle = normalize(query).casefold()
    return sum(
        1
        for r in records
        if needle in normalize(r["text"]).casefold() or needle in normalize(r["title"]).casefold()
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A few hundred generated reports in a real archive file named archive.db."""
    records = bench.generate_reports(400, seed=11)
    path = tmp_path_factory.mktemp("search") / "archive.db"
    bench.build_archive(path, records).close()
    return path, records


def test_tokens_and_byte_offsets():
    tk = CJKCharTokenizer()
    text = "關於 ICP\u3000交通  é\n路𠀋"
    tokens = list(tk.tokenize(text))
    assert [t for t, _, _ in tokens] == [
        "关",
        "于",
        " ",
        "i",
        "c",
        "p",
        " ",
        "交",
        "通",
        " ",
        "é",
        " ",
        "路",
        "𠀋",
    ]
    raw = text.encode("utf-8")
    for token, begin, end in tokens:
        piece = raw[begin:end].decode("utf-8")
        if token == " ":
            assert piece and piece.isspace()
        else:
            assert len(piece) == 1
    assert tokens[-1][2] == len(raw)
    # Full-width letters fold as textnorm folds them.
    assert [t for t, _, _ in tk.tokenize("ＩＣＰ")] == ["i", "c", "p"]


def test_punctuation_pairs_in_documents_and_queries():
    """Two adjacent characters, one a mark, are indexed as the pair at the first one's position; a query
    asks for the pairs and leaves out a mark that ends it after a character."""
    tk = CJKCharTokenizer(pairs=True)
    co = fts5.FTS5_TOKEN_COLOCATED
    doc = [(t.decode(), b, e, f) for t, b, e, f in tk.spans("件，數 ，")]
    assert doc == [
        ("件", 0, 3, 0),
        ("件，", 0, 6, co),
        ("，", 3, 6, 0),
        ("，数", 3, 9, co),
        ("数", 6, 9, 0),
        (" ", 9, 10, 0),
        ("，", 10, 13, 0),  # after a space: no pair
    ]

    def query(text):
        return [t.decode() for t, _, _, f in tk.spans(text, query=True) if not f]

    assert query("件，") == ["件，"]
    assert query("年报，") == ["年", "报，"]
    assert query("件，數") == ["件，", "，数", "数"]
    assert query("（一）") == ["（一", "一）"]
    assert query("，") == ["，"]
    assert query("交通") == ["交", "通"]
    # emit() hands SQLite exactly what spans() describes, in both modes
    for text in ["件，數 ，", "（一）主动公开。", "，关于", "ICP备 2019年"]:
        for q in (False, True):
            got: list[tuple] = []

            def x_token(ctx, flags, token, n, begin, end, got=got):
                got.append((token, begin, end, flags))
                return 0

            tk.emit(text, x_token, None, q)
            assert got == list(tk.spans(text, q))
    # the tokenizer migrations 1-11 name has no pairs
    assert [t for t, *_ in CJKCharTokenizer().spans("件，")] == ["件".encode(), "，".encode()]


def test_phrase_does_not_cross_a_space(tmp_path):
    from archive.ingest import Archive

    a = Archive(tmp_path / "archive.db")
    a.save_report(
        {"bureau_id": "b", "url": "http://127.0.0.1/1", "title": "t", "text": "交 通运输"}
    )
    a.save_report({"bureau_id": "b", "url": "http://127.0.0.1/2", "title": "t", "text": "交通运输"})
    assert count(a.db, "交通") == 1
    assert count(a.db, "通运") == 2
    assert count(a.db, "交 通") == 2  # two terms, each found: what Datasette's search box does
    hits = search(a.db, "關於交通", 5) + search(a.db, "交通", 5)
    assert [h["url"] for h in hits] == ["http://127.0.0.1/2"]
    assert "【交通】" in hits[0]["snippet"]
    a.close()


@pytest.mark.parametrize("query", QUERIES)
def test_fts_count_equals_brute_force(generated, query):
    path, records = generated
    db = open_db(path)
    want = brute_force(records, query)
    assert 0 < want < len(records) or query == "路"
    assert count(db, query) == want
    db.conn.close()


def test_no_noise_on_stderr_when_connections_close(generated, tmp_path):
    """Connections closed explicitly, by garbage collection and at interpreter exit stay silent."""
    path, _ = generated
    script = f"""
import sqlite3, gc
from archive.db import open_db
from archive.search import register_tokenizer, count
db = open_db({str(path)!r})
assert count(db, "交通") > 0
def scoped():
    c = sqlite3.connect({str(path)!r})
    register_tokenizer(c)
    c.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\\"路\\"'").fetchone()
    c.close()
scoped()
c2 = sqlite3.connect({str(path)!r}); register_tokenizer(c2)
c2.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\\"路\\"'").fetchone()
del c2
gc.collect()
leak = sqlite3.connect({str(path)!r}); register_tokenizer(leak)
leak.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\\"路\\"'").fetchone()
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert done.stderr == ""


@pytest.fixture(scope="module")
def datasette(generated):
    path, _ = generated
    server = bench.Datasette(path)
    with server:
        yield server
    noise = [
        line for line in server.stderr.splitlines() if line.strip() and not line.startswith("INFO:")
    ]
    assert not noise, noise


def all_rows(ds, query: str) -> tuple[int, list[dict]]:
    """Page through the JSON API, as a user exporting a search would."""
    params = {"_search": query, "_shape": "objects", "_size": "max"}
    data = ds.get_json("/archive/reports.json", **params)
    total = data["filtered_table_rows_count"]
    rows = list(data["rows"])
    while data.get("next"):
        data = ds.get_json("/archive/reports.json", **params, _next=data["next"])
        rows.extend(data["rows"])
    return total, rows


@pytest.mark.parametrize("query", QUERIES)
def test_datasette_search_box_equals_brute_force(datasette, generated, query):
    _, records = generated
    total, rows = all_rows(datasette, query)
    want = brute_force(records, query)
    assert total == want
    assert len(rows) == want
    assert len({r["id"] for r in rows}) == want


def test_datasette_html_page_and_metadata(datasette):
    url = datasette.base + "/archive/reports?" + urllib.parse.urlencode({"_search": "關於"})
    with urllib.request.urlopen(url, timeout=30) as resp:
        html = resp.read().decode()
    assert 'name="_search"' in html
    assert "search matches" in html
    tables = {t["name"]: t for t in datasette.get_json("/archive.json")["tables"]}
    # the index's content is the report_search view (title + text), so metadata.yml names it for Datasette
    reports_meta = datasette.get_json("/-/metadata.json")["databases"]["archive"]["tables"][
        "reports"
    ]
    assert reports_meta["fts_table"] == "reports_fts"
    for hidden in ["_migrations", "reports_fts", "reports_fts_data", "reports_fts_config"]:
        assert tables[hidden]["hidden"], hidden
    assert not tables["reports"]["hidden"]
    meta = datasette.get_json("/-/metadata.json")
    assert meta["title"].startswith("nianbao")
    reports = meta["databases"]["archive"]["tables"]["reports"]
    assert reports.get("searchmode") != "raw"
    # Datasette labels bureau links by name.
    data = datasette.get_json("/archive/reports.json", _size="1", _labels="on", _shape="objects")
    names = {row["id"]: row["name"] for row in bench.bureau_rows()}
    assert data["rows"][0]["bureau_id"]["label"] == names[data["rows"][0]["bureau_id"]["value"]]


def test_datasette_immutable_mode(generated):
    """`datasette -i` opens the file through other connections; search must work there too."""
    path, records = generated
    server = bench.Datasette(path, immutable=True)
    with server:
        data = server.get_json("/archive/reports.json", _search="交通", _size="1")
        assert data["filtered_table_rows_count"] == brute_force(records, "交通")


def test_snippet_marks_every_hit_in_a_window_around_the_first():
    text = "前言" * 30 + "本机关交通运输工作。交通运输局ICP备案" + "后记" * 30
    got = snippet(text, "交通")
    assert got.startswith("…") and got.endswith("…")
    assert got.count("<mark>交通</mark>") == 2 and "前言" in got and len(got) < 120
    # traditional and full-width queries find the normalized text; several terms are all marked
    assert "<mark>交通</mark>" in snippet(text, "交通 ｉｃｐ") and "<mark>ICP</mark>" in snippet(
        text, "icp"
    )
    assert "<mark>交通运输局</mark>" in snippet(text, '"交通運輸局" 交通')
    assert "<mark>交通</mark>" in snippet(
        text, '"交通'
    )  # an unpaired quote, as escape_fts reads it
    assert snippet("第一段\n第二段", "二段") == "第一段 第<mark>二段</mark>"
    # no hit (a report FTS5 matched on a folding str.find does not know): the start, unmarked
    assert snippet(text, "乾隆") == text[:80] + "…"
    assert snippet(None, "交通") == snippet("", "交通") == ""


def test_optimize_index_command_merges_the_segments(tmp_path):
    """`nianbao optimize-index`: one segment instead of one per saved report, the same matches."""
    from click.testing import CliRunner

    from nianbao.cli import main

    path = tmp_path / "archive.db"
    records = bench.generate_reports(60, seed=5)
    bench.build_archive(path, records).close()  # one transaction, one segment, per report
    db = open_db(path)
    before = db.conn.execute("SELECT count(*) FROM reports_fts_data").fetchone()[0]
    found = count(db, "交通")
    db.conn.close()
    result = CliRunner().invoke(main, ["optimize-index", "--db", str(path)])
    assert result.exit_code == 0, result.output
    db = open_db(path)
    after = db.conn.execute("SELECT count(*) FROM reports_fts_data").fetchone()[0]
    assert after < before and count(db, "交通") == found == brute_force(records, "交通")
    db.conn.close()
