"""The reader's side of the Datasette plugin: Chinese labels, the home page, the comparison page, the static
script, and the key figures of a bureau.

Kept apart from archive/datasette_plugin.py (connection set-up, report and bureau row pages) so each module
stays readable; datasette_plugin registers this module as a second plugin with Datasette's plugin manager.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import urllib.parse
import zlib
from pathlib import Path

from datasette import Response, hookimpl
from datasette.utils import escape_fts
from markupsafe import Markup, escape

from archive import statlayout
from archive.labels import column_label, page_label, value_label
from archive.textnorm import repair

DATABASE = "archive"
STATIC = Path(__file__).resolve().parent / "static"

# The key figures of the statutory tables a reader compares across bureaus and years:
# (label, disclosure_stats.item_code, col_label). All are counts of the 总计 column.
KEY_FIGURES = [
    ("本年新收", "3.new", "总计"),
    ("予以公开", "3.result.open", "总计"),
    ("部分公开", "3.result.partial", "总计"),
    ("不予公开", "3.result.not_open", "总计"),
    ("无法提供", "3.result.cannot", "总计"),
    ("不予处理", "3.result.not_handled", "总计"),
    ("行政复议", "4.review", "总计"),
    ("行政诉讼", "4.suit", "总计"),
]
# Group rows the tables print as a sum of their children (不予公开 = 属于国家秘密 + …); the archive stores
# the children, so a group's figure is their sum. 行政诉讼 is the two kinds of suit together.
_GROUPS = {
    "3.result.not_open": "3.result.not_open.%",
    "3.result.cannot": "3.result.cannot.%",
    "3.result.not_handled": "3.result.not_handled.%",
    "4.suit": "4.suit_%",
}


def integer_text(value) -> str:
    """Counts as integers ("4", not "4.0"); a fractional figure (万元) keeps its decimals."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Datasette's English summary of a table page's filters and sort ("sorted by published descending",
# "where kind = "annual_report""), in Chinese: matches "sorted by published descending".
_SORTED_RE = re.compile(r"sorted by (\w+)( descending)?")
# matches "where " at the start of the summary and " and " between two conditions
_WHERE_RE = re.compile(r"^where |(?<= ) ?and (?=\w)")


def describe_zh(text: str | None) -> str:
    if not text:
        return ""
    text = _SORTED_RE.sub(
        lambda m: f"按{column_label(m.group(1))}{'降序' if m.group(2) else '升序'}排列", text
    )
    text = text.replace("search matches ", "检索 ")
    return _WHERE_RE.sub(lambda m: "条件：" if m.group(0) == "where " else "且 ", text)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["zh_col"] = column_label
    env.filters["zh_value"] = lambda value, column: value_label(column, value) or value
    env.filters["zh_kind"] = lambda value: value_label("kind", value) or value
    env.filters["zh_status"] = lambda value: value_label("status", value) or value
    env.filters["integer"] = integer_text
    env.filters["zh_desc"] = describe_zh
    env.filters["zh_crumb"] = page_label
    env.filters["marked"] = marked
    env.filters["reader_order"] = reader_order


def passage(text: str | None, query: str | None) -> str:
    """The search page's passage as plain text (exports): the same window, without <mark> tags."""
    from archive.search import snippet

    return snippet(text, query).replace("<mark>", "").replace("</mark>", "")


@hookimpl
def prepare_connection(conn):
    conn.create_function("nianbao_passage", 2, passage, deterministic=True)


@hookimpl
def render_cell(value, column, database):
    """Stored codes read in Chinese (年报, 逾期), the code kept as the tooltip; counts stored as REAL show as
    integers."""
    if database != DATABASE:
        return None
    label = value_label(column, value)
    if label:
        return Markup(f'<span title="{escape(value)}">{escape(label)}</span>')
    if column in ("value", "applications_received", "requests", "applications") and isinstance(
        value, float
    ):
        return integer_text(value)
    return None


