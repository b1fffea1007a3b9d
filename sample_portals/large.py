"""A large generated portal set for benchmarks: many TRS-like bureaus rendered on the fly from templates.

The hand-built sample portals hold a few hundred pages; a throughput or memory figure needs thousands.
Writing 5,000+ files would only measure the disk, so this server renders each page when asked, from a
seed (bureau index, item index): the same URL always returns the same bytes, and the whole set costs no
build step. All bureaus share one port (default 8740, outside the sample portals' 8711–8720) under
`/b<NNN>/`; the crawl sees one host, as it would for a provincial platform hosting its counties.

Pages follow the TRS WCM shape the `trs` adapter reads: `index.html`, `index_N.html` list pages whose pager
exists only as a `createPageHTML(…)` call, `ul > li` rows with `a[title]` and a date span, and detail pages
`YYYYMM/tYYYYMMDD_N.html` with the body in `div.TRS_Editor` between site chrome, all drawn by the sample
TRS renderer (`render_trs.list_html`, `render_trs.detail_html`) so the three TRS servers share one page.

Use: `start(n_bureaus, items_per_bureau)` → (registry rows, stop function), or
`python -m sample_portals.large --bureaus 20 --items 250` to serve until Ctrl-C.
"""

from __future__ import annotations

import argparse
import random
import re
import threading
from collections.abc import Callable
from pathlib import Path

import yaml

from sample_portals import render_trs
from sample_portals.httpbase import PortalHandlerBase, QuietServer, serve_until_interrupted

DEFAULT_PORT = 8740
PER_PAGE = 20
PROVINCES = ["河南省", "湖南省", "湖北省", "安徽省", "吉林省", "江西省", "四川省", "广东省"]
PLACES = ["东", "西", "南", "北", "中", "新", "安", "平", "和", "兴", "宁", "昌"]
PHRASES = [
    "根据《中华人民共和国政府信息公开条例》",
    "本报告由本局政府信息公开工作领导小组办公室编制",
    "主动公开政府信息",
    "依申请公开",
    "行政复议",
    "行政诉讼",
    "公路建设项目",
    "道路运输行业管理",
    "政务公开平台建设",
    "信息公开指南和目录",
    "年度内共收到政府信息公开申请",
    "件，办结",
    "件，均在法定期限内答复",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
    "交通运输综合执法",
    "农村公路",
    "水路运输",
]
KINDS = [
    "{name}{year}年政府信息公开工作年度报告",
    "{name}关于印发{year}年政务公开工作要点的通知",
    "《{name}{year}年政府信息公开工作年度报告》解读",
    "{name}政府信息公开指南（{year}年修订）",
]

_LIST_RE = re.compile(r"^/b(\d{3})/zwgk/ndbg/(index(?:_(\d+))?\.html)?$")
_DETAIL_RE = re.compile(r"^/b(\d{3})/zwgk/ndbg/(\d{6})/t(\d{8})_(\d+)\.html$")


def bureau_name(b: int) -> str:
    return f"{PLACES[b % len(PLACES)]}{PLACES[(b // len(PLACES)) % len(PLACES)]}县交通运输局"


def item_meta(b: int, i: int) -> tuple[str, str, str]:
    """(title, date YYYY-MM-DD, detail path) of item i of bureau b; newest first as TRS lists them."""
    year = 2025 - (i % 18)
    month = 1 + (i * 7) % 12
    day = 1 + (i * 11) % 28
    title = KINDS[i % len(KINDS)].format(name=bureau_name(b), year=year - 1)
    date = f"{year}-{month:02d}-{day:02d}"
    path = f"{year}{month:02d}/t{year}{month:02d}{day:02d}_{b * 100000 + i}.html"
    return title, date, path


def body_text(b: int, i: int) -> list[str]:
    rng = random.Random(b * 1_000_003 + i)
    paras = []
    for k in range(rng.randint(8, 16)):
        sentence = "，".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 5)))
        paras.append(f"（{k + 1}）{sentence}{rng.randint(1, 999)}件。")
    return paras


def chrome(name: str) -> tuple[str, str]:
    head = (
        f'<div class="header"><div class="logo">{name}</div><ul class="nav"><li><a href="/">首页</a></li>'
        '<li><a href="#">政务公开</a></li><li><a href="#">互动交流</a></li></ul></div>'
        '<div class="crumb">当前位置：<a href="#">首页</a> &gt; 政府信息公开年报</div>'
    )
    foot = (
        f'<div class="footer">主办：{name} 网站标识码：4300000000 '
        "ICP备00000000号 公网安备 00000000000000号</div>"
    )
    return head, foot


