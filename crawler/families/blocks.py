"""Which repeated block of dated links on a list page is the column's own list.

A column page holds its list beside other dated lists: 最新信息 and 热点 sidebars, 通知公告 boxes, a
second list of the same template above it. Counting repeats alone takes the sidebar whenever the column
holds fewer reports than the sidebar shows news — and a bureau's report column often holds two or three.
So each group of sibling blocks is judged as a reader would: a heading or container name that says
"latest / hot / news" marks a sidebar; titles naming an annual report, and links under the column's
own folder, mark the list. Only the families' and the generic reader's choice of rows depend on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["block_key", "choose_group", "is_sidebar", "site_key"]

MIN_REPEATS = 3
# How many levels above a group its heading or container name is looked for.
_LABEL_UP = 3
# A heading is short: "最新信息", "热点关注", "年度报告", "政府信息公开年报".
_LABEL_MAX = 20
# Sidebar headings: matches "最新信息", "热点关注", "热门文章", "推荐阅读", "点击排行", "相关链接",
# "工作动态", "图片新闻", "通知公告", "专题专栏".
_SIDE_WORDS_RE = re.compile(
    r"最新|热点|热门|推荐|排行|相关|动态|要闻|新闻|公告|通知|图片|视频|专题|链接"
)
# Sidebar containers by class or id: matches class="side", "sidebar", "right-hot", id="rdgz", "zxxx",
# "zxgk", "tjyd", "xgwz", and the <aside> tag itself.
_SIDE_NAMES_RE = re.compile(
    r"(?:^|[^a-z])(?:side\w*|aside|hot\w*|rank\w*|rdgz|rdxx|rdzt|zxxx|zxgk|zxdt|tjyd|xgwz|xgxx)(?:$|[^a-z])",
    re.I,
)
# A table's header row, no heading: matches "序号 标题 发布日期", "名称 生成时间".
_HEADER_RE = re.compile(r"标题|名称|日期|时间|序号")
# A report's title: matches "2023年政府信息公开工作年度报告", "2019年度信息公开年报", "工作报告",
# "2018年度政府信息公开报告".
_REPORT_RE = re.compile(r"年度报告|年报|工作报告|公开报告")
# The second-level suffixes under which a registrable name has three labels: matches "gov.cn" in
# "jtj.kexi.gov.cn", "com.cn", "org.cn", "net.cn", "edu.cn".
_SUFFIX2_RE = re.compile(r"\.(?:gov|com|org|net|edu|ac)\.[a-z]{2}$")
# An IPv4 address host: matches "127.0.0.1".
_IPV4_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def site_key(host: str | None) -> str | None:
    """The registrable name a host belongs to: `jtj.kexi.gov.cn` and `file.kexi.gov.cn` are one site
    (a bureau's files often sit on the city's file server), `127.0.0.1` only itself."""
    if not host:
        return None
    host = host.lower().rstrip(".")
    if _IPV4_RE.match(host) or ":" in host:
        return host
    labels = host.split(".")
    keep = 3 if _SUFFIX2_RE.search(host) else 2
    return ".".join(labels[-keep:])


def _path(el) -> tuple[str, ...]:
    out = []
    while el is not None:
        out.append(f"{el.tag}.{' '.join((el.get('class') or '').split())}")
        el = el.getparent()
    return tuple(reversed(out))


def block_key(node) -> tuple[str, ...]:
    """A block's group: its parent's tag path and its own tag, not its own class — alternating rows
    (`tr.odd`/`tr.even`) and pinned rows (`li.top`) belong to the list they sit in."""
    return (*_path(node.getparent()), str(node.tag))


def _short_text(el) -> str:
    text = " ".join(el.text_content().split()) if isinstance(el.tag, str) else ""
    return text if 0 < len(text) <= _LABEL_MAX else ""


def is_sidebar(first_block) -> bool:
    """Whether the group starting at `first_block` sits in a sidebar: the nearest short heading before
    it (up to three levels up) names latest/hot/news items, or a container's class or id does."""
    branch = first_block
    for _ in range(_LABEL_UP):
        parent = branch.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return False
        names = f"{parent.get('class') or ''} {parent.get('id') or ''}"
        if parent.tag == "aside" or _SIDE_NAMES_RE.search(names):
            return True
        for sibling in reversed(list(parent)[: list(parent).index(branch)]):
            label = _short_text(sibling)
            if label and not _HEADER_RE.search(label):
                return bool(_SIDE_WORDS_RE.search(label)) and not _REPORT_RE.search(label)
        branch = parent
    return False


def _folder(page_url: str) -> str:
    path = urlsplit(page_url).path
    return path.rsplit("/", 1)[0] + "/"


def choose_group(groups: Iterable[list], page_url: str, min_repeats: int = MIN_REPEATS) -> list:
    """The column's own list among groups of `(block, entry)` pairs (entries have `url` and `title`), or
    [] when none is one: a sidebar only when every row names a report; fewer than `min_repeats` rows
    only when every row names a report or sits under the column's folder, and never in a sidebar."""
    folder = _folder(page_url)
    best, best_score = [], 0.0
    for group in groups:
        if not group:
            continue
        entries = [entry for _, entry in group]
        reports = sum(1 for e in entries if _REPORT_RE.search(e.title))
        under = sum(1 for e in entries if folder != "/" and urlsplit(e.url).path.startswith(folder))
        side = is_sidebar(group[0][0])
        if side and reports < len(entries):
            continue  # 最新信息 beside an empty column are no reports of it
        if len(entries) < min_repeats and (side or max(reports, under) < len(entries)):
            continue
        score = len(entries) + 2 * reports + under
        if side:
            score /= 4
        if score > best_score:
            best, best_score = entries, score
    return best
