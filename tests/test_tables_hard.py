"""The statutory tables on the hard corpus (tests/corpus/tables): every failure class real reports showed.

Goldens come from the content model (tests/corpus/tables/make_corpus.py, expected_cells of the Blocks),
never from the parser. Besides the cells, every document with a cell not read must say so
(`complete` false, the cell in `missing`), and the archive keeps the evidence of every cell.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from archive.tables import checks, parse_file, parse_text
from archive.tables.rows import rows_from_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "tables"
GOLDENS = json.loads((CORPUS / "goldens.json").read_text(encoding="utf-8"))


def _score(name: str, result) -> tuple[int, int, list]:
    want = {tuple(k.split("|")): v for k, v in GOLDENS[name]["cells"].items()}
    got = {(c["section"], c["item_code"], c["col_label"]): c for c in result.cells}
    wrong = [(k, v, got[k]["value"] if k in got else "missing") for k, v in want.items()
             if k not in got or got[k]["value"] != v]  # fmt: skip
    wrong += [
        (k, None, c["value"]) for k, c in got.items() if c["value"] is not None and k not in want
    ]
    return len(want) - len(wrong), len(want), wrong


TEXT_DOCS = sorted(n for n, g in GOLDENS.items() if g["shape"] != "scan")


def test_corpus_is_there():
    shapes = {g["shape"] for g in GOLDENS.values()}
    assert {"html", "pdf", "text", "scan"} <= shapes and len(TEXT_DOCS) >= 25


@pytest.mark.parametrize("name", TEXT_DOCS)
def test_hard_document(name):
    """Each document read right, or what was not read is said: a run-together page has no
    arithmetic for section 二, so its splits there are ambiguous, flagged, never guessed."""
    result = parse_file(CORPUS / name, GOLDENS[name]["year"])
    right, total, wrong = _score(name, result)
    print(f"\n{name}: {right}/{total} cells, complete={result.complete}")
    if name.startswith("runtogether"):
        assert all(k[0] == "二" for k, _, _ in wrong), wrong[:5]
        flagged = {(m["section"], m["item_code"], m["col_label"]) for m in result.missing}
        assert all(k in flagged for k, _, _ in wrong), "a wrong cell not in missing"
        assert result.complete is False
    else:
        assert not wrong, wrong[:10]
    if wrong:
        assert result.complete is False  # never a silent loss


def test_layout_decides_the_template_not_the_year():
    """A 2023 report printed on the 2019 layout: its single （六）其他处理 row keeps its figures."""
    result = parse_file(CORPUS / "layout2019-2023.txt", 2023)
    assert result.template == "2019"
    other = [c for c in result.cells if c["item_code"] == "3.result.other"]
    assert len(other) == 7 and all(c["value"] is not None for c in other)
    assert not [c for c in result.cells if c["item_code"].startswith("3.result.other.")]


def test_layout_variant_2021_with_single_other_row():
    """2021 columns in 二 with 2019's single 其他处理 row in 三: the variant file's layout."""
    new = (CORPUS / "ocrtext-0.txt").read_text(encoding="utf-8")  # a 2021-template report
    old = (CORPUS / "layout2019-2023.txt").read_text(encoding="utf-8")
    head = "三、收到和处理政府信息公开申请情况"
    text = new[: new.index(head)] + old[old.index(head) :]
    result = parse_text(text, 2023)
    assert result.template == "2021-single-other"
    assert {c["value"] is not None for c in result.cells if c["item_code"] == "3.result.other"} == {
        True
    }
    assert {c["col_label"] for c in result.cells if c["item_code"] == "2.rules"} >= {"本年废止件数"}


def test_misprinted_labels_keep_their_rows_with_the_distance():
    result = parse_file(CORPUS / "misprint-0.html", GOLDENS["misprint-0.html"]["year"])
    third = next(c for c in result.cells if c["item_code"] == "3.result.not_open.third_party")
    assert third["label"].endswith("保护第三方合法权") and third["label_distance"] == 1
    penalty = next(c for c in result.cells if c["item_code"] == "2.penalty")
    assert penalty["label"] == "行政处伐" and penalty["label_distance"] == 1
    exact = next(c for c in result.cells if c["item_code"] == "3.result.open")
    assert exact["label_distance"] == 0 and exact["method"] == "html"


def test_row_label_cut_by_a_page_break():
    """split-0.pdf breaks its 三 table inside a row: the label's first line on one page, the rest on
    the next; the row keeps its cells, read from the page the figures are on."""
    result = parse_file(CORPUS / "split-0.pdf", GOLDENS["split-0.pdf"]["year"])
    assert _score("split-0.pdf", result)[2] == []
    pages = {c["page"] for c in result.cells if c["section"] == "三"}
    assert len(pages) == 2 and {c["method"] for c in result.cells} == {"pdf-lines"}


def test_run_together_cells_split_by_the_arithmetic():
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量150 000015\n"
    v = {c["col_label"]: c for c in parse_text("本年制发件数\n" + text, 2022).cells
         if c["item_code"] == "3.new"}  # fmt: skip
    assert [v[c]["value"] for c in ("自然人", "商业企业", "其他", "总计")] == [15, 0, 0, 15]
    assert v["自然人"]["arithmetic"] == "split"


def test_ambiguous_split_is_flagged_not_guessed():
    text = "二、主动公开政府信息情况\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可12048305\n"
    result = parse_text(text + "三、收到和处理政府信息公开申请情况\n本年新收", 2020)
    permit = [c for c in result.cells if c["item_code"] == "2.permit"]
    assert {c["arithmetic"] for c in permit} == {"ambiguous"} and all(
        c["value"] is None for c in permit
    )
    assert result.complete is False
    assert {m["item_code"] for m in result.missing if m["why"] == "ambiguous"} >= {"2.permit"}


def test_a_lost_cell_is_filled_and_marked():
    """Markdown whose converter dropped one 0 cell: the row's sum and the columns put it back."""
    result = parse_file(CORPUS / "markdown-0.md", GOLDENS["markdown-0.md"]["year"])
    filled = [c for c in result.cells if c["arithmetic"] == "filled"]
    assert len(filled) == 1 and filled[0]["value"] == 0 and result.complete is False


