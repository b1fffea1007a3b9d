"""nianbao crawler: spiders, CMS family adapters and the page-to-record pipeline."""