async def key_figures(db, bureau_ids: list[str], years: list[int] | None = None) -> list[dict]:
    """One row per (bureau, year) an annual report was archived for, with the KEY_FIGURES; a figure the
    report left empty or that could not be read is None."""
    if not bureau_ids:
        return []
    marks = ",".join("?" for _ in bureau_ids)
    year_sql = ""
    params: list = list(bureau_ids)
    if years:
        year_sql = f" AND r.year IN ({','.join('?' for _ in years)})"
        params += list(years)
    parts = []
    for label, code, col in KEY_FIGURES:
        pattern = _GROUPS.get(code)
        where = "s.item_code LIKE ?" if pattern else "s.item_code = ?"
        parts.append(
            f"(SELECT sum(s.value) FROM disclosure_stats s WHERE s.report_id = r.id AND {where} "
            f"AND s.col_label = '{col}') AS [{label}]"
        )
    # parameters of the sub-selects come first, in column order
    figure_params = [_GROUPS.get(code) or code for _, code, _ in KEY_FIGURES]
    sql = (
        "SELECT r.bureau_id, b.name AS bureau, r.year, r.id AS report_id, "
        + ", ".join(parts)
        + " FROM reports r JOIN bureaus b ON b.id = r.bureau_id "
        f"WHERE r.kind = 'annual_report' AND r.year IS NOT NULL AND r.bureau_id IN ({marks}){year_sql} "
        "GROUP BY r.bureau_id, r.year ORDER BY b.name, r.year"
    )
    rows = (await db.execute(sql, figure_params + params)).rows
    return [dict(r) for r in rows]


def year_grid(rows: list[dict], years: list[int]) -> list[dict]:
    """Every year in `years`, with the report's figures or None for a year with no annual report, so a
    missing year is a visible gap rather than a row that is not there."""
    by_year = {r["year"]: r for r in rows}
    return [{"year": y, "row": by_year.get(y)} for y in years]


async def bureau_figures(datasette, bureau_id: str) -> dict:
    db = datasette.get_database(DATABASE)
    rows = await key_figures(db, [bureau_id])
    years: list[int] = []
    if rows:
        # up to the last year coverage counts for this bureau, so the missing recent years show as gaps
        last = (
            await db.execute("SELECT max(year) AS y FROM coverage WHERE bureau_id = ?", [bureau_id])
        ).first()["y"]
        top = max([r["year"] for r in rows] + ([last] if last else []))
        years = list(range(min(r["year"] for r in rows), top + 1))
    return {
        "figure_labels": [f[0] for f in KEY_FIGURES],
        "figure_grid": year_grid(rows, years),
    }


async def _table_exists(db, name: str) -> bool:
    found = await db.execute(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", [name]
    )
    return bool(found.rows)


async def report_texts(db, report: dict) -> tuple[str, str]:
    """(text as extracted, normalized text) of a report, wherever this archive file keeps them."""
    if "text" in report:
        return report.get("text") or "", report.get("text_normalized") or ""
    if await _table_exists(db, "report_texts"):
        found = await db.execute(
            "SELECT text, text_normalized FROM report_texts WHERE report_id = ?", [report["id"]]
        )
        row = found.first()
        if row:
            return row["text"] or "", row["text_normalized"] or ""
    return "", ""


def citation(report: dict, permalink: str) -> list[tuple[str, str]]:
    """The lines a journalist pastes under a quote: who published what, when, where, and where it is kept."""
    lines = [
        ("发布机构", report.get("bureau_name") or report.get("bureau_id") or ""),
        ("标题", report.get("title") or ""),
        ("发布日期", report.get("published") or "未注明"),
    ]
    if report.get("index_no"):
        lines.append(("索引号", report["index_no"]))
    lines += [
        ("原文链接", report.get("url") or ""),
        ("存档日期", (report.get("first_seen") or "")[:10]),
        ("存档链接", permalink),
    ]
    return lines


async def report_extras(datasette, report: dict, request, paragraphs) -> dict:
    """What the report page adds to the row: the repaired text (or, with ?_text=extracted, the text exactly
    as extracted) in paragraphs, the statutory tables as printed, archived images, the citation block."""
    db = datasette.get_database(DATABASE)
    text, _ = await report_texts(db, report)
    mode = "extracted" if request.args.get("_text") == "extracted" else "repaired"
    out: dict = {
        "text_mode": mode,
        "blocks": paragraphs(text if mode == "extracted" else repair(text)),
    }
    out["report_chars"] = len(text)
    path = datasette.urls.row(DATABASE, "reports", report["id"])
    out["permalink"] = f"{request.scheme}://{request.host}{path}"
    out["citation"] = citation(report, out["permalink"])
    out["stat_layout"] = []
    if await _table_exists(db, "disclosure_stats"):
        cells = [
            dict(r)
            for r in (
                await db.execute(
                    "SELECT section, item_code, row_label, col_label, value, raw FROM disclosure_stats "
                    "WHERE report_id = ? ORDER BY rowid",
                    [report["id"]],
                )
            ).rows
        ]
        parents = {
            r["code"]: r["parent"]
            for r in (
                await db.execute("SELECT code, parent FROM stat_items WHERE axis = 'row'")
            ).rows
        }
        out["stat_layout"] = [
            {**sec, "title": statlayout.SECTION_TITLES.get(sec["section"], sec["section"])}
            for sec in statlayout.layout(cells, parents)
        ]
    out["version_diffs"] = []
    if await _table_exists(db, "report_versions"):
        versions = await db.execute(
            "SELECT version, text FROM report_versions WHERE report_id = ?", [report["id"]]
        )
        out["version_diffs"] = version_diffs([dict(r) for r in versions.rows])
    out["archived_images"] = []
    if await _table_exists(db, "report_images"):
        out["archived_images"] = [
            dict(r)
            for r in (
                await db.execute(
                    "SELECT * FROM report_images WHERE report_id = ? ORDER BY position",
                    [report["id"]],
                )
            ).rows
        ]
    return out


