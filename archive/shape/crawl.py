"""The crawl's own bookkeeping: the bureaus crawled, each run, each failure, and which migrations a file has seen.

Declared as archive/shape/__init__.py explains; a new column goes here and in a new migration.
"""

from __future__ import annotations

from archive.shape.model import ITEM, Column, Table

C = Column

TABLES: tuple[Table, ...] = (
    Table(
        "_migrations",
        "结构迁移",
        "本档案文件已执行的结构迁移（archive/migrations/，每步一个模块，发布后不再修改）。",
        (
            C("id", "INTEGER PRIMARY KEY", "迁移编号（archive/migrations/ 中各步的顺序号）。"),
            C("name", "TEXT NOT NULL", "迁移名称。"),
            C("applied_at", "TEXT NOT NULL", "执行该迁移的时间（UTC，ISO 8601）。"),
        ),
    ),
    Table(
        "bureaus",
        "机构",
        "抓取其门户网站的交通运输部门，登记表中每个机构一行。",
        (
            C("id", "TEXT PRIMARY KEY", "登记表中的编号，如 henan-jtt；各次抓取之间不变。", ITEM),
            C("name", "TEXT NOT NULL", "正式名称，如 河南省交通运输厅。", ITEM),
            C("level", "TEXT", "行政层级：province（省级）、city（市级）或 county（县级）。", ITEM),
            C("province", "TEXT", "机构所属省份。", ITEM),
            C("region_code", "TEXT", "六位行政区划代码（GB/T 2260），如 410000。", ITEM),
            C("homepage", "TEXT", "门户网站首页网址。", ITEM),
            C(
                "family",
                "TEXT",
                "门户所用网站系统（CMS 家族：trs、hanweb 等），即由哪个抓取适配器读取。",
                ITEM,
            ),
            C("columns", "TEXT", "抓取的信息公开栏目网址（JSON 列表）。", ITEM),
            C(
                "verified",
                "INTEGER NOT NULL DEFAULT 0",
                "1 表示有人对照线上门户核对过这一登记行，否则为 0。",
                ITEM,
            ),
            C(
                "discovered_column",
                "TEXT",
                "只登记首页的机构，由栏目发现找到的年报栏目；其他情况为空。",
            ),
            C("discovered_from", "TEXT", "指向 discovered_column 的链接：链接文字及其所在页面。"),
            C(
                "discovered_at",
                "TEXT",
                "栏目发现首次选定 discovered_column 的时间（UTC）；选择不变则保持不变。",
            ),
        ),
    ),
    Table(
        "crawl_runs",
        "抓取批次",
        "每次抓取一行。",
        (
            C(
                "id",
                "TEXT PRIMARY KEY",
                "批次编号：开始时间（UTC，精确到毫秒）加随机后缀，如 20261123T125558123Z-784e7f。",
            ),
            C("start", "TEXT NOT NULL", "开始时间（UTC，ISO 8601）。"),
            C(
                "end",
                "TEXT",
                "结束时间（UTC，ISO 8601）；运行中为空。被强行终止的批次为其最后一次写入的时间，由下一批次补填。",
            ),
            C("registry", "TEXT", "所抓取的登记表：sample、bureaus 或某个 YAML 文件路径。"),
            C("new_reports", "INTEGER", "本批次首次存入的报告数。"),
            C("changed_reports", "INTEGER", "本批次替换了所存版本的报告数。"),
            C("unchanged_reports", "INTEGER", "再次发现且未变化的报告数。"),
            C("errors", "INTEGER", "本批次写入 crawl_errors 的行数。"),
            C(
                "stats",
                "TEXT",
                "Scrapy 统计（JSON），键名沿用 Scrapy 的命名（downloader/response_bytes 以字节计，elapsed_time_seconds 以秒计，等等）。",
            ),
            C("removed_reports", "INTEGER", "本批次发现已不在其栏目中列出的报告数。"),
            C("requests", "INTEGER", "发出的 HTTP 请求数（downloader/request_count）。"),
            C("response_bytes", "INTEGER", "下载的字节数（downloader/response_bytes）。"),
            C("errors_by_reason", "TEXT", "JSON 对象：本批次各类错误 → 次数。"),
            C("warc_file", "TEXT", "本批次的 WARC 文件，相对 data/warc/。"),
            C(
                "status",
                "TEXT",
                "finished（完成）；interrupted（中断：被 SIGTERM / Ctrl-C 停止、强制停止、以 finished 以外的原因关闭，或被终止后由之后的批次发现已停止）；运行中为空。",
            ),
        ),
    ),
    Table(
        "crawl_errors",
        "抓取错误",
        "抓取未能存档的页面及原因。",
        (
            C(
                "id",
                "TEXT PRIMARY KEY",
                "稳定编号：抓取批次、网址和原因的 sha1 的前 16 位十六进制。",
            ),
            C("run", "TEXT", "抓取批次（crawl_runs.id）。"),
            C("url", "TEXT NOT NULL", "出错的页面。"),
            C("reason", "TEXT NOT NULL", "出错原因（HTTP 错误、提取失败等）。"),
            C("status", "INTEGER", "HTTP 状态码；没有响应时为空。"),
            C("bureau_id", "TEXT REFERENCES bureaus(id)", "该页面所属门户的机构。"),
            C("time", "TEXT NOT NULL", "出错时间（UTC，ISO 8601）。"),
        ),
    ),
)
