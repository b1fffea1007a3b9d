"""Text normalisation shared by the archive and the search tokenizer.

Portals leak two kinds of noise into report text that the archive must repair before indexing: a 繁体
toggle that renders traditional characters with pinyin ruby in parentheses (關(guān)於), and full-width
ASCII or odd spaces that would stop a search for "ICP" or "2019" from matching. Everything here keeps
line structure, because downstream code and people read the text one paragraph per line.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

__all__ = [
    "normalize",
    "remove_ruby",
    "repair",
    "repair_spacing",
    "search_text",
    "simplify_char",
    "simplify_chars",
    "to_simplified",
]

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# A pinyin syllable carrying a tone mark, in ASCII or full-width parentheses, glued to the character
# before it: matches "(guān)" in "關(guān)於", "(lǐng)" in "皖I(lǐng)CP", "（hào）" in "號（hào）".
# Without a tone mark nothing matches, so "(一)", "(IPv6)" and "(0558-2567279)" stay.
_RUBY_RE = re.compile(rf"(?<=\S)[(（]([a-zü]*[{_TONED}][a-zü]*)[)）]")

# Runs of horizontal whitespace inside a line: matches "  \t" in "交通  \t运输".
_HSPACE_RE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200a\u202f\u205f]+")
# Zero-width characters that break phrase search: matches "\u200b" in "交\u200b通".
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Three or more newlines (blank lines) collapse to one blank line: matches "\n\n\n" in "甲\n\n\n乙".
_BLANKS_RE = re.compile(r"\n{3,}")


def remove_ruby(text: str) -> str:
    """Drop pinyin-ruby debris; the 繁体 toggle of some portals writes it after every character."""
    return _RUBY_RE.sub("", text)


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    # Building the converter loads dictionaries; do it once per process.
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified so that a search for 关于 finds a page served as 關於."""
    if not text:
        return text
    return _converter().convert(text)


@lru_cache(maxsize=65536)
def simplify_char(ch: str) -> str:
    """Per-character t2s for the tokenizer, which sees one character at a time and must agree with
    to_simplified on single characters (phrases like 乾隆 are out of its reach by design)."""
    if len(ch) != 1 or ch.isascii():
        return ch
    out = _converter().convert(ch)
    return out if len(out) == 1 else ch


class _CharTable(dict):
    """str.translate table filled on demand, so per-character folding costs one dict lookup."""

    def __missing__(self, code: int) -> str:
        out = simplify_char(chr(code))
        self[code] = out
        return out


_T2S_TABLE = _CharTable()


def simplify_chars(text: str) -> str:
    """Character-by-character t2s: cheap enough to run on every line when only matching matters
    (chrome detection, labels); to_simplified stays the phrase-aware choice for stored text."""
    return text.translate(_T2S_TABLE)


