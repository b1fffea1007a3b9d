"""Migration 12: the search index tokenized by `nianbao_cjk2`, which adds punctuation pairs ("件，").

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 12
NAME = "search index with punctuation pairs (tokenizer nianbao_cjk2)"

# A phrase with a punctuation mark ("件，", "报告。") read the posting list of "，" or "。", which is in
# every report: 70–120 ms p50 at 100,000 reports and growing with the archive. nianbao_cjk2 also indexes
# two adjacent characters of which one is a mark as the pair, so such a phrase reads a list as short as
# its matches (archive/tokenizer.py). The index is rebuilt from the reports, in the one transaction of this step.
STATEMENTS = [
    "DROP TABLE reports_fts",
    """CREATE VIRTUAL TABLE reports_fts USING fts5(
    title, text_normalized,
    content="report_search", content_rowid="rid",
    tokenize="nianbao_cjk2"
)""",
    "INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')",
]