def test_no_table_in_an_annual_report_is_incomplete():
    result = parse_text(
        "某局2022年政府信息公开工作年度报告\n一、总体情况\n本年度我局主动公开信息。", 2022
    )
    assert result.template is None and result.complete is False
    assert {m["section"] for m in result.missing} == {"二", "三", "四"}


def test_narrative_against_table():
    from archive.tables import narrative_checks

    text = (CORPUS / "layout2019-2023.txt").read_text(encoding="utf-8")
    result = parse_text(text, 2023)
    new = next(
        c["value"] for c in result.cells if c["item_code"] == "3.new" and c["col_label"] == "总计"
    )
    said = narrative_checks(result, f"全年共收到政府信息公开申请{new + 1}件。")
    assert [k["ok"] for k in said] == [False] and "共收到" in said[0]["evidence"]
    assert narrative_checks(result, f"全年共收到政府信息公开申请{new}件。")[0]["ok"] is True


def test_checks_state_the_result_rows_sum():
    result = parse_file(CORPUS / "split-1.pdf", GOLDENS["split-1.pdf"]["year"])
    rules = {k["rule"]: k for k in checks(result)}
    assert rules["三 (七)总计 = (一)至(六)之和 [总计]"]["ok"] is True


def _archive(tmp_path):
    from archive.ingest import Archive

    return Archive(tmp_path / "a.db")


def _record(url, year, text, bureau="henan-jtt"):
    return {"url": url, "bureau_id": bureau, "kind": "annual_report", "year": year,
            "title": f"某局{year}年政府信息公开工作年度报告", "text": text}  # fmt: skip


