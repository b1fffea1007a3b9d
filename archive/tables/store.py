"""The statutory tables in the archive: cells with their evidence, checks, labels and what to review.

disclosure_stats holds one row per cell with how it was read; stats_checks the identities, the prose
and last year's carry-over; stat_items the codes and stat_labels every label each template prints (long
form, so "which reports print 信访投诉举报" is a query); stats_status one row per annual report saying
whether its tables were read completely, and if not, why — the list a person reviews.
"""

from __future__ import annotations

import json

from .checks import carry_over_checks, checks, narrative_checks
from .parse import parse_text
from .result import TableResult
from .template import STAT_ITEMS, templates

__all__ = ["sync_stat_items", "report_tables", "store_report_stats", "restats", "CELL_COLUMNS"]

CELL_COLUMNS = (
    "section", "item_code", "row_label", "col_label", "value", "raw", "template",
    "method", "page", "label", "label_distance", "confidence", "arithmetic",
)  # fmt: skip
CHECK_COLUMNS = ("rule", "expected", "actual", "ok", "evidence")
STATUS_COLUMNS = ("template", "method", "complete", "cells", "unread", "reason", "missing")


def _printed(code: str, section: str, axis: str, tid: str) -> str | None:
    t = next(t for t in templates() if t.id == tid)
    sec = t.sections.get(section)
    if sec is None:
        return None
    line = sec.row(code) if axis == "row" else sec.col(code)
    return line.label if line else None


