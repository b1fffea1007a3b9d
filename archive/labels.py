"""Chinese words for the codes the archive stores.

The archive keeps stable English codes (kind = annual_report, coverage status = late) because queries, exports
and tests depend on them; a reader of Chinese reports should see 年报 and 逾期. Templates and cell renderers
translate through these tables only at display time, so nothing stored changes.
"""

from __future__ import annotations

KINDS = {
    "annual_report": "年报",
    "work_plan": "工作要点",
    "interpretation": "解读",
    "guide": "指南",
    "other": "其他",
}

STATUSES = {"published": "按时", "late": "逾期", "missing": "缺失", "no report found": "未找到年报"}

LEVELS = {"province": "省级", "city": "市级", "county": "县级"}

# Column headers shown in tables and facets; the stored name stays visible in the header's tooltip.
COLUMNS = {
    "id": "编号",
    "report_id": "报告编号",
    "bureau_id": "机构",
    "bureau": "机构",
    "name": "名称",
    "kind": "类别",
    "year": "报告年度",
    "title": "标题",
    "published": "发布日期",
    "url": "原文链接",
    "column_url": "栏目链接",
    "chars": "字数",
    "content_hash": "内容哈希",
    "site_name": "网站名称",
    "site_id_code": "网站标识码",
    "index_no": "索引号",
    "publisher": "发布机构",
    "doc_no": "文号",
    "written_date": "成文日期",
    "source": "来源",
    "column_name": "栏目名称",
    "family": "网站系统",
    "http_status": "HTTP 状态",
    "first_seen": "首次存档",
    "last_seen": "最近抓取",
    "changed_at": "最近变更",
    "fetched_at": "抓取时间",
    "run_id": "抓取批次",
    "run": "抓取批次",
    "region_code": "行政区划代码",
    "province": "省份",
    "city": "地市",
    "county": "区县",
    "level": "层级",
    "image_only": "图片版",
    "images": "图片",
    "subordinate_unit": "下属单位",
    "removed_at": "下线时间",
    "status": "状态",
    "deadline": "截止日期",
    "days_late": "逾期天数",
    "reports": "报告数",
    "annual_reports": "年报数",
    "first_year": "最早年度",
    "last_year": "最近年度",
    "first_published": "最早发布",
    "crawl_errors": "抓取错误",
    "homepage": "门户首页",
    "columns": "栏目",
    "verified": "已核实",
    "section": "部分",
    "item_code": "项目代码",
    "row_label": "行",
    "col_label": "列",
    "value": "数值",
    "raw": "原文数值",
    "template": "模板",
    "matches": "命中数",
    "snippet": "命中段落",
    "type": "格式",
    "ext": "扩展名",
    "size": "大小（字节）",
    "position": "顺序",
    "reason": "原因",
    "time": "时间",
    "ok": "通过",
    "rule": "校验规则",
    "on_time": "按时",
    "late": "逾期",
    "missing": "缺失",
    "late_years": "逾期年度",
    "missing_years": "缺失年度",
    "applications_received": "收到申请数",
    "requests": "申请数",
    "since": "起始日期",
    "change": "变化",
    "at": "时间",
    "expected": "应为",
    "actual": "实际",
    "q": "检索词",
    "page": "页码",
    "sort": "排序",
}


def value_label(column: str | None, value) -> str | None:
    """The Chinese word for a stored code in `column`, or None when the value is not a code we translate."""
    if not isinstance(value, str):
        return None
    if column == "kind":
        return KINDS.get(value)
    if column == "status":
        return STATUSES.get(value)
    if column == "level":
        return LEVELS.get(value)
    return None


def column_label(column: str) -> str:
    return COLUMNS.get(column, column)


# Breadcrumb and link names of the archive's pages and tables.
PAGES = {
    "home": "首页",
    "archive": "档案库",
    "reports": "全部文件",
    "bureaus": "机构",
    "attachments": "附件",
    "coverage": "按时公开情况",
    "annual_reports": "年报",
    "report_stats": "法定统计表数值",
    "bureau_years": "机构年度年报数",
    "bureau_summary": "机构概况",
    "search_reports": "全文检索",
    "report_images": "图片版报告的图片",
    "report_versions": "历史版本",
    "report_texts": "报告正文",
    "crawl_runs": "抓取批次",
    "crawl_errors": "抓取错误",
    "disclosure_stats": "法定统计表（单元格）",
    # the menu link datasette-dashboards adds to every page
    "Dashboards": "图表",
}


def page_label(name: str) -> str:
    return PAGES.get(name, name)
