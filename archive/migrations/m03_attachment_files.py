"""Migration 3: attachment files and their text; region and image-only flags on reports.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 3
NAME = "attachment files and text; region and image-only flags on reports"

STATEMENTS = [
    # sha256 of the file, also its name under data/files/ (see crawler/attachments.py)
    "ALTER TABLE attachments ADD COLUMN sha256 TEXT",
    "ALTER TABLE attachments ADD COLUMN size INTEGER",  # bytes as downloaded
    "ALTER TABLE attachments ADD COLUMN type TEXT",  # sniffed from the bytes: pdf, docx, doc, ofd
    "ALTER TABLE attachments ADD COLUMN path TEXT",  # relative to data/files/
    "ALTER TABLE attachments ADD COLUMN text TEXT",  # extracted text, NULL when unreadable
    "ALTER TABLE attachments ADD COLUMN error TEXT",  # e.g. 'unsupported format: wps'
    "CREATE INDEX idx_attachments_sha256 ON attachments(sha256)",
    # the region of the site, from the first six digits of SiteIDCode (行政区划代码)
    "ALTER TABLE reports ADD COLUMN region_code TEXT",
    "ALTER TABLE reports ADD COLUMN province TEXT",
    "ALTER TABLE reports ADD COLUMN city TEXT",
    "ALTER TABLE reports ADD COLUMN county TEXT",
    # 1 when the body is only images (图片版); images lists their URLs as JSON
    "ALTER TABLE reports ADD COLUMN image_only INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE reports ADD COLUMN images TEXT",
]