def sync_stat_items(conn) -> None:
    """Keep stat_items and stat_labels equal to the template files; unchanged rows are not rewritten."""
    for i in STAT_ITEMS:
        row = [i.section, i.axis, i.code, i.label, _printed(i.code, i.section, i.axis, "2019"),
               _printed(i.code, i.section, i.axis, "2021"), i.group, i.note or None]  # fmt: skip
        conn.execute(
            "INSERT INTO stat_items (section, axis, code, label, label_2019, label_2021, parent, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(section, axis, code) DO UPDATE SET "
            "label = excluded.label, label_2019 = excluded.label_2019, "
            "label_2021 = excluded.label_2021, parent = excluded.parent, note = excluded.note "
            "WHERE label IS NOT excluded.label OR label_2019 IS NOT excluded.label_2019 "
            "OR label_2021 IS NOT excluded.label_2021 OR parent IS NOT excluded.parent "
            "OR note IS NOT excluded.note",
            row,
        )
    want = set()
    for t in templates():
        for name, sec in t.sections.items():
            for axis, lines in (("row", sec.rows), ("col", sec.cols), ("group", sec.groups)):
                for pos, line in enumerate(lines):
                    for n, spelling in enumerate(line.labels):
                        kind = "printed" if n == 0 else "variant"
                        want.add((t.id, name, axis, line.code, spelling, kind, pos, t.source))
    have = set(conn.execute(
        "SELECT template, section, axis, code, label, kind, position, source FROM stat_labels"
    ).fetchall())  # fmt: skip
    if have != want:
        conn.execute("DELETE FROM stat_labels")
        conn.executemany("INSERT INTO stat_labels VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sorted(want))


def report_tables(
    text: str, year: int | None, attachment_texts=(), method: str | None = None
) -> TableResult:
    """The tables of one report: from its page text, or, when the page carries none of them (a short
    page with the tables only in the PDF or Word file under 附件), from the attachment text that has
    the most of them. The page wins any tie, so an attachment never overrides tables the page prints.

    `method` 'ocr' says the page text was read by OCR from the report's images (reports.text_source):
    its cells are marked so, not as typed text. An attachment text may come as (text, text_source),
    so the tables of a scanned PDF under 附件, read from its OCR text, are marked 'ocr' too."""
    result = _marked(parse_text(text or "", year), method)
    if len(result.problems) < 3:
        return result
    for extra in attachment_texts:
        extra, how = extra if isinstance(extra, tuple) else (extra, None)
        if extra:
            candidate = parse_text(extra, year)
            if len(candidate.problems) < len(result.problems):
                result = _marked(candidate, how)
    return result


def _marked(result: TableResult, method: str | None) -> TableResult:
    """Cells read from typed text keep 'text'; from a text that OCR made, 'ocr' (or what made it)."""
    if method:
        result.method = method if result.method == "text" else result.method
        for cell in result.cells:
            cell["method"] = method if cell.get("method") == "text" else cell.get("method")
    return result


def _db(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _carry_over(conn, report_id: str, result: TableResult) -> list[dict]:
    got = conn.execute("SELECT bureau_id, year FROM reports WHERE id = ?", [report_id]).fetchone()
    if not got or got[1] is None or "三" in result.problems:
        return []
    last = conn.execute(
        "SELECT r.id FROM reports r WHERE r.bureau_id = ? AND r.year = ? AND r.kind = 'annual_report' "
        "AND r.id != ? AND EXISTS (SELECT 1 FROM disclosure_stats s WHERE s.report_id = r.id "
        "AND s.item_code = '3.next_year') ORDER BY r.published LIMIT 1",
        [got[0], got[1] - 1, report_id],
    ).fetchone()
    if not last:
        return []
    before = dict(conn.execute(
        "SELECT col_label, value FROM disclosure_stats WHERE report_id = ? AND item_code = '3.next_year'",
        [last[0]],
    ).fetchall())  # fmt: skip
    now = {c["col_label"]: c["value"] for c in result.cells if c["item_code"] == "3.carried"}
    if not now:
        return []
    return carry_over_checks(now, before, last[0])


def _status(result: TableResult) -> tuple:
    missing = result.missing
    reasons = sorted({m["why"] for m in missing})
    return (
        result.template,
        result.method,
        int(result.complete),
        len(result.cells),
        sum(1 for m in missing if m.get("item_code")),
        "; ".join(reasons) or None,
        json.dumps(missing[:200], ensure_ascii=False) if missing else None,
    )


def _rows(conn, report_id: str, result: TableResult, text: str) -> tuple[list, list, tuple]:
    cells = [tuple(_db(c.get(k)) for k in CELL_COLUMNS) for c in result.cells]
    found = checks(result) + narrative_checks(result, text) + _carry_over(conn, report_id, result)
    found_rows = [tuple(_db(k[c]) for c in CHECK_COLUMNS) for k in found]
    # Duplicate keys (a row printed twice) keep their first reading, as the UNIQUE keys do in the table.
    cells = list({(c[0], c[1], c[3]): c for c in reversed(cells)}.values())[::-1]
    found_rows = list({k[0]: k for k in reversed(found_rows)}.values())[::-1]
    return cells, found_rows, _status(result)


def store_report_stats(
    conn, report_id: str, text: str, year: int | None, attachment_texts=(), method=None
) -> TableResult | None:
    """Make one report's cells, checks and status those its text (or its attachments' text) gives,
    inside the caller's transaction. Rows already equal are left alone, so a re-crawl or a second
    `restats` writes nothing; returns the result when something was written, None when not."""
    result = report_tables(text, year, attachment_texts, method)
    cells, found, status = _rows(conn, report_id, result, text or "")
    cols = ", ".join(CELL_COLUMNS)
    old_cells = conn.execute(
        f"SELECT {cols} FROM disclosure_stats WHERE report_id = ?", [report_id]
    ).fetchall()
    old_checks = conn.execute(
        f"SELECT {', '.join(CHECK_COLUMNS)} FROM stats_checks WHERE report_id = ?", [report_id]
    ).fetchall()
    old_status = conn.execute(
        f"SELECT {', '.join(STATUS_COLUMNS)} FROM stats_status WHERE report_id = ?", [report_id]
    ).fetchone()
    if (
        sorted(map(tuple, old_cells), key=repr) == sorted(cells, key=repr)
        and sorted(map(tuple, old_checks), key=repr) == sorted(found, key=repr)
        and (tuple(old_status) if old_status else None) == status
    ):
        return None
    conn.execute("DELETE FROM disclosure_stats WHERE report_id = ?", [report_id])
    conn.execute("DELETE FROM stats_checks WHERE report_id = ?", [report_id])
    conn.execute("DELETE FROM stats_status WHERE report_id = ?", [report_id])
    marks = ", ".join("?" * (len(CELL_COLUMNS) + 1))
    conn.executemany(
        f"INSERT INTO disclosure_stats (report_id, {cols}) VALUES ({marks})",
        [(report_id, *c) for c in cells],
    )
    conn.executemany(
        f"INSERT INTO stats_checks (report_id, {', '.join(CHECK_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
        [(report_id, *k) for k in found],
    )
    conn.execute(
        f"INSERT INTO stats_status (report_id, {', '.join(STATUS_COLUMNS)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [report_id, *status],
    )
    _refresh_next_year(conn, report_id)
    return result


def _refresh_next_year(conn, report_id: str) -> None:
    """The carry-over check of the same bureau's next report reads this one: keep it current, so the
    checks do not depend on the order the reports were saved in."""
    got = conn.execute("SELECT bureau_id, year FROM reports WHERE id = ?", [report_id]).fetchone()
    if not got or got[1] is None:
        return
    # EXISTS, not IN (SELECT …): the IN list was every carried-over cell of the archive, built on each save
    for (nxt,) in conn.execute(
        "SELECT r.id FROM reports r WHERE r.bureau_id = ? AND r.year = ? "
        "AND r.kind = 'annual_report' AND EXISTS (SELECT 1 FROM disclosure_stats d "
        "WHERE d.report_id = r.id AND d.item_code = '3.carried')",
        [got[0], got[1] + 1],
    ).fetchall():
        cells = [
            {"item_code": "3.carried", "col_label": col, "value": value}
            for col, value in conn.execute(
                "SELECT col_label, value FROM disclosure_stats WHERE report_id = ? "
                "AND item_code = '3.carried'",
                [nxt],
            )
        ]
        result = TableResult("carry-over", cells)
        new = [tuple(_db(k[c]) for c in CHECK_COLUMNS) for k in _carry_over(conn, nxt, result)]
        old = conn.execute(
            f"SELECT {', '.join(CHECK_COLUMNS)} FROM stats_checks WHERE report_id = ? "
            "AND rule LIKE '跨年%'",
            [nxt],
        ).fetchall()
        if sorted(map(tuple, old), key=repr) != sorted(new, key=repr):
            conn.execute(
                "DELETE FROM stats_checks WHERE report_id = ? AND rule LIKE '跨年%'", [nxt]
            )
            conn.executemany(
                f"INSERT INTO stats_checks (report_id, {', '.join(CHECK_COLUMNS)}) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(nxt, *k) for k in new],
            )


def clear_report_stats(conn, report_id: str) -> None:
    for table in ("disclosure_stats", "stats_checks", "stats_status"):
        conn.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])


