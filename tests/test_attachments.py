"""Attachments: type sniffing, text of generated PDF/DOCX/DOC/OFD files, storage by hash, and the archive rows."""

import io
import zipfile

import pytest

from crawler.attachments import (
    body_is_attachment_stub,
    read_attachment,
    sniff_type,
    store_file,
)
from sample_portals.attachment_items import ATTACHMENT_ITEMS, attachment_bytes, pdf_bytes
from sample_portals.doc_writer import cfb_bytes, doc_bytes
from sample_portals.model import Block, golden_text


def test_pdf_text_without_headers_footers_and_page_numbers():
    item = next(it for it in ATTACHMENT_ITEMS if it.attachments[0].endswith(".pdf"))
    row = read_attachment(
        attachment_bytes(item.attachments[0]), item.attachments[0], files_dir=None
    )
    assert row["type"] == "pdf" and row["error"] is None
    assert row["text"] == golden_text(item)
    assert item.source not in row["text"]  # running header on every page
    assert "- 1 -" not in row["text"]


def test_pdf_wrapped_lines_rejoined_across_pages():
    long = "本年度我局通过政府网站主动公开各类政府信息共计一千二百条，其中机构职能类信息"
    data = pdf_bytes(
        [["一、总体情况", long], ["二百条，规划计划类信息三十条。", "二、其他"]], header="某局"
    )
    text = read_attachment(data, "a.pdf", files_dir=None)["text"]
    assert text.splitlines() == [
        "一、总体情况",
        long + "二百条，规划计划类信息三十条。",
        "二、其他",
    ]


def test_docx_paragraphs_and_table_rows():
    item = next(it for it in ATTACHMENT_ITEMS if it.attachments[0].endswith(".docx"))
    data = attachment_bytes(item.attachments[0])
    row = read_attachment(data, "x.doc", files_dir=None)  # misnamed: the bytes decide
    assert row["type"] == "docx" and row["text"] == golden_text(item)


@pytest.mark.parametrize("compress", [True, False], ids=["mixed-pieces", "one-utf16-piece"])
def test_word97_doc_paragraphs_and_table_rows(compress):
    item = next(it for it in ATTACHMENT_ITEMS if it.attachments[0].endswith(".doc"))
    data = doc_bytes(item.blocks, compress=compress)
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # a Compound File, as Word 97 writes
    row = read_attachment(data, "report.doc", files_dir=None)
    assert row["type"] == "doc" and row["error"] is None
    assert row["text"] == golden_text(item)
    assert "门户网站 www.hnjt.gov.cn | 1265" in row["text"]  # Latin run inside a Chinese table cell


def test_word97_doc_under_a_wps_name_and_field_codes():
    # A hyperlink field: \x13 code \x14 shown text \x15 keeps only the shown text.
    blocks = [Block("p", '详见\x13 HYPERLINK "http://127.0.0.1/jtj" \x14交通运输局网站\x15。')]
    row = read_attachment(doc_bytes(blocks), "年报.wps", files_dir=None)
    assert row["type"] == "wps" and row["text"] == "详见交通运输局网站。"


def test_compound_file_without_word_stream_is_a_clear_error():
    row = read_attachment(cfb_bytes({"Workbook": b"\x09\x08" * 10}), "a.doc", files_dir=None)
    assert row["text"] == "" or row["text"] is None
    assert "unsupported format" in row["error"]


def test_ofd_text_by_baseline():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        z.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            "<ofd:Page xmlns:ofd='http://www.ofdspec.org/2016'><ofd:Content><ofd:Layer>"
            "<ofd:TextObject Boundary='10 20 100 5'><ofd:TextCode X='0' Y='4'>一、总体情况</ofd:TextCode></ofd:TextObject>"
            "<ofd:TextObject Boundary='10 30 100 5'><ofd:TextCode X='0' Y='4'>公开信息</ofd:TextCode></ofd:TextObject>"
            "<ofd:TextObject Boundary='40 30 100 5'><ofd:TextCode X='0' Y='4'>12条。</ofd:TextCode></ofd:TextObject>"
            "</ofd:Layer></ofd:Content></ofd:Page>",
        )
    row = read_attachment(buf.getvalue(), "r.ofd", files_dir=None)
    assert row["type"] == "ofd" and row["text"] == "一、总体情况\n公开信息12条。"


def test_unsupported_and_broken_files_are_recorded(tmp_path):
    row = read_attachment(b"\x00\x01junk", "a.xlsx", files_dir=tmp_path)
    assert row["error"] == "unsupported format: xlsx" and row["text"] is None
    assert (tmp_path / row["path"]).read_bytes() == b"\x00\x01junk"  # kept: nothing lost
    row = read_attachment(b"%PDF-1.4 broken", "a.pdf", files_dir=None)
    assert row["error"].startswith("pdf: ")


def test_store_by_hash_once(tmp_path):
    a = store_file(b"same", "pdf", tmp_path)
    b = store_file(b"same", "pdf", tmp_path)
    assert a == b and a[1].startswith(a[0][:2] + "/") and len(list(tmp_path.rglob("*.pdf"))) == 1


def test_sniff_type():
    assert sniff_type(b"%PDF-1.7", "a.doc") == "pdf"
    assert sniff_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8, "a.wps") == "wps"
    assert sniff_type(b"<html>", "a.pdf") == "html"


def test_attachment_stub_body():
    assert body_is_attachment_stub("附件：庐山市交通运输局2024年政府信息公开工作年度报告.pdf")
    assert body_is_attachment_stub("")
    assert not body_is_attachment_stub("一、总体情况\n附件：统计表.xls")


def test_archive_keeps_attachment_text_and_hash(tmp_path):
    from archive.ingest import Archive

    a = Archive(tmp_path / "archive.db")
    att = {
        "name": "r.pdf",
        "url": "http://127.0.0.1/r.pdf",
        "type": "pdf",
        "size": 3,
        "sha256": "ab" * 32,
    }
    att["text"] = "关心指导"
    rec = {
        "bureau_id": "b",
        "url": "http://127.0.0.1/1",
        "title": "t",
        "text": "x",
        "attachments": [att],
    }
    assert a.save_report(rec) == "new"
    assert a.save_report(rec) == "unchanged"
    row = a.db.execute("select type, size, sha256, text from attachments").fetchone()
    assert row == ("pdf", 3, "ab" * 32, "关心指导")
    a.close()
