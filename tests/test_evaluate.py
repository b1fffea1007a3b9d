"""`nianbao eval` on the corpus: every sample page of every family plus the hand-written hard cases."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.evaluate import (
    detect_family,
    evaluate_dir,
    expectations,
    report,
    score_detail,
    totals,
)
from nianbao.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("build_corpus", CORPUS / "build_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path_factory.mktemp("corpus")
    mod.build(out)
    return out


def test_corpus_covers_every_family_and_hard_case(corpus):
    expect = json.loads((corpus / "expect.json").read_text(encoding="utf-8"))
    hard = expectations(CORPUS / "hard")
    assert len(hard) >= 9 and set(hard) <= set(expect)
    assert (corpus / "big_chrome.html").stat().st_size > 150_000
    families = {s.family for s in evaluate_dir(corpus) if s.kind == "list"}
    assert families == {"trs", "hanweb", "gkml", "jpaas", "legacy"}


def test_ours_perfect_on_corpus_and_baseline_printed(corpus):
    ours = evaluate_dir(corpus)
    t = totals(ours)
    print("\n" + report(ours, "nianbao").splitlines()[-1])
    print(report(evaluate_dir(corpus, baseline=True), "bare trafilatura").splitlines()[-1])
    bad = [
        line
        for line in report(ours, "nianbao").splitlines()
        if "WRONG" in line or "missing" in line or "leaked" in line
    ]
    assert not bad, bad
    assert t["detail_pages"] >= 120 and t["list_pages"] == 10
    assert (t["include_recall"], t["leaks"], t["title_exact"], t["date_exact"]) == (
        1.0,
        0,
        1.0,
        1.0,
    )
    assert (t["list_precision"], t["list_recall"]) == (1.0, 1.0)


def test_scorer_counts_misses_leaks_and_wrong_fields():
    html = (CORPUS / "hard" / "startprint.html").read_text(encoding="utf-8")
    exp = {
        "title": "某某局2021年政府信息公开工作年度报告",
        "published": "2022-01-26",
        "must_include": ["主动公开政府信息327条", "这句话不在页面上"],
        "must_exclude": [
            "提高公开时效"
        ],  # a body sentence: extraction keeps it, so it counts as a leak
    }
    s = score_detail("startprint.html", html, exp)
    assert (s.included, s.include_total, s.leaks, s.title_ok, s.date_ok) == (
        1, 2, ["提高公开时效"], False, False,
    )  # fmt: skip


def test_family_detected_from_markup():
    assert detect_family('{"data": {"list": []}}') == "jpaas"
    assert detect_family('<script type="text/xml"><datastore><recordset>') == "hanweb"
    assert detect_family('<script>createPageHTML(3, 0, "index", "html");</script>') == "trs"
    assert detect_family("<table><tr><th>索引号</th><th>名称</th></tr></table>") == "gkml"
    assert detect_family("<table><tr><td><a href=a.htm>x</a></td></tr></table>") == "legacy"


def test_cli_eval_prints_pages_and_totals():
    result = CliRunner().invoke(main, ["eval", str(CORPUS / "hard"), "--baseline"])
    assert result.exit_code == 0, result.output
    pages = len(expectations(CORPUS / "hard"))
    lines = result.output.splitlines()
    assert lines[0].startswith("big_chrome.html: include 3/3, leaks 0, title ok, date ok")
    assert any(
        line.startswith(f"TOTAL nianbao: {pages} detail pages, must-include recall 1.0000, leaks 0")
        for line in lines
    )
    assert any(line.startswith(f"TOTAL bare trafilatura: {pages} detail pages") for line in lines)
