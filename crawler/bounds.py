"""Page caps: how many list pages one column, and how many pages one bureau, may cost a crawl.

A portal's pager is content we do not control: a `共 999999 页` counter, `createPageHTML(99999, …)`, a
Hanweb unit claiming a billion records or a 下一页 chain that never ends would otherwise queue requests
until memory runs out. So every list request and every page request passes a budget first:

- per column, the distinct list requests (URL and body: Hanweb and JPaaS page by POST) asked for, at most
  `NIANBAO_MAX_PAGES_PER_COLUMN` (registry override `max_pages_per_column`);
- per bureau, every page requested for it (discovery, list and detail pages), at most
  `NIANBAO_MAX_PAGES_PER_BUREAU` (override `max_pages_per_bureau`).

The defaults are far above any real column (the largest sample column takes 4 list requests). The adapters
build at most `cap` follow-up requests from any one page (`crawler.families.base.bounded`), so a counter
is never expanded beyond what the budget could admit; the budget refuses the rest. A cap reached is one
`crawl_errors` row per column (reason `page cap reached: …`, URL of the first page not fetched), a line of
the run summary, and it makes the column incomplete, so no report is marked removed from a capped list.

Unlike `max_pages` (an operator's wish to read only the first N pages, silently), a cap is a safety limit:
reaching it is always reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.bureau import Bureau

__all__ = [
    "CAP_REACHED",
    "DUPLICATE",
    "DEFAULT_MAX_PAGES_PER_BUREAU",
    "DEFAULT_MAX_PAGES_PER_COLUMN",
    "PageBudget",
    "Refusal",
]

CAP_REACHED = "page cap reached"
DEFAULT_MAX_PAGES_PER_COLUMN = 500
DEFAULT_MAX_PAGES_PER_BUREAU = 5000


@dataclass(frozen=True)
class Refusal:
    """Why a request is not sent; `first` marks the refusal that becomes the column's error row."""

    reason: str
    first: bool


# A list request already admitted for its column: not an error, just not sent twice.
DUPLICATE = Refusal("", False)


@dataclass
class _Column:
    cap: int
    seen: set[bytes] = field(default_factory=set)
    refused: bool = False


@dataclass
class _Bureau:
    cap: int
    requests: int = 0
    refused_columns: set[str] = field(default_factory=set)


class PageBudget:
    """One crawl's page counts; `admit_*` return None (send it) or a `Refusal` (do not)."""

    def __init__(self, column_cap: int, bureau_cap: int):
        self.column_cap = column_cap
        self.bureau_cap = bureau_cap
        self._columns: dict[tuple[str, str], _Column] = {}
        self._bureaus: dict[str, _Bureau] = {}
        # (bureau id, column URL, reason) of every cap reached, in order: the run summary's line
        self.reached: list[tuple[str, str, str]] = []

    @classmethod
    def from_settings(cls, settings) -> PageBudget:
        return cls(
            settings.getint("NIANBAO_MAX_PAGES_PER_COLUMN", DEFAULT_MAX_PAGES_PER_COLUMN),
            settings.getint("NIANBAO_MAX_PAGES_PER_BUREAU", DEFAULT_MAX_PAGES_PER_BUREAU),
        )

    def column_cap_of(self, bureau: Bureau) -> int:
        """A registry row's own cap wins over the crawl's: it is a statement about that portal."""
        return int(bureau.override("max_pages_per_column") or self.column_cap)

    def bureau_cap_of(self, bureau: Bureau) -> int:
        return int(bureau.override("max_pages_per_bureau") or self.bureau_cap)

    def _bureau(self, bureau: Bureau) -> _Bureau:
        state = self._bureaus.get(bureau.id)
        if state is None:
            state = self._bureaus[bureau.id] = _Bureau(self.bureau_cap_of(bureau))
        return state

    def admit_page(self, bureau: Bureau, column_url: str) -> Refusal | None:
        """One more page (of any kind) for this bureau; a refusal once its cap is spent."""
        state = self._bureau(bureau)
        if state.requests < state.cap:
            state.requests += 1
            return None
        reason = (
            f"{CAP_REACHED}: bureau {bureau.id} asked for {state.cap} pages "
            f"(max_pages_per_bureau={state.cap}); the rest of column {column_url} was not fetched"
        )
        first = column_url not in state.refused_columns
        if first:
            state.refused_columns.add(column_url)
            self.reached.append((bureau.id, column_url, reason))
        return Refusal(reason, first)

    def admit_list(self, bureau: Bureau, column_url: str, fingerprint: bytes) -> Refusal | None:
        """A list request of a column: None to send it, `DUPLICATE` when it was already sent (drop it
        quietly, as the dupefilter would), or a refusal when a cap is reached."""
        key = (bureau.id, column_url)
        column = self._columns.get(key)
        if column is None:
            column = self._columns[key] = _Column(self.column_cap_of(bureau))
        if fingerprint in column.seen:
            return DUPLICATE
        if len(column.seen) >= column.cap:
            reason = (
                f"{CAP_REACHED}: column {column_url} has more than {column.cap} list pages "
                f"(max_pages_per_column={column.cap})"
            )
            first = not column.refused
            if first:
                column.refused = True
                self.reached.append((bureau.id, column_url, reason))
            return Refusal(reason, first)
        refused = self.admit_page(bureau, column_url)
        if refused:
            return refused
        column.seen.add(fingerprint)
        return None

    def summary(self) -> str | None:
        """The run summary's line, or None when no cap was reached."""
        if not self.reached:
            return None
        parts = [f"{bid} {column}" for bid, column, _ in self.reached[:4]]
        more = f", … {len(self.reached) - 4} more" if len(self.reached) > 4 else ""
        return f"page cap reached in {len(self.reached)} column(s): {', '.join(parts)}{more}"
