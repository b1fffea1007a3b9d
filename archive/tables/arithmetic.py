"""The statutory arithmetic, used to read what the print left unclear — never to rewrite a report.

Section 三: in each row the 总计 column is the sum of the six applicant columns; in each column
一 + 二 = 三(七) + 四 and (七) = the sum of the result rows (一)–(六). Section 四: in each of its three
groups 总计 = the sum of the four outcomes. These identities decide

- how a run of digits splits into cells when a page's text ran them together ("150 000015" is
  15 | 0 | 0 | 0 | 0 | 0 | 15): the split that satisfies them, or "ambiguous" when several do;
- where the figures of a row with a lost cell belong, and what the lost cell held;
- an OCR cell read with low confidence, only when its row and its column both point to the same value.

A report whose own figures do not add up keeps them as printed; the checks flag it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

__all__ = ["Filled", "splits", "row_candidates", "row_ok", "solve_requests", "MAX_CANDIDATES"]

MAX_CANDIDATES = 5000


class Filled(str):
    """A cell value the print did not give, implied by the row's identity (a cell lost in conversion)."""


def _parts(digits: str, k: int) -> Iterator[list[str]]:
    """Every way to cut a digit string into k numbers without leading zeros ("0" itself is fine)."""
    if k == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield [digits]
        return
    if digits[0] == "0":
        for rest in _parts(digits[1:], k - 1) if len(digits) > 1 else ():
            yield ["0", *rest]
        return
    for i in range(1, len(digits) - k + 2):
        for rest in _parts(digits[i:], k - 1):
            yield [digits[:i], *rest]


def splits(tokens: list[str], width: int) -> Iterator[list[str]]:
    """Every reading of space-separated digit tokens as `width` cells: a space always separates two
    cells, a token may hold several (bounded by MAX_CANDIDATES readings)."""
    tokens = [t for t in tokens if t]
    if not tokens or width < len(tokens) or sum(len(t) for t in tokens) < width:
        return
    produced = 0
    # How many cells each token holds: compositions of width into len(tokens) positive parts.
    for cut in itertools.combinations(range(1, width), len(tokens) - 1):
        sizes = [b - a for a, b in zip((0, *cut), (*cut, width), strict=True)]
        if any(s > len(t) for s, t in zip(sizes, tokens, strict=True)):
            continue
        for combo in itertools.product(
            *[list(_parts(t, s)) for t, s in zip(tokens, sizes, strict=True)]
        ):
            yield [x for part in combo for x in part]
            produced += 1
            if produced >= MAX_CANDIDATES:
                return


def _num(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw.replace(",", ""))
    except ValueError:
        return None


def row_ok(values: list[str | None], groups: list[int]) -> bool:
    """Each group of cells (e.g. [7] for a 三 row, [5, 5, 5] for 四) ends in the sum of the others.
    Empty cells count as 0, as a reader of the printed table would count them."""
    start = 0
    for size in groups:
        part = [_num(v) for v in values[start : start + size]]
        start += size
        if all(p is None for p in part):
            continue
        if part[-1] is None or sum(p or 0 for p in part[:-1]) != part[-1]:
            return False
    return True


def row_candidates(
    tokens: list[str], width: int, groups: list[int] | None
) -> tuple[list[list[str | None]], str | None]:
    """The readings of one row's figures as `width` cells, and how they were found.

    Tokens that are one cell each are taken in order. Fewer tokens than cells, one or more of them a
    run of digits, are split (how = "split"); when the row has an identity (groups), only the splits
    that satisfy it are kept. Returns ([], None) when nothing needs reading."""
    if len(tokens) >= width or not tokens:
        return [], None
    cands: list[list[str | None]] = []
    for cand in splits(tokens, width):
        if groups is None or row_ok(cand, groups):
            cands.append(list(cand))
    if groups == [width] and len(tokens) == width - 1 and all(_num(t) is not None for t in tokens):
        # One cell lost (a converter dropped it): each place it could have been, its value implied.
        nums = [_num(t) for t in tokens]
        for p in range(width):
            rest = tokens[:p] + tokens[p:]
            implied = sum(nums) if p == width - 1 else nums[-1] - sum(nums[:-1])
            if implied < 0:
                continue
            cand: list[str | None] = [*rest[:p], Filled(str(implied)), *rest[p:]]
            if row_ok(cand, groups) and cand not in cands:
                cands.append(cand)
    return cands, "split"


def solve_requests(
    rows: dict[str, list[list[str | None]]], leaves: list[str], width: int = 7
) -> dict[str, list[str | None] | None]:
    """Pick one reading per section 三 row so that the column identities hold.

    `rows` maps a row code to its candidate readings (a row read plainly has one). Rows with several
    readings are resolved together against 一 + 二 = (七) + 四 and (七) = Σ leaves, column by column;
    a row still left with several is None (ambiguous). A row with none satisfying is ambiguous too."""
    fixed = {code: c[0] for code, c in rows.items() if len(c) == 1}
    open_rows = {code: c for code, c in rows.items() if len(c) > 1}
    if not open_rows:
        return dict(fixed)

    def consistent(assign: dict[str, list[str | None]]) -> bool:
        for col in range(width):

            def v(code: str, col: int = col) -> int | None:
                row = assign.get(code)
                return None if row is None else (_num(row[col]) or 0)

            ins = [v("3.new"), v("3.carried")]
            outs = [v("3.result.total"), v("3.next_year")]
            if None not in ins + outs and sum(ins) != sum(outs):
                return False
            parts = [v(code) for code in leaves]
            total = v("3.result.total")
            if total is not None and None not in parts and sum(parts) != total:
                return False
        return True

    codes = list(open_rows)
    combos = 1
    for code in codes:
        combos *= len(open_rows[code])
    out: dict[str, list[str | None] | None] = dict(fixed)
    if combos <= 20000:
        good = []
        for choice in itertools.product(*[open_rows[c] for c in codes]):
            assign = dict(fixed) | dict(zip(codes, choice, strict=True))
            if consistent(assign):
                good.append(choice)
        for i, code in enumerate(codes):
            readings = {tuple(g[i]) for g in good}
            out[code] = list(readings.pop()) if len(readings) == 1 else None
        return out
    for code in codes:  # too many together: each open row against the fixed ones only
        good = [c for c in open_rows[code] if consistent(dict(fixed) | {code: c})]
        out[code] = good[0] if len(good) == 1 else None
    return out