def _fold_width(text: str) -> str:
    """Fold full-width ASCII (ＩＣＰ, ２０１９) and the ideographic space to their ASCII forms.

    CJK punctuation (，。：；“”、《》【】（）) is kept: it is what readers of the reports expect, it is
    not NFKC-foldable except for the full-width forms block, and search queries are typed with it.
    Only the Ｆｕｌｌｗｉｄｔｈ letters, digits and the ideographic space change, because those are what
    break an ASCII query. Full-width brackets （） and ：，；！？ are deliberately left alone.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\u3000":
            out.append(" ")
        elif 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def tidy_whitespace(text: str) -> str:
    """Collapse spaces and tabs, strip each line and keep at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH_RE.sub("", text)
    lines = [_HSPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()


def normalize(text: str) -> str:
    """The form stored in text_normalized and indexed for search: ruby removed, simplified, width
    folded, whitespace tidied."""
    if not text:
        return ""
    text = remove_ruby(text)
    text = to_simplified(text)
    text = _fold_width(text)
    return tidy_whitespace(text)


# -- repair of extraction debris ------------------------------------------------------------------
#
# PDF text layers (and Word exports saved as HTML) place every glyph run on its own, so the extracted
# text carries spaces where the page had none: "关 心指导", "2023 年 1 月 31 日", "（ 一 ）". A reader
# and a phrase search both need them gone, but a space that separates a Latin word or a version number
# from Chinese ("ICP 备案", "IPv6 地址", "5G 网络") is real and stays.

# Unified ideographs (basic, extension A, compatibility) and the kana-free CJK symbols we meet in
# reports: matches "关" in "关 心", "〇" in "二〇一九".
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
# CJK and full-width punctuation a space never belongs next to: matches "，" in "公开 ，", "（" in "（ 一 ）".
_CJK_PUNCT = "\u3000-\u3006\u3008-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_CJK_RE = re.compile(f"[{_CJK_CHARS}]")
_CJK_PUNCT_RE = re.compile(f"[{_CJK_PUNCT}]")
# A run of horizontal spaces between two visible characters: matches " " in "关 心指导" and "  " in
# "1  月"; the callback decides whether the run is debris.
_INNER_SPACE_RE = re.compile(r"(?<=\S)[ \t\u00a0\u2002\u2003\u2009\u200a\u202f\u205f\u3000]+(?=\S)")
# A number token as it reads at either side of a space: matches "31" in "1 月 31 日", "12.5" in "12.5 万".
_NUMBER_CHARS = set("0123456789.,%")


# Half-width clause punctuation that portals type inside Chinese sentences: matches "," in "原则, 我局".
_ASCII_CLAUSE_PUNCT = frozenset(",;:")


def _side_class(text: str, pos: int, step: int) -> str:
    """Classify the token that touches a space at `pos` ("cjk", "punct", "number", "latin", "other").

    A digit belongs to a Latin word when letters touch its run ("IPv6", "5G"): such a token is "latin",
    so "IPv6 地址" keeps its space while "2019 年" loses it.
    """
    ch = text[pos]
    if _CJK_RE.match(ch):
        return "cjk"
    if _CJK_PUNCT_RE.match(ch):
        return "punct"
    if ch.isdigit():
        i = pos
        while 0 <= i < len(text) and (text[i] in _NUMBER_CHARS or text[i].isdigit()):
            i += step
        if 0 <= i < len(text) and text[i].isascii() and text[i].isalpha():
            return "latin"
        return "number"
    if ch.isascii() and ch.isalpha():
        return "latin"
    return "other"


def _space_or_nothing(m: re.Match) -> str:
    text = m.string
    left = _side_class(text, m.start() - 1, -1)
    right = _side_class(text, m.end(), 1)
    sides = {left, right}
    if "punct" in sides:
        return ""
    # A half-width comma, colon or semicolon typed inside a Chinese sentence ("原则, 我局") is CJK
    # punctuation in all but its code point: the space after it is debris when Chinese is on both sides.
    before = m.start() - 2
    if (
        right == "cjk"
        and text[m.start() - 1] in _ASCII_CLAUSE_PUNCT
        and before >= 0
        and _CJK_RE.match(text[before])
    ):
        return ""
    if left == "cjk" and right == "cjk":
        return ""
    if sides == {"cjk", "number"}:
        return ""
    return " "


def repair_spacing(text: str) -> str:
    """Remove spaces that extraction put between CJK characters, CJK punctuation and numbers.

    "关 心指导" → "关心指导", "1 月 31 日" → "1月31日", "（ 一 ）" → "（一）"; "ICP 备案", "IPv6 地址" and
    "12 34" keep their space (Latin words and numbers are not glued to each other or to Chinese words).
    """
    if not text:
        return text
    return _INNER_SPACE_RE.sub(_space_or_nothing, text)


def repair(text: str) -> str:
    """The readable repaired text: original characters (traditional stays traditional), ruby debris
    removed, full-width letters/digits folded, extraction spaces removed, whitespace tidied with one
    paragraph per line. The stored `text` stays the faithful extraction; this feeds `text_normalized`.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH_RE.sub("", text)
    text = remove_ruby(text)
    text = _fold_width(text)
    lines = [repair_spacing(_HSPACE_RE.sub(" ", line).strip()) for line in text.split("\n")]
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()


def search_text(text: str) -> str:
    """What goes into text_normalized and the search index: the repaired text, then normalized."""
    return normalize(repair(text))
