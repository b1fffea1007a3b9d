"""The report page as the copy one reads and cites: the text repaired (or exactly as extracted), the
statutory tables laid out as printed, the archived images, the stored versions as a diff, and the citation a
journalist pastes under a quote."""

from __future__ import annotations

import difflib

from archive import statlayout
from archive.reader.common import DATABASE, table_exists
from archive.textnorm import repair


async def report_texts(db, report: dict) -> tuple[str, str]:
    """(text as extracted, normalized text) of a report, wherever this archive file keeps them."""
    if "text" in report:
        return report.get("text") or "", report.get("text_normalized") or ""
    if await table_exists(db, "report_texts"):
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
    if await table_exists(db, "disclosure_stats"):
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
    if await table_exists(db, "report_versions"):
        versions = await db.execute(
            "SELECT version, text FROM report_versions WHERE report_id = ?", [report["id"]]
        )
        out["version_diffs"] = version_diffs([dict(r) for r in versions.rows])
    out["archived_images"] = []
    if await table_exists(db, "report_images"):
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
