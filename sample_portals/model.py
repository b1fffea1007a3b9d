"""The shape of sample-portal content, shared by the content builder and the renderers.

Content (what each bureau published) is kept apart from rendering (how its CMS family dresses it), so the
same report can be served by a TRS or a Hanweb portal and its golden text is derived from one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A table cell is plain text, or (text, rowspan, colspan) when it spans.
Cell = str | tuple[str, int, int]


@dataclass
class Block:
    """One body block: a paragraph ("p"), a heading line ("h") or a table ("table")."""

    kind: str
    text: str = ""
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Bureau:
    id: str
    name: str
    level: str  # province | city | county
    province: str
    region_code: str  # six-digit administrative division code
    site_id_code: str  # 网站标识码, first six digits = region code
    family: str  # trs | hanweb | gkml | jpaas | legacy
    port: int
    site_name: str
    domain: (
        str  # shown in SiteDomain meta, e.g. jtys.henan.gov.cn (display only; served on 127.0.0.1)
    )
    column_name: str  # e.g. 政府信息公开年报
    address: str
    phone: str
    icp: str  # e.g. 豫ICP备05009543号
    gongan: str  # e.g. 豫公网安备41010502002364号
    organizer: str  # 主办
    undertaker: str  # 承办
    per_page: int = 4
    # Registered by homepage only (columns: []): the crawler must discover the report column itself.
    homepage_only: bool = False


@dataclass
class Item:
    """One item of an annual-report column."""

    bureau_id: str
    title: str
    kind: str  # annual_report | work_plan | interpretation | guide | other
    year: int | None  # the report year the title speaks of (None for items without one)
    published: str  # "YYYY-MM-DD HH:MM" as the portal shows it
    source: str  # 来源 / 文章来源
    blocks: list[Block]
    must_survive: list[str] = field(default_factory=list)  # sentences the clean text must keep
    index_no: str = ""  # 索引号 (Hanweb xxgk table)
    doc_no: str = ""  # 文号
    written_date: str = ""  # 成文日期 YYYY-MM-DD
    seed: str | None = None  # seed file name when this item rebuilds a seed
    ruby: bool = False  # body text carries pinyin-ruby debris like 關(guān) (seed 000)
    related: list[tuple[str, str]] = field(
        default_factory=list
    )  # 相关解读 (title, item title it links to)
    attachments: list[str] = field(
        default_factory=list
    )  # attachment display names (links rendered, files optional)
    # The page body is only the 附件 links: the report's text is the attached file's text (golden_text).
    attachment_only: bool = False
    # 图片版: the page body is only these images (file names), scanned pages of the printed report.
    images: list[str] = field(default_factory=list)


def golden_text(item: Item) -> str:
    """The clean text an extractor must produce: one line per paragraph/heading, one per table row.

    A table row is its cells in HTML order (spanned cells once, not repeated), stripped and joined with
    " | "; a row whose cells are all empty is dropped. The title is not repeated in the text.
    """
    lines: list[str] = []
    for b in item.blocks:
        if b.kind == "table":
            for row in b.rows:
                cells = [c if isinstance(c, str) else c[0] for c in row]
                if any(c.strip() for c in cells):
                    lines.append(" | ".join(c.strip() for c in cells))
        else:
            lines.append(b.text.strip())
    return "\n".join(line for line in lines if line)
