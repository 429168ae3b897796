"""Where each page of the site is written: one place for every URL shape."""
from __future__ import annotations

import math


def output_file(url: str) -> str:
    """The file in the output folder for a site-relative URL ('' is the home page)."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def section_url(slug: str, number: int = 1, kind: str = "sections") -> str:
    """The first index page has no /page/1/; later ones are /page/N/."""
    return f"{kind}/{slug}/" if number <= 1 else f"{kind}/{slug}/page/{number}/"


def page_count(entries: int, per_page: int) -> int:
    """An empty index still gets one page that says so."""
    return max(1, math.ceil(entries / per_page))


def feed_path(kind: str = "", slug: str = "") -> str:
    """/feed.xml for the whole paper, /sections/SLUG/feed.xml, /corrections/feed.xml."""
    if kind == "sections":
        return f"sections/{slug}/feed.xml"
    if kind == "corrections":
        return "corrections/feed.xml"
    return "feed.xml"


def month_path(year: int, month: int) -> str:
    """The sitemap of one month's editions, pages and articles."""
    return f"sitemaps/{year:04d}-{month:02d}.xml"
