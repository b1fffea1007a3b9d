"""Turn one portal detail page into clean report text and its metadata.

Government portals are built by a handful of CMS families, and each family puts the body in a known
place; the families declare those places as data (`body_rules` / `field_rules` in crawler/families/),
and this package applies them, the given family's first, with trafilatura as the fallback for pages of
no known family. Chrome that sneaks inside a container is removed line by line by the named rules of
`rules.py`, which look at the whole line, never at a word inside a sentence.

Modules: `page` (entry points), `body` (where the body is), `rules` (chrome rules as data), `chrome`
(applying them to lines), `lines` (tree → lines), `tree` (parsing, hidden elements), `meta` (meta tags,
xxgk tables), `fields` (title, date, source, column), `links` (attachments).
"""

from crawler.extract.chrome import clean_lines
from crawler.extract.lines import html_to_lines
from crawler.extract.page import explain_page, extract_page

__all__ = ["clean_lines", "explain_page", "extract_page", "html_to_lines"]
