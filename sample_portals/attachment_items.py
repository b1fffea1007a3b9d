"""Sample reports published only as an attachment (PDF, DOCX or DOC), and the writers that make the files.

Real bureaus often post a page whose body is just "附件：…年度报告.pdf"; these items make the sample
portals do the same, so the crawl must fetch and read the file. The files are generated at build time
from the item's blocks: the PDF by hand with the standard CID font STSong-Light (every PDF reader has it,
no font file needed), the DOCX with python-docx, the legacy Word 97 DOC with sample_portals/doc_writer.py.
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
import zlib

from sample_portals.doc_writer import doc_bytes
from sample_portals.model import Block, Item, golden_text

__all__ = [
    "ATTACHMENT_ITEMS",
    "IMAGE_ITEMS",
    "IMAGE_PAGES",
    "attachment_bytes",
    "docx_bytes",
    "pdf_bytes",
    "png_bytes",
    "xlsx_bytes",
]


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
    # python-docx stamps the build time into the core properties and every zip entry; fixed stamps
    # keep a rebuild of the sample sites byte-identical.
    stamp = datetime.datetime(2020, 1, 1)
    doc.core_properties.created = stamp
    doc.core_properties.modified = stamp
    doc.core_properties.last_printed = stamp
    out = io.BytesIO()
    doc.save(out)
    return _fixed_zip_times(out.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _pdf_pages(item: Item, per_page: int = 4) -> list[list[str]]:
    """One line per paragraph (short paragraphs, so no PDF line wrapping is needed), per_page to a page."""
    lines = golden_text(item).splitlines()
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


_PDF_ITEM = Item(
    bureau_id="lushan-jtj",
    title="庐山市交通运输局2021年政府信息公开工作年度报告",
    kind="annual_report",
    year=2021,
    published="2022-01-20 09:30",
    source="庐山市交通运输局",
    blocks=[
        Block("p", "本报告依据《中华人民共和国政府信息公开条例》编制。"),
        Block("h", "一、总体情况"),
        Block("p", "2021年，市交通运输局坚持以公开为常态，主动公开农村公路养护信息86条。"),
        Block("p", "全年未发生因政府信息公开引起的行政复议和行政诉讼。"),
        Block("h", "二、主动公开政府信息情况"),
        Block("p", "本年度新制发规范性文件2件，现行有效规范性文件11件。"),
        Block("h", "三、存在的主要问题及改进情况"),
        Block("p", "下一步将加快公开平台集约化建设，提升政策解读质量。"),
    ],
    must_survive=[
        "主动公开农村公路养护信息86条",
        "全年未发生因政府信息公开引起的行政复议和行政诉讼",
        "现行有效规范性文件11件",
        "提升政策解读质量",
    ],
    attachments=["庐山市交通运输局2021年政府信息公开工作年度报告.pdf"],
    attachment_only=True,
)

_DOCX_ITEM = Item(
    bureau_id="liaoyuan-jtj",
    title="辽源市交通运输局2023年政府信息公开工作年度报告",
    kind="annual_report",
    year=2023,
    published="2024-01-24 15:10",
    source="辽源市交通运输局",
    index_no="11220400013561208K/2024-00015",
    written_date="2024-01-22",
    blocks=[
        Block("p", "本年度报告所列数据的统计期限为2023年1月1日至12月31日。"),
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
    must_survive=[
        "统计期限为2023年1月1日至12月31日",
        "主动公开道路运输许可信息132条",
        "行政规范性文件 | 1 | 7",
        "共收到政府信息公开申请9件",
    ],
    attachments=[
        "辽源市交通运输局2023年政府信息公开工作年度报告.docx",
        "2023年政府信息公开情况统计表.xlsx",
    ],
    attachment_only=True,
)

# Before about 2015 many bureaus posted the Word file they had written, in the Word 97 format, and only that.
_DOC_ITEM = Item(
    bureau_id="hunan-jtt",
    title="湖南省交通运输厅2011年政府信息公开工作年度报告",
    kind="annual_report",
    year=2011,
    published="2012-03-26 16:40",
    source="湖南省交通运输厅",
    blocks=[
        Block(
            "p",
            "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布湖南省交通运输厅"
            "2011年政府信息公开工作年度报告。",
        ),
        Block("h", "一、概述"),
        Block("p", "2011年，我厅在厅门户网站主动公开政府信息1265条，其中公路建设项目信息318条。"),
        Block("h", "二、主动公开政府信息情况"),
        Block(
            "table",
            rows=[
                ["公开方式", "条数"],
                ["门户网站 www.hnjt.gov.cn", "1265"],
                ["政府公报", "42"],
            ],
        ),
        Block("h", "三、依申请公开政府信息情况"),
        Block("p", "全年共受理政府信息公开申请27件，均在法定期限内予以答复。"),
        Block("h", "四、存在的不足和改进措施"),
        Block("p", "公开内容的系统性和及时性有待提高，2012年将进一步完善公开目录。"),
    ],
    must_survive=[
        "主动公开政府信息1265条，其中公路建设项目信息318条",
        "门户网站 www.hnjt.gov.cn | 1265",
        "全年共受理政府信息公开申请27件",
        "2012年将进一步完善公开目录",
    ],
    attachments=["湖南省交通运输厅2011年政府信息公开工作年度报告.doc"],
    attachment_only=True,
)

# 图片版: the report was printed, scanned and posted as page images; the page has no text at all.
_IMAGE_ITEM = Item(
    bureau_id="fuyang-jtj",
    title="阜阳市交通运输局2019年政府信息公开工作年度报告（图片版）",
    kind="annual_report",
    year=2019,
    published="2020-01-22 10:00",
    source="阜阳市交通运输局",
    index_no="113412000032184357/2020-00011",
    written_date="2020-01-20",
    blocks=[],
    images=["nb2019_p1.png", "nb2019_p2.png", "nb2019_p3.png"],
)
# What the scanned pages of the 图片版 report print, page by page (sample_portals/page_images.py).
IMAGE_PAGES: dict[str, list[str]] = {
    "nb2019_p1.png": [
        "阜阳市交通运输局2019年政府信息公开工作年度报告",
        "一、总体情况",
        "2019年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
        "全年主动公开政府信息412条，其中行政许可信息156条。",
    ],
    "nb2019_p2.png": [
        "二、依申请公开情况",
        "全年共收到政府信息公开申请17件，均在法定期限内予以答复。",
        "三、行政复议和行政诉讼情况",
        "全年未发生因政府信息公开引起的行政复议和行政诉讼。",
    ],
    "nb2019_p3.png": [
        "四、存在的主要问题及改进情况",
        "信息公开的及时性还需加强，2020年将进一步规范公开流程。",
    ],
}

ATTACHMENT_ITEMS: list[Item] = [_PDF_ITEM, _DOCX_ITEM, _DOC_ITEM]
IMAGE_ITEMS: list[Item] = [_IMAGE_ITEM]


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A minimal SpreadsheetML workbook (inline strings): a format the crawler stores but does not read,
    so it must end as an `unsupported format` row without losing the report it hangs on."""
    cells = "".join(
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row) + "</row>"
        for row in rows
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        # fixed timestamps so a rebuild of the sample sites is byte-for-byte the same
        def put(name: str, text: str) -> None:
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text)

        put(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        put(
            "xl/workbook.xml",
            f'<workbook {ns} {rel}><sheets><sheet name="统计表" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        put(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {ns}><sheetData>{cells}</sheetData></worksheet>",
        )
    return out.getvalue()


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A real greyscale PNG (a striped "scanned page"), different per seed so each image has its own hash."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + bytes(255 if (y // 4 + seed) % 5 else 40 for _ in range(width))
        for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def attachment_bytes(name: str) -> bytes | None:
    """The generated file for an attachment name of ATTACHMENT_ITEMS, None for any other name."""
    for item in ATTACHMENT_ITEMS:
        if name in item.attachments:
            if name.endswith(".pdf"):
                return pdf_bytes(_pdf_pages(item), header=item.source)
            if name.endswith(".docx"):
                return docx_bytes(item.blocks)
            if name.endswith(".doc"):
                # ASCII runs as 8-bit pieces: a piece table that mixes both encodings
                return doc_bytes(item.blocks, compress=True)
            if name.endswith(".xlsx"):
                table = next((b for b in item.blocks if b.kind == "table"), None)
                if table is None:
                    return xlsx_bytes([[item.title]])
                return xlsx_bytes(
                    [[c if isinstance(c, str) else c[0] for c in r] for r in table.rows]
                )
    for item in IMAGE_ITEMS:
        if name in item.images:
            from sample_portals.page_images import page_image_bytes

            rendered = page_image_bytes(IMAGE_PAGES.get(name, [item.title]))
            return rendered or png_bytes(120, 160, item.images.index(name))
    return None