def list_page(b: int, page: int, items: int) -> str:
    name = bureau_name(b)
    pages = max(1, -(-items // PER_PAGE))
    rows = []
    for i in range(page * PER_PAGE, min(items, (page + 1) * PER_PAGE)):
        title, date, path = item_meta(b, i)
        short = title if len(title) <= 24 else title[:24] + "…"
        rows.append(render_trs.list_row(f"./{path}", title, date, short))
    head, foot = chrome(name)
    return render_trs.list_html(
        render_trs.page_head(f"政府信息公开年报_{name}", assets=False),
        "政府信息公开年报",
        rows,
        pages,
        page,
        header=head,
        footer=foot,
    )


def detail_page(b: int, i: int) -> str:
    name = bureau_name(b)
    title, date, _ = item_meta(b, i)
    head, foot = chrome(name)
    metas = f'<meta name="SiteName" content="{name}"><meta name="PubDate" content="{date} 09:00">'
    return render_trs.detail_html(
        render_trs.page_head(title, metas, assets=False),
        title,
        "".join(f"<p>{p}</p>" for p in body_text(b, i)),
        header=head,
        info=f'<div class="info">发布时间：{date} 来源：{name} 浏览次数：<span>1</span></div>',
        tools='<div class="share">【打印本页】【关闭窗口】</div>',
        footer=foot,
    )


class LargeHandler(PortalHandlerBase):
    server_version = "nianbao-large"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        bureaus, items = self.server.bureaus, self.server.items  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        body = None
        if path == "/robots.txt":
            self.send(200, b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
            return
        if m := _LIST_RE.match(path):
            b, page = int(m.group(1)), int(m.group(3) or 0)
            if b < bureaus and page * PER_PAGE < max(items, 1):
                body = list_page(b, page, items)
        elif m := _DETAIL_RE.match(path):
            b, n = int(m.group(1)), int(m.group(4))
            i = n - b * 100000
            if b < bureaus and 0 <= i < items and item_meta(b, i)[2] == path.split("ndbg/", 1)[1]:
                body = detail_page(b, i)
        if body is None:
            self.not_found()
            return
        self.send(200, body.encode("utf-8"))


class LargeServer(QuietServer):
    request_queue_size = 256


def registry_rows(bureaus: int, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> list[dict]:
    return [
        {
            "id": f"large-{b:03d}",
            "name": bureau_name(b),
            "level": "county",
            "province": PROVINCES[b % len(PROVINCES)],
            "region_code": f"{410000 + b + 1:06d}",
            "homepage": f"http://{host}:{port}/b{b:03d}/",
            "family": "trs",
            "columns": [f"http://{host}:{port}/b{b:03d}/zwgk/ndbg/index.html"],
            "verified": True,
            "allow_loopback": True,  # the synthetic portal runs on this machine
            "overrides": {"obey_robots": False},
        }
        for b in range(bureaus)
    ]


def write_registry(path: Path, bureaus: int, port: int = DEFAULT_PORT) -> Path:
    path.write_text(
        yaml.safe_dump(registry_rows(bureaus, port), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def pages(bureaus: int, items: int) -> int:
    """List pages + detail pages the set serves: what a full crawl must fetch."""
    return bureaus * (items + max(1, -(-items // PER_PAGE)))


def start(
    bureaus: int, items: int, port: int = DEFAULT_PORT, host: str = "127.0.0.1"
) -> Callable[[], None]:
    """Serve the set in a background thread; returns the function that stops it."""
    httpd = LargeServer((host, port), LargeHandler)
    httpd.bureaus, httpd.items = bureaus, items  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, name=f"large-{port}", daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)

    return stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=20)
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--registry", type=Path, default=None, help="write the registry YAML here")
    args = parser.parse_args()
    stop = start(args.bureaus, args.items, args.port)
    if args.registry:
        write_registry(args.registry, args.bureaus, args.port)
    print(f"{pages(args.bureaus, args.items)} pages on http://127.0.0.1:{args.port}/; Ctrl-C stops")
    serve_until_interrupted(stop)


if __name__ == "__main__":
    main()
