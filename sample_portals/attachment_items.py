"""Sample reports published only as an attachment (PDF or DOCX), and the writers that make the files.

Real bureaus often post a page whose body is just "附件：…年度报告.pdf"; these items make the sample
portals do the same, so the crawl must fetch and read the file. The files are generated at build time
from the item's blocks: the PDF by hand with the standard CID font STSong-Light (every PDF reader has it,
no font file needed), the DOCX with python-docx.
"""

from __future__ import annotations

import io
import zlib

from sample_portals.model import Block, Item, golden_text

__all__ = ["ATTACHMENT_ITEMS", "attachment_bytes", "docx_bytes", "pdf_bytes"]


def _pdf_hex(s: str) -> str:
    # UniGB-UCS2-H takes UCS-2 big-endian codes
    return s.encode("utf-16-be").hex().upper()


def pdf_bytes(pages: list[list[str]], header: str = "", footer: bool = True) -> bytes:
    """A PDF whose text layer has the given lines per page, plus a running header and "- n -" footer,
    the way Word-to-PDF exports of annual reports look."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # filled later
    pages_obj = add(b"")
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
        b"/StemV 93 >> /DW 1000 >>] >>"
    )
    kids = []
    for n, lines in enumerate(pages, 1):
        ops = ["BT /F1 12 Tf 14 TL"]
        if header:
            ops.append(f"1 0 0 1 72 800 Tm <{_pdf_hex(header)}> Tj")
        y = 760
        for line in lines:
            ops.append(f"1 0 0 1 72 {y} Tm <{_pdf_hex(line)}> Tj")
            y -= 20
        if footer:
            ops.append(f"1 0 0 1 290 40 Tm <{_pdf_hex(f'- {n} -')}> Tj")
        ops.append("ET")
        stream = zlib.compress("\n".join(ops).encode("ascii"))
        content = add(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_obj, font, content)
            )
        )
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objs[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objs) + 1, catalog, xref)
    )
    return out.getvalue()


def docx_bytes(blocks: list[Block]) -> bytes:
    """A DOCX with one paragraph per text block and a Word table per table block."""
    import docx

    doc = docx.Document()
    for b in blocks:
        if b.kind == "table":
            width = max(len(r) for r in b.rows)
            table = doc.add_table(rows=len(b.rows), cols=width)
            for r, row in enumerate(b.rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell if isinstance(cell, str) else cell[0]
        else:
            doc.add_paragraph(b.text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pdf_pages(item: Item, per_page: int = 4) -> list[list[str]]:
    """One line per paragraph (short paragraphs, so no PDF line wrapping is needed), per_page to a page."""
    lines = golden_text(item).splitlines()
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


_PDF_ITEM = Item(
    bureau_id="lushan-jtj",
    title="庐山市交通运输局2024年政府信息公开工作年度报告",
    kind="annual_report",
    year=2024,
    published="2025-01-20 09:30",
    source="庐山市交通运输局",
    blocks=[
        Block("p", "本报告依据《中华人民共和国政府信息公开条例》编制。"),
        Block("h", "一、总体情况"),
        Block("p", "2024年，市交通运输局坚持以公开为常态，主动公开农村公路养护信息86条。"),
        Block("p", "全年未发生因政府信息公开引起的行政复议和行政诉讼。"),
        Block("h", "二、主动公开政府信息情况"),
        Block("p", "本年度新制发规范性文件2件，现行有效规范性文件11件。"),
        Block("h", "三、存在的主要问题及改进情况"),
        Block("p", "下一步将加快公开平台集约化建设，提升政策解读质量。"),
    ],
    must_survive=["主动公开农村公路养护信息86条", "现行有效规范性文件11件"],
    attachments=["庐山市交通运输局2024年政府信息公开工作年度报告.pdf"],
)

_DOCX_ITEM = Item(
    bureau_id="liaoyuan-jtj",
    title="辽源市交通运输局2024年政府信息公开工作年度报告",
    kind="annual_report",
    year=2024,
    published="2025-01-24 15:10",
    source="辽源市交通运输局",
    blocks=[
        Block("p", "本年度报告所列数据的统计期限为2024年1月1日至12月31日。"),
        Block("h", "一、总体情况"),
        Block("p", "我局全年通过门户网站主动公开道路运输许可信息132条。"),
        Block(
            "table",
            rows=[
                ["信息内容", "本年新制作数量", "现行有效件数"],
                ["规章", "0", "0"],
                ["行政规范性文件", "1", "7"],
            ],
        ),
        Block("h", "二、收到和处理政府信息公开申请情况"),
        Block("p", "本年度共收到政府信息公开申请9件，均已按期答复。"),
    ],
    must_survive=["主动公开道路运输许可信息132条", "共收到政府信息公开申请9件"],
    attachments=["辽源市交通运输局2024年政府信息公开工作年度报告.docx"],
)

ATTACHMENT_ITEMS: list[Item] = [_PDF_ITEM, _DOCX_ITEM]


def attachment_bytes(name: str) -> bytes | None:
    """The generated file for an attachment name of ATTACHMENT_ITEMS, None for any other name."""
    for item in ATTACHMENT_ITEMS:
        if name in item.attachments:
            if name.endswith(".pdf"):
                return pdf_bytes(_pdf_pages(item), header=item.source)
            if name.endswith(".docx"):
                return docx_bytes(item.blocks)
    return None