def version_diffs(versions: list[dict], context: int = 1) -> list[dict]:
    """Each change between consecutive stored versions as changed lines with a line of context, newest
    change first (versions arrive newest first)."""
    ordered = sorted((v for v in versions if v.get("text") is not None), key=lambda v: v["version"])
    out = []
    for old, new in zip(ordered, ordered[1:], strict=False):
        a, b = old["text"].splitlines(), new["text"].splitlines()
        lines = []
        for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
            for tag, i1, i2, j1, j2 in group:
                if tag == "equal":
                    lines += [("ctx", line) for line in a[i1:i2]]
                    continue
                lines += [("del", line) for line in a[i1:i2]]
                lines += [("add", line) for line in b[j1:j2]]
        out.append({"old": old["version"], "new": new["version"], "lines": lines})
    return out[::-1]


def gzip_member(path: Path, offset: int) -> bytes:
    """The one gzip member (a WARC record, as crawler/warc.py writes them) starting at `offset`."""
    with path.open("rb") as f:
        f.seek(offset)
        inflater = zlib.decompressobj(wbits=31)
        taken = bytearray()
        while not inflater.eof:
            chunk = f.read(65536)
            if not chunk:
                raise ValueError("truncated WARC record")
            inflater.decompress(chunk)
            taken += chunk
        return bytes(taken[: len(taken) - len(inflater.unused_data)])


async def warc_record(datasette, request):
    """/-/warc/<report id>: the WARC response record the report's text was extracted from, as stored."""
    db = datasette.get_database(DATABASE)
    rid = request.url_vars["report_id"]
    row = (
        await db.execute("SELECT warc_file, warc_offset FROM reports WHERE id = ?", [rid])
    ).first()
    name = row["warc_file"] if row else None
    if not name or "/" in name or "\\" in name or name.startswith(".") or db.path is None:
        return Response.text("没有该报告的 WARC 记录", status=404)
    path = Path(db.path).resolve().parent / "warc" / name
    if not path.is_file():
        return Response.text("WARC 文件不在本机", status=404)
    data = gzip_member(path, int(row["warc_offset"] or 0))
    return Response(
        data,
        content_type="application/warc",
        headers={"content-disposition": f'attachment; filename="nianbao-{rid}.warc.gz"'},
    )


async def home_vars(datasette) -> dict:
    db = datasette.get_database(DATABASE)
    one = await db.execute(
        "SELECT (SELECT count(*) FROM reports) AS reports, "
        "(SELECT count(*) FROM reports WHERE kind = 'annual_report') AS annual_reports, "
        "(SELECT min(year) FROM reports WHERE kind = 'annual_report') AS first_year, "
        "(SELECT max(year) FROM reports WHERE kind = 'annual_report') AS last_year"
    )
    coverage = await db.execute("SELECT status, count(*) AS n FROM coverage GROUP BY status")
    bureaus = await db.execute(
        "SELECT b.id, b.name, b.level, b.province, "
        "(SELECT count(*) FROM reports r WHERE r.bureau_id = b.id AND r.kind = 'annual_report') AS n "
        "FROM bureaus b ORDER BY b.province, b.level = 'county', b.level = 'city', b.name"
    )
    return {
        "home": dict(one.first()),
        "home_coverage": {r["status"]: r["n"] for r in coverage.rows},
        "home_bureaus": [dict(r) for r in bureaus.rows],
    }


_LEAD_TABLES = ["reports", "bureaus", "attachments", "report_images"]


def reader_order(tables: list[dict]) -> list[dict]:
    """Tables as a reader looks for them: the reports first, then bureaus, files, and the rest by name."""
    rank = {name: i for i, name in enumerate(_LEAD_TABLES)}
    return sorted(tables, key=lambda t: (rank.get(t["name"], len(rank)), t["name"]))


def marked(value) -> Markup:
    """A passage from nianbao_snippet: escaped, with only its <mark> tags let through."""
    escaped = str(escape(value or ""))
    return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


