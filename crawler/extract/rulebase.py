"""The shape of a chrome rule (`ChromeRule`) and the ways one applies (`APPLIES`), apart from the rules
themselves (`rules.py`, `footer_rules.py`) so that both can declare theirs as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

__all__ = ["APPLIES", "ChromeRule"]

APPLIES = {
    "line-start": "the pattern matches at the start of a line of at most `max_len` characters",
    "line": "the pattern is found anywhere in a line of at most `max_len` characters",
    "line-of-tokens": "the line (at most `max_len`) is made of nothing but the pattern's tokens",
    "footer": "a marker only site footers carry; its line goes when at most `max_rest` characters are "
    "left once every footer marker, footer link and contact detail is removed",
    "footer-nav": "footer links; the line goes when at most `max_rest` characters are left and it "
    "holds no contact detail (a report may end with its own contact line)",
    "footer-contact": "contact details: removed when measuring a footer line, never dropping one alone",
    "heading": "a 相关… heading: dropped, and the link lines listed under it (`related-list`)",
    "attribute": "an element whose style/class/id matches is hidden, with all its text",
    "class-token": "an element with a class token the pattern matches whole is hidden",
}


@dataclass(frozen=True)
class ChromeRule:
    name: str
    pattern: str
    applies_to: str
    examples: tuple[str, ...]
    spares: tuple[str, ...] = ()
    max_len: int | None = None  # longest line (characters of its key) the rule applies to
    max_rest: int | None = None  # footer rules: most characters left besides footer markers
    flags: int = 0

    def __post_init__(self) -> None:
        if self.applies_to not in APPLIES:
            raise ValueError(f"chrome rule {self.name!r}: unknown applies_to {self.applies_to!r}")
        if not self.examples:
            raise ValueError(f"chrome rule {self.name!r}: a rule without examples is untested")

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)
