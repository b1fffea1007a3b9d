"""The statutory tables read from annual reports (archive/tables/ fills them), one row per cell.

Declared as archive/shape/__init__.py explains; a new column goes here and in a new migration.
"""

from __future__ import annotations

from archive.shape.model import Column, Table

C = Column

TABLES: tuple[Table, ...] = (
    Table(
        "stat_items",
        "统计表代码表",
        "法定统计表的规范行列代码，以及 2019、2021 模板的印法。",
        (
            C("section", "TEXT NOT NULL", "二、三或四。"),
            C("axis", "TEXT NOT NULL", "row（行）或 col（列）。"),
            C("code", "TEXT NOT NULL", "规范代码，如 2.permit、3.new、natural。"),
            C("label", "TEXT NOT NULL", "disclosure_stats 中所示的规范标签。"),
            C("label_2019", "TEXT", "2019 模板的印法；该模板中没有则为空。"),
            C("label_2021", "TEXT", "2021 模板的印法。"),
            C("parent", "TEXT", "第三部分：跨过本行的分组行（不予公开 等）。"),
            C("note", "TEXT", "备注。"),
        ),
        primary_key=("section", "axis", "code"),
    ),
    Table(
        "disclosure_stats",
        "法定统计表（单元格）",
        "2019 年以来每份年报的法定统计表（第二、三、四部分），每个单元格一行。2019 和 2021 模板共用代码（见 stat_items）；空格为 NULL，印为 0 的为 0。",
        (
            C("report_id", "TEXT NOT NULL REFERENCES reports(id)", "所属报告（reports.id）。"),
            C("section", "TEXT NOT NULL", "二 主动公开，三 依申请公开，四 行政复议/行政诉讼。"),
            C(
                "item_code",
                "TEXT NOT NULL",
                "规范行代码（stat_items.code），如 2.permit、3.new、3.result.not_open.secret、4.review。",
            ),
            C("row_label", "TEXT NOT NULL", "规范行标签。"),
            C(
                "col_label",
                "TEXT NOT NULL",
                "规范列标签，如 自然人、总计、处理决定数量、结果维持。",
            ),
            C("value", "REAL", "数值；报告中该单元格留空时为 NULL。"),
            C("raw", "TEXT", "单元格的原样印法，如 123.45万元。"),
            C(
                "template",
                "TEXT",
                "报告所用版式（archive/tables/templates）：2019、2021 或变体如 2021-single-other；由所印的行和列判断，不按年度。",
            ),
            C(
                "method",
                "TEXT",
                "单元格的读取方式：html（网页表格）、pdf-lines（有框线的 PDF 表格）、pdf-words（PDF 文字行）、text（存档正文或转换所得文字）、ocr（扫描页）。",
            ),
            C("page", "INTEGER", "读取该单元格的 PDF 页（1 为第一页）；网页和文字为空。"),
            C("label", "TEXT", "报告中所印的行标签（保留错字）。"),
            C(
                "label_distance",
                "INTEGER",
                "所印标签与模板写法之间的编辑距离：0 完全一致，1-2 容许的错字，更大：该行按模板的固定行序定位。",
            ),
            C("confidence", "REAL", "读取的可信度，0-1：OCR 的识别得分；文字层为 1。"),
            C(
                "arithmetic",
                "TEXT",
                "按原样读出时为空；split：数字连在一起，按表内合计拆分；filled：转换中丢失（或 OCR 未能识别）的单元格，由其所在行和列的合计补出；corrected：低可信度的 OCR 数字，在其行、列合计一致时被更正；ambiguous：有多种读法都成立，数值留空。",
            ),
        ),
        primary_key=("report_id", "section", "item_code", "col_label"),
    ),
    Table(
        "stats_checks",
        "统计表校验",
        "每份报告统计表应满足的合计关系，每条校验一行；ok = 0 表示数字对不上，NULL 表示无法校验。",
        (
            C("report_id", "TEXT NOT NULL REFERENCES reports(id)", "所属报告（reports.id）。"),
            C(
                "rule",
                "TEXT NOT NULL",
                "所校验的合计关系，如 三 一+二 = 三(七)总计 + 四 [自然人]。",
            ),
            C("expected", "", "按规则由其他单元格算出的值（数字），或所要查找的内容。"),
            C("actual", "", "所印的合计（数字），或表格无法读取的原因。"),
            C("ok", "INTEGER", "1 对得上，0 对不上，NULL 无法校验。"),
            C(
                "evidence",
                "TEXT",
                "数字的出处：单元格、报告正文中的句子（正文 规则），或上一年的报告（跨年 规则）。",
            ),
        ),
        primary_key=("report_id", "rule"),
    ),
    Table(
        "stat_labels",
        "统计表印法（长表）",
        "每个模板（及版式变体）印出的每个行、列和分组标签，一行一个写法：印法（printed）和实际报告中见到的其他写法（variant）。",
        (
            C("template", "TEXT NOT NULL", "模板或版式变体编号（2019、2021、2021-single-other）。"),
            C("section", "TEXT NOT NULL", "二、三或四。"),
            C(
                "axis",
                "TEXT NOT NULL",
                "row（行）、col（列）或 group（第三部分中跨多个子行的分组行）。",
            ),
            C(
                "code",
                "TEXT NOT NULL",
                "stat_items.code（分组则为分组自身的代码，如 3.result.not_open）。",
            ),
            C("label", "TEXT NOT NULL", "该写法。"),
            C("kind", "TEXT NOT NULL", "printed（模板所印）或 variant（报告中见到的其他写法）。"),
            C("position", "INTEGER NOT NULL", "该行或列在模板中的顺序，从 0 起。"),
            C("source", "TEXT", "archive/tables/templates/ 下的模板文件。"),
        ),
        primary_key=("template", "section", "axis", "code", "label"),
    ),
    Table(
        "stats_status",
        "统计表读取状态",
        "每份年报一行：统计表是否完整读出；不完整的列入 tables_to_review。",
        (
            C("report_id", "TEXT PRIMARY KEY REFERENCES reports(id)", "所属报告（reports.id）。"),
            C("template", "TEXT", "读出的版式；未找到表格时为空。"),
            C("method", "TEXT", "表格的读取方式（html、pdf-lines、pdf-words、text、ocr）。"),
            C("complete", "INTEGER NOT NULL", "1 版式中每个单元格都按原样读出；0 需复核。"),
            C("cells", "INTEGER NOT NULL", "读出的单元格数。"),
            C("unread", "INTEGER NOT NULL", "未找到、有歧义、补出或更正的单元格数。"),
            C("reason", "TEXT", "不完整的原因，如 'ambiguous; not found'。"),
            C(
                "missing",
                "TEXT",
                "这些单元格的 JSON 列表：section、item_code、col_label、raw 及原因。",
            ),
        ),
    ),
)