def test_archive_keeps_evidence_status_and_carry_over(tmp_path):
    """Cells with their evidence, a status row per report, the review query of metadata.yml, and the
    carry-over from last year's report checked whichever of the two is saved first."""
    base = (CORPUS / "layout2019-2023.txt").read_text(encoding="utf-8")
    run = (CORPUS / "runtogether-0.txt").read_text(encoding="utf-8")
    with _archive(tmp_path) as archive:
        archive.upsert_bureaus([{"id": "henan-jtt", "name": "河南省交通运输厅"}])
        archive.save_report(_record("http://127.0.0.1:8711/b.html", 2021, base))  # next year first
        archive.save_report(_record("http://127.0.0.1:8711/a.html", 2020, base))
        archive.save_report(_record("http://127.0.0.1:8711/c.html", 2022, run))
        conn = archive.conn
        row = conn.execute(
            "SELECT method, label, label_distance, confidence, arithmetic FROM disclosure_stats "
            "WHERE item_code = '3.new' AND col_label = '总计' LIMIT 1"
        ).fetchone()
        assert row == ("text", "一、本年新收政府信息公开申请数量", 0, 1.0, None)
        carry = conn.execute(
            "SELECT count(*), sum(evidence LIKE 'report %') FROM stats_checks WHERE rule LIKE '跨年%'"
        ).fetchone()
        assert carry[0] >= 2 and carry[0] == carry[1]
        meta = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
        sql = meta["databases"]["archive"]["queries"]["tables_to_review"]["sql"]
        review = conn.execute(sql).fetchall()
        assert len(review) == 1 and "ambiguous" in review[0][7]
        printed = conn.execute(
            "SELECT template FROM stat_labels WHERE label = '信访投诉举报类申请' AND kind = 'printed' "
            "ORDER BY template"
        ).fetchall()
        assert printed == [("2019",), ("2021-single-other",)]  # the variant prints 2019's 三


def test_cli_says_complete_and_missing(tmp_path):
    from click.testing import CliRunner

    from nianbao.cli import main

    out = CliRunner().invoke(main, ["tables", str(CORPUS / "runtogether-0.txt"), "--year", "2021"])
    data = json.loads(out.output)
    assert data["complete"] is False and data["missing"]
    assert {"method", "page", "raw", "label", "label_distance", "confidence", "arithmetic"} <= set(
        data["cells"][0]
    )
    ok = json.loads(CliRunner().invoke(main, ["tables", str(CORPUS / "split-0.pdf")]).output)
    assert ok["complete"] is True and ok["missing"] == []


def test_ocr_runs_under_limits():
    from archive.tables.ocr import OCRError, ocr_pdf

    with pytest.raises(OCRError, match="exited"):
        ocr_pdf(CORPUS / "split-0-scan150.pdf", [1], memory_mb=64)


def test_ocr_reads_a_scanned_page():
    """One page of a 200 dpi scan (turned 0.8°, blurred, specks, JPEG): sections 三 and 四 read by
    OCR, each cell marked ocr with its confidence; what the arithmetic changed is marked."""
    from archive.tables import parse_rows
    from archive.tables.ocr import ocr_pdf

    page = ocr_pdf(CORPUS / "misprint-1-scan200.pdf", [2])[2]
    assert abs(page["angle"] + 0.8) < 0.3 or abs(page["angle"] - 0.8) < 0.3
    head = rows_from_text("本年制发件数\n三、收到和处理政府信息公开申请情况")
    result = parse_rows(head + page["rows"], page["text"] + "\n本年制发件数", 2021)
    want = {tuple(k.split("|")): v for k, v in GOLDENS["misprint-1-scan200.pdf"]["cells"].items()
            if k[0] in "三四"}  # fmt: skip
    got = {(c["section"], c["item_code"], c["col_label"]): c for c in result.cells}
    right = sum(1 for k, v in want.items() if k in got and got[k]["value"] == v)
    print(f"\nOCR cells right: {right}/{len(want)} in {page['seconds']} s")
    assert right >= 0.95 * len(want)
    assert {got[k]["method"] for k in want} == {"ocr"}
    wrong = [k for k, v in want.items() if got[k]["value"] != v]
    assert not wrong or result.complete is False or all(got[k]["confidence"] < 0.9 for k in wrong)
    assert "收到和处理" in page["text"] or "本年新收" in page["text"]


