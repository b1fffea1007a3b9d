"""The attachment links of a detail page: in the body, or in a 附件 area next to it, never in 相关… lists."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from archive.safeurl import page_link_refusal, refused_link
from crawler.extract.chrome import chrome_key
from crawler.extract.lines import collapse
from crawler.extract.rules import RELATED_HEAD

__all__ = ["attachments", "is_attachment_href"]

# File-like attachment links: matches "/uploadfiles/2019/报告.pdf", "a.DOCX?v=1", "x.wps", "y.ofd#page=1".
_ATTACH_EXT_RE = re.compile(
    r"\.(pdf|docx?|xlsx?|wps|ofd|zip|rar|7z|et|dps|pptx?|txt|csv)(?:$|[?#])", re.I
)
# Download endpoints of Hanweb and JPaaS: matches "/module/download/downfile.jsp?classid=0&filename=…"
# and "/api-gateway/jpaas-web-server/front/document/download?fileUrl=…".
_DOWNLOAD_RE = re.compile(
    r"/module/download/downfile\.jsp|/front/document/download|/download\.(jsp|do)\?", re.I
)
# A 相关… box (its text starts with the heading): matches "相关解读：关于……" and "【相关链接】".
_RELATED_RE = re.compile(RELATED_HEAD)


def is_attachment_href(href: str) -> bool:
    path = href.split("#")[0]
    return bool(
        _ATTACH_EXT_RE.search(path.split("?")[0] + "$")
        or _ATTACH_EXT_RE.search(path)
        or _DOWNLOAD_RE.search(path)
    )


def _head(el, want: int = 300) -> str:
    """The start of an element's collapsed text, at least `want` characters when it has them: only the
    first 30 characters of its key decide (a ruby-laden 關(guān) is 9 characters to one), and an ancestor
    may hold the whole report (simplifying all of it for each link was most of the extraction time)."""
    raw = el.text_content()
    k = want * 4
    while True:
        head = collapse(raw[:k])
        if k >= len(raw) or len(head) >= want:
            return head
        k *= 4


def _near_files(a) -> bool:
    """A link under a 附件 heading or in an fj/attach box within four ancestors, not in a 相关… list."""
    for anc in list(a.iterancestors())[:4]:
        key = chrome_key(_head(anc))[:30]
        if _RELATED_RE.match(key):
            return False
        cls = (anc.get("class") or "").lower()
        if (
            key.startswith("附件")
            or "fj" in cls.split("_")
            or cls in ("fj", "attach", "attachment", "files")
        ):
            return True
    return False


def attachments(root, body, url: str, refused: list | None = None) -> list[dict[str, str]]:
    """Attachment links from the body and from a 附件 area next to it, never from 相关… lists.

    A file-like link that is not http(s) once read as a browser reads it (`JavaScript:alert(1)//a.pdf`,
    `java&#9;script:…pdf`, archive/safeurl.py) is never an attachment: it goes to `refused` instead, for
    crawl_errors, and is never fetched."""
    candidates = []
    if body is not None:
        candidates.extend(body.iter("a"))
    in_body = set(candidates)
    for a in root.iter("a"):
        # the file-like test first: it is cheap, and most links of a page (menus) fail it
        if (
            a not in in_body
            and is_attachment_href((a.get("href") or "").strip())
            and _near_files(a)
        ):
            candidates.append(a)
    seen: set[str] = set()
    out = []
    for a in candidates:
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        if not is_attachment_href(href):
            continue
        absolute = urljoin(url, href)
        why = page_link_refusal(href, absolute)
        if why:
            if refused is not None:
                refused.append(refused_link(href, why))
            continue
        if absolute in seen:
            continue
        seen.add(absolute)
        name = collapse(a.text_content()) or (a.get("title") or "").strip()
        if not name or name in ("点击下载", "下载", "[点击下载]"):
            name = (a.get("title") or "").strip() or absolute.rstrip("/").rsplit("/", 1)[-1].split(
                "?"
            )[0]
        out.append({"name": name, "url": absolute})
    return out
