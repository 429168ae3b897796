"""Where each page of the site is written: one place for every URL shape."""
from __future__ import annotations

import math
from dataclasses import dataclass

HOME = ""
ARCHIVE = "archive/"
CORRECTIONS = "corrections/"
SEARCH = "search/"
EDITIONS_JSON = "editions.json"  # the dates with a paper, for the date picker
SEARCH_SCRIPT = "pagefind/pagefind.js"
SITEMAP = "sitemap.xml"  # the index of the sitemaps
NEWS_SITEMAP = "news-sitemap.xml"
ROBOTS = "robots.txt"


def output_file(url: str) -> str:
    """The file in the output folder for a site-relative URL ('' is the home page)."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def section_url(slug: str, number: int = 1, kind: str = "sections") -> str:
    """The first index page has no /page/1/; later ones are /page/N/."""
    return f"{kind}/{slug}/" if number <= 1 else f"{kind}/{slug}/page/{number}/"


def nav_url(url: str) -> str:
    """The index a page is part of, as the site's navigation links it: `sections/SLUG/` for every
    page of that section's index (`series/SLUG/` likewise), the archive and the corrections page
    themselves, '' for any other page."""
    kind, _, rest = url.partition("/")
    if kind in ("sections", "series") and rest:
        return f"{kind}/{rest.split('/', 1)[0]}/"
    return url if url in (ARCHIVE, CORRECTIONS) else ""


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


@dataclass(frozen=True)
class SitePaths:
    """Every URL shape, for templates (`paths` in a layout): url(paths.archive),
    url(paths.section(slug)). Layouts get URLs from here rather than spelling them out."""

    home: str = HOME
    archive: str = ARCHIVE
    corrections: str = CORRECTIONS
    search: str = SEARCH
    editions_json: str = EDITIONS_JSON
    search_script: str = SEARCH_SCRIPT
    sitemap: str = SITEMAP
    news_sitemap: str = NEWS_SITEMAP

    def section(self, slug: str, number: int = 1) -> str:
        return section_url(slug, number)

    def series(self, slug: str, number: int = 1) -> str:
        return section_url(slug, number, "series")

    def feed(self, kind: str = "", slug: str = "") -> str:
        return feed_path(kind, slug)
