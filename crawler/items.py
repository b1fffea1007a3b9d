"""What the spider hands to the pipelines (field list: docs/ARCHITECTURE.md, "Item fields")."""

from __future__ import annotations

import scrapy


class ReportItem(scrapy.Item):
    """One fetched detail page of an annual-report column; pipelines enrich it in place.

    Every reports/report_texts column the archive copies from it is declared in archive/shape/reports.py;
    tests/test_shape.py fails when one of those is missing here.
    """

    # Set by the spider.
    bureau_id = scrapy.Field()
    url = scrapy.Field()
    column_url = scrapy.Field()
    list_title = scrapy.Field()
    list_date = scrapy.Field()
    family = scrapy.Field()
    html = scrapy.Field()
    http_status = scrapy.Field()
    fetched_at = scrapy.Field()
    run_id = scrapy.Field()
    # Added by crawler/record.py: extract (everything extract_page returns), attachments, images.
    title = scrapy.Field()
    published = scrapy.Field()
    year = scrapy.Field()
    text = scrapy.Field()
    site_name = scrapy.Field()
    site_id_code = scrapy.Field()
    column_name = scrapy.Field()
    source = scrapy.Field()
    index_no = scrapy.Field()
    publisher = scrapy.Field()
    written_date = scrapy.Field()
    doc_no = scrapy.Field()
    attachments = scrapy.Field()
    refused_links = scrapy.Field()  # [{url, reason}] not stored: not http(s) (archive/safeurl.py)
    # crawler.attachments / crawler.metadata (issue 4)
    attachment_text = scrapy.Field()  # text of attachments when the page has its own body
    image_only = scrapy.Field()
    subordinate_unit = scrapy.Field()  # crawler.classify.subordinate_unit (migration 7)
    images = scrapy.Field()
    image_files = (
        scrapy.Field()
    )  # what crawler/images.py kept of each image: path, sha256, WARC pointer
    text_source = scrapy.Field()  # 'ocr' when crawler/images.py read the text from the images
    ocr_errors = scrapy.Field()  # [{url, reason}] images OCR could not read (crawl_errors)
    region_code = scrapy.Field()
    province = scrapy.Field()
    city = scrapy.Field()
    county = scrapy.Field()
    # crawler/incremental.py and crawler/warc.py: validators of the response and its WARC record
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    warc = scrapy.Field()  # {"file", "offset", "record_id"}
    # Added by crawler/record.py: classify.
    kind = scrapy.Field()
    text_normalized = scrapy.Field()


class DiscoveryItem(scrapy.Item):
    """The report column column discovery chose for a homepage-only bureau (stored on its bureaus row)."""

    bureau_id = scrapy.Field()
    column_url = scrapy.Field()
    link_text = scrapy.Field()
    page = scrapy.Field()  # the page whose link was followed


class CrawlErrorItem(scrapy.Item):
    """A page the crawl could not turn into a report; kept so a run's gaps are visible in the archive."""

    url = scrapy.Field()
    reason = scrapy.Field()
    status = scrapy.Field()
    bureau_id = scrapy.Field()
    run_id = scrapy.Field()