def restats(conn) -> dict[str, int]:
    """Recompute disclosure_stats, stats_checks and stats_status for every annual report of an archive,
    oldest year first (so each year's carry-over is checked against last year's as just computed).
    Reports that are not annual reports lose any stats they had. Idempotent: a second run writes nothing."""
    from archive.schema import transaction

    counts = {"annual_reports": 0, "rewritten": 0, "cleared": 0}
    with transaction(conn):
        sync_stat_items(conn)
        attachments: dict[str, list[tuple[str, str | None]]] = {}
        for rid, text, source in conn.execute(
            "SELECT report_id, text, text_source FROM attachments WHERE text IS NOT NULL "
            "ORDER BY report_id, position"
        ):
            attachments.setdefault(rid, []).append((text, source))
        reports = conn.execute(
            "SELECT id, text, year, text_source FROM reports_with_text "
            "WHERE kind = 'annual_report' ORDER BY year IS NULL, year, id"
        ).fetchall()
        for rid, text, year, source in reports:
            counts["annual_reports"] += 1
            got = store_report_stats(conn, rid, text, year, attachments.get(rid, ()), source)
            if got is not None:
                counts["rewritten"] += 1
        for table in ("disclosure_stats", "stats_checks", "stats_status"):
            counts["cleared"] += conn.execute(
                f"DELETE FROM {table} WHERE report_id NOT IN "
                "(SELECT id FROM reports WHERE kind = 'annual_report')"
            ).rowcount
    return counts