def test_scanned_attachment_becomes_searchable_ocr_text(tmp_path):
    """A PDF attachment with no text layer is read by OCR: its text is kept, marked text_source ocr,
    and the report whose page is only the 附件 stub gets its tables from it."""
    import pypdfium2

    from archive.ingest import Archive
    from crawler.attachments import read_attachment

    src = pypdfium2.PdfDocument(str(CORPUS / "misprint-1-scan200.pdf"))
    one = pypdfium2.PdfDocument.new()
    one.import_pages(src, [1])  # the page with sections 三 and 四
    path = tmp_path / "scan.pdf"
    one.save(str(path))
    row = read_attachment(path.read_bytes(), "http://127.0.0.1:8711/a/scan.pdf", files_dir=None)
    assert row["text_source"] == "ocr" and "本年新收" in row["text"]
    record = _record("http://127.0.0.1:8711/d.html", 2021, "附件：2021年年度报告.pdf")
    record["attachments"] = [{"url": "http://127.0.0.1:8711/a/scan.pdf", "name": "scan.pdf", **row}]
    with Archive(tmp_path / "a.db") as archive:
        archive.upsert_bureaus([{"id": "henan-jtt", "name": "河南省交通运输厅"}])
        archive.save_report(record)
        got = archive.conn.execute("SELECT text_source FROM attachments").fetchall()
        cells = archive.conn.execute(
            "SELECT count(*) FROM disclosure_stats WHERE section = '三' AND value IS NOT NULL"
        ).fetchone()[0]
    assert got == [("ocr",)] and cells >= 150


def test_ocr_reads_lone_figures_at_150_dpi():
    """A 150 dpi scan with specks (split-0-scan150, page 2: section 三 down to (六)): every lone 0 and
    1 is read as a figure. Crops that carried a cell's rule along were read "。", "08" or nothing."""
    from archive.tables import parse_rows
    from archive.tables.ocr import ocr_pdf

    page = ocr_pdf(CORPUS / "split-0-scan150.pdf", [2])[2]
    head = rows_from_text("本年制发件数\n三、收到和处理政府信息公开申请情况")
    result = parse_rows(head + page["rows"], page["text"] + "\n本年制发件数", 2023)
    want = GOLDENS["split-0-scan150.pdf"]["cells"]
    on_page = [c for c in result.cells if c["section"] == "三" and c["page"] == 2]
    assert len(on_page) >= 140
    unread = [(c["item_code"], c["col_label"], c["raw"]) for c in on_page if c["value"] is None]
    wrong = [
        (c["item_code"], c["col_label"], c["raw"], c["confidence"])
        for c in on_page
        if c["value"] != want["|".join(("三", c["item_code"], c["col_label"]))]
        and c["item_code"] != "3.result.other.no_correction"  # its label runs on to page 3
    ]
    assert not unread, unread
    # a misread digit is left to the sums (the column's total is on page 3): it must be unsure
    assert len(wrong) <= 2 and all(w[3] < 0.9 for w in wrong), wrong


def test_a_misread_ocr_figure_is_not_taken_for_a_label():
    """An OCR grid cell "-S" (a -5 the recogniser misread) or "[" is a figure's slot: the row keeps
    its label and all its figures, the misread one unreadable, instead of losing the row."""
    from archive.tables.rows import Row
    from archive.tables.sections import records

    row = Row(["行政处罚", "155", "-S", "1254"], True, "ocr", 1, [0.8, 0.9, 0.4, 0.99])
    rec = records([row])[0]
    assert rec.labels == ["行政处罚"] and rec.values == ["155", "-S", "1254"]
    assert rec.conf == [0.9, 0.4, 0.99]
    bracket = Row(["四、结转下年度继续办理", "1", "[", "0", "0", "0", "0", "1"], True, "ocr", 3)
    assert len(records([bracket])[0].values) == 7
    text = Row(["行政处罚", "-S", "1254"], False, "text", 1)  # not OCR: left as it was
    assert records([text])[0].labels == ["行政处罚", "-S"]


@pytest.mark.parametrize("name", ["unruled-0.pdf", "unruled-1.pdf"])
def test_unruled_pdf_is_read_from_its_words(name):
    """Tables set without borders: no ruled grid, the cells come from the words' positions, and the
    result says so (pdf-words, not typed text). unruled-1 leaves half its zeros blank: its text gives
    "2.重复申请 1 1", and only where the figures stand says which columns they are (the text reading
    got 79 of its 198 cells)."""
    result = parse_file(CORPUS / name, GOLDENS[name]["year"])
    assert result.ocr["ruled"] is False
    assert result.method == "pdf-words"
    assert {c["method"] for c in result.cells if c["read"]} == {"pdf-words"}
    right, total, wrong = _score(name, result)
    assert not wrong and result.complete, wrong[:10]