async def search_page_vars(datasette, request) -> dict:
    db = datasette.get_database(DATABASE)
    bureaus = await db.execute("SELECT id, name, province FROM bureaus ORDER BY province, name")
    page = request.args.get("page") or "1"
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    args = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(request.query_string)
        if k != "page" and k[:1] != "_"
    ]
    return {
        "search_bureaus": [dict(r) for r in bureaus.rows],
        "search_provinces": sorted({r["province"] for r in bureaus.rows if r["province"]}),
        "search_page_number": number,
        # what the query searches for: nothing for a blank query or a lone quote (escape_fts gives '')
        "search_has_terms": bool(escape_fts((request.args.get("q") or "").strip())),
        "search_export_args": urllib.parse.urlencode([*args, ("page", "all")]),
        "search_prev_url": request.path
        + "?"
        + urllib.parse.urlencode([*args, ("page", number - 1)]),
        "search_next_url": request.path
        + "?"
        + urllib.parse.urlencode([*args, ("page", number + 1)]),
    }


@hookimpl
def extra_template_vars(view_name, request, datasette):
    if view_name == "index":

        async def home():
            return await home_vars(datasette)

        return home
    if request is not None and request.path.rstrip("/").endswith("/archive/search_reports"):

        async def search():
            return await search_page_vars(datasette, request)

        return search
    return {}


def _ints(values: list[str]) -> list[int]:
    out = []
    for v in values:
        for part in v.replace("，", ",").split(","):
            part = part.strip()
            if part.isdigit() and len(part) == 4:
                out.append(int(part))
    return sorted(set(out))


async def compare_page(datasette, request):
    """/-/compare?bureau=ID&bureau=ID&province=…&year=2020&year=2021[&_format=csv|json]: the key figures
    of the chosen bureaus (or every bureau of a province) and years side by side."""
    db = datasette.get_database(DATABASE)
    all_bureaus = [
        dict(r)
        for r in (
            await db.execute(
                "SELECT id, name, province, level FROM bureaus ORDER BY province, name"
            )
        ).rows
    ]
    known = {b["id"] for b in all_bureaus}
    chosen = [b for b in request.args.getlist("bureau") if b in known]
    province = (request.args.get("province") or "").strip()
    if province:
        chosen += [
            b["id"] for b in all_bureaus if b["province"] == province and b["id"] not in chosen
        ]
    years = _ints(request.args.getlist("year"))
    rows = await key_figures(db, chosen, years or None)
    if not years and rows:
        years = list(range(min(r["year"] for r in rows), max(r["year"] for r in rows) + 1))
    labels = [f[0] for f in KEY_FIGURES]
    names = {b["id"]: b["name"] for b in all_bureaus}
    table = []
    for bid in chosen:
        mine = [r for r in rows if r["bureau_id"] == bid]
        for cell in year_grid(mine, years):
            table.append(
                {"bureau_id": bid, "bureau": names[bid], "year": cell["year"], "row": cell["row"]}
            )
    fmt = request.args.get("_format")
    if fmt in ("csv", "json"):
        records = []
        for t in table:
            rec = {"bureau_id": t["bureau_id"], "机构": t["bureau"], "报告年度": t["year"]}
            rec["报告编号"] = t["row"]["report_id"] if t["row"] else None
            for label in labels:
                v = t["row"][label] if t["row"] else None
                rec[label] = int(v) if isinstance(v, float) and v.is_integer() else v
            records.append(rec)
        if fmt == "json":
            return Response.json(records)
        buf = io.StringIO()
        writer = csv.DictWriter(
            buf, fieldnames=["bureau_id", "机构", "报告年度", "报告编号", *labels]
        )
        writer.writeheader()
        writer.writerows(records)
        return Response(
            buf.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="nianbao-compare.csv"'},
        )
    query = request.query_string
    return Response.html(
        await datasette.render_template(
            "nianbao_compare.html",
            {
                "all_bureaus": all_bureaus,
                "provinces": sorted({b["province"] for b in all_bureaus if b["province"]}),
                "chosen": chosen,
                "province": province,
                "years": years,
                "labels": labels,
                "table": table,
                "csv_url": "/-/compare?" + (query + "&" if query else "") + "_format=csv",
                "json_url": "/-/compare?" + (query + "&" if query else "") + "_format=json",
            },
            request=request,
        )
    )


async def static_script(request):
    return Response(
        (STATIC / "nianbao.js").read_text(encoding="utf-8"),
        content_type="application/javascript; charset=utf-8",
        headers={"cache-control": "max-age=300"},
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/compare$", compare_page),
        (r"^/-/nianbao/nianbao\.js$", static_script),
        (r"^/-/warc/(?P<report_id>[0-9a-f]{16})$", warc_record),
    ]


__all__ = ["KEY_FIGURES", "bureau_figures", "integer_text", "key_figures"]
