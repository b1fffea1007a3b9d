"""Numbers one can compare: the key figures of the statutory tables per bureau and year, on the bureau page
(every year from the first to the last, a missing year a visible gap) and on /-/compare, where one picks
bureaus or a province and years and exports the same table as CSV or JSON."""

from __future__ import annotations

import csv
import io

from datasette import Response

from archive.reader.common import DATABASE

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