def test_attachment_tables_read_from_ocr_text_are_marked_ocr():
    """The tables of a scanned PDF under 附件 come from its OCR text: their cells say 'ocr'; those of
    a typed attachment say 'text'."""
    from archive.tables import report_tables

    text = (CORPUS / "ocrtext-0.txt").read_text(encoding="utf-8")
    year = GOLDENS["ocrtext-0.txt"]["year"]
    stub = "2023年政府信息公开工作年度报告\n附件：年度报告.pdf"
    scanned = report_tables(stub, year, [(text, "ocr")])
    typed = report_tables(stub, year, [text])
    assert scanned.method == "ocr" and {c["method"] for c in scanned.cells if c["read"]} == {"ocr"}
    assert typed.method == "text" and {c["method"] for c in typed.cells if c["read"]} == {"text"}
    assert [c["value"] for c in scanned.cells] == [c["value"] for c in typed.cells]


def test_section_two_splits_are_flagged_not_trusted():
    """Section 二 has no sums, so a run of figures cut into its columns is a guess even when only one
    cut exists: every such cell is listed in `missing` (its value kept as the one reading)."""
    result = parse_file(CORPUS / "runtogether-3.txt", GOLDENS["runtogether-3.txt"]["year"])
    split = {(c["item_code"], c["col_label"]) for c in result.cells
             if c["section"] == "二" and c["arithmetic"] == "split"}  # fmt: skip
    flagged = {(m["item_code"], m["col_label"]) for m in result.missing
               if m["why"] == "split unchecked"}  # fmt: skip
    assert split and split == flagged and result.complete is False
    assert not any(
        m["why"] == "split unchecked" for m in parse_file(CORPUS / "split-2.pdf").missing
    )


def test_ocr_turns_a_sheet_fed_upside_down(tmp_path):
    """A page image upside down (and 0.5° off): the page is turned the right way up before its grid
    is read, so section 三 is not lost."""
    import pypdfium2
    from PIL import Image

    from archive.tables import parse_rows
    from archive.tables.ocr import ocr_images

    pdf = pypdfium2.PdfDocument(str(CORPUS / "misprint-1-scan200.pdf"))
    image = pdf[1].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    pdf.close()
    path = tmp_path / "page.png"
    image.rotate(180.5, resample=Image.BICUBIC, fillcolor=255).save(path)
    page = ocr_images([path])[0]
    assert page["turned"] == 180
    head = rows_from_text("本年制发件数\n三、收到和处理政府信息公开申请情况")
    result = parse_rows(head + page["rows"], page["text"] + "\n本年制发件数", 2021)
    want = {tuple(k.split("|")): v for k, v in GOLDENS["misprint-1-scan200.pdf"]["cells"].items()
            if k[0] == "三"}  # fmt: skip
    got = {(c["section"], c["item_code"], c["col_label"]): c["value"] for c in result.cells}
    assert sum(1 for k, v in want.items() if got.get(k) == v) >= 0.95 * len(want)


def test_ocr_row_whose_label_was_not_read_takes_its_place_by_order():
    """Section 二 from an OCR grid where the recogniser read nothing of "规章" ("?"): the row under
    the header is the next statutory row (规章 comes first under 第二十条第（一）项), so its figures
    are kept, with the label as read and its distance as evidence."""
    from archive.tables import parse_rows
    from archive.tables.rows import Row

    grid = [
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["?", "1", "1", "10"],
        ["行政规范性文件", "3", "0", "12"],
    ]
    rows = rows_from_text("二、主动公开政府信息情况") + [
        Row(cells, True, "ocr", 1, [0.0 if c == "?" else 0.95 for c in cells]) for cells in grid
    ]
    result = parse_rows(rows, "本年制发件数 本年废止件数\n一、本年新收政府信息公开申请数量", 2023)
    got = {(c["item_code"], c["col_label"]): c for c in result.cells if c["section"] == "二"}
    assert [
        got[("2.rules", col)]["value"] for col in ("本年制发件数", "本年废止件数", "现行有效件数")
    ] == [1, 1, 10]
    assert got[("2.rules", "现行有效件数")]["label"] == "?"
    assert got[("2.normative", "现行有效件数")]["value"] == 12
