"""Migration 2: the statutory tables (archive/tables/ fills them). Frozen: add a migration to change them."""

from __future__ import annotations

NUMBER = 2
NAME = "statutory tables: disclosure_stats, stats_checks, stat_items"

# The statutory tables as one long table (archive/tables.py fills it). One row per cell: an empty cell is
# a row with value NULL, a printed 0 is 0. item_code and col_label are canonical for both templates, so one
# query compares 2019 with 2021 reports; stat_items says how each template spells them.
STATS_TABLES = {
    "stat_items": """
CREATE TABLE stat_items (
    section TEXT NOT NULL,           -- 二, 三, 四
    axis TEXT NOT NULL,              -- row or col
    code TEXT NOT NULL,              -- e.g. 2.permit, 3.result.not_open.secret, natural
    label TEXT NOT NULL,             -- canonical label, as disclosure_stats shows it
    label_2019 TEXT,                 -- how the 2019 template prints it (NULL: not in that template)
    label_2021 TEXT,                 -- how the 2021 template prints it
    parent TEXT,                     -- section 三: the group row spanning this one (不予公开, ...)
    note TEXT,
    PRIMARY KEY (section, axis, code)
)""",
    "disclosure_stats": """
CREATE TABLE disclosure_stats (
    report_id TEXT NOT NULL REFERENCES reports(id),
    section TEXT NOT NULL,           -- 二, 三, 四
    item_code TEXT NOT NULL,         -- stat_items.code of the row
    row_label TEXT NOT NULL,         -- canonical row label
    col_label TEXT NOT NULL,         -- canonical column label
    value REAL,                      -- NULL when the report left the cell empty
    raw TEXT,                        -- the cell as printed, e.g. 123.45万元
    template TEXT,                   -- 2019 or 2021
    PRIMARY KEY (report_id, section, item_code, col_label)
)""",
    "stats_checks": """
CREATE TABLE stats_checks (
    report_id TEXT NOT NULL REFERENCES reports(id),
    rule TEXT NOT NULL,              -- e.g. 三 一+二 = 三(七)总计 + 四 [自然人]
    expected,                        -- a number, or what was looked for
    actual,                          -- a number, or why the table could not be read
    ok INTEGER,                      -- 1 adds up, 0 does not, NULL could not be checked
    PRIMARY KEY (report_id, rule)
)""",
}
STATS_INDEXES = [
    "CREATE INDEX idx_disclosure_stats_item ON disclosure_stats(item_code, col_label)",
    "CREATE INDEX idx_stats_checks_ok ON stats_checks(ok)",
]
STATS_VIEWS = {
    "report_stats": """
CREATE VIEW report_stats AS
SELECT s.report_id, r.year, b.name AS bureau, b.province, b.level, s.template, s.section,
       s.item_code, s.row_label, s.col_label, s.value, s.raw, r.bureau_id, r.title
FROM disclosure_stats s JOIN reports r ON r.id = s.report_id JOIN bureaus b ON b.id = r.bureau_id""",
}


STATEMENTS = [*STATS_TABLES.values(), *STATS_INDEXES, *STATS_VIEWS.values()]
