"""Pages for crawlers: /sitemap.xml (a sitemap index: one sitemap of the site's fixed pages,
one per month of editions, so no file nears the 50,000-URL limit of the protocol), the
Google News sitemap of the latest two days' articles, robots.txt naming both, and
/editions.json (every edition's date, for the date picker).

Each page's sources are exactly the files whose content or existence it shows."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby
from typing import overload

from epaper.model import Article, Edition, SiteData
from epaper.site.jobs import Job
from epaper.site.urls import ARCHIVE, CORRECTIONS, EDITIONS_JSON, HOME, NEWS_SITEMAP, ROBOTS, SITEMAP, month_path

NEWS_DAYS = 2  # Google News takes articles of the last two days
NEWS_LIMIT = 1000  # and at most 1,000 of them in one news sitemap
SITE_SITEMAP = "sitemaps/site.xml"  # the fixed pages'



def _listed(edition: Edition) -> list[Article]:
    return [a for a in edition.articles if not a.draft]


def sitemap_jobs(site: SiteData) -> list[Job]:
    editions = site.editions
    months = [(key, list(group)) for key, group in groupby(editions, key=lambda e: (e.date.year, e.date.month))]
    latest = editions[-1] if editions else None
    fixed = [HOME, ARCHIVE, CORRECTIONS]
    fixed += [f"sections/{slug}/" for slug in site.sections] + [f"series/{slug}/" for slug in site.series]
    jobs = [
        Job(SITEMAP, "sitemap_index.xml", frozenset(e.source for e in editions),
            context=dict(sitemaps=[(SITE_SITEMAP, latest.date if latest else None)]
                         + [(month_path(y, m), group[-1].date) for (y, m), group in months])),
        Job(SITE_SITEMAP, "sitemap.xml", frozenset({latest.source} if latest else ()),
            context=dict(urls=[(url, latest.date if latest and url == "" else None) for url in fixed])),
    ]
    for (year, month), group in months:
        sources = {edition.source for edition in group}
        sources.update(article.source for edition in group for article in _listed(edition))
        jobs.append(Job(month_path(year, month), "sitemap.xml", frozenset(sources), context=dict(urls=MonthUrls(group)),
                        origin="the sitemap"))
    jobs.append(news_sitemap(site))
    jobs.append(Job(ROBOTS, "robots.txt", frozenset()))
    jobs.append(Job(EDITIONS_JSON, "editions.json", frozenset(e.source for e in editions),
                    context=dict(dates=[e.date.isoformat() for e in editions])))
    return jobs


class MonthUrls(Sequence[tuple[str, dt.date]]):
    """A month's URLs with their editions' dates (each edition, its printed pages, its articles),
    worked out when the month's sitemap is rendered: every build plans every month's sitemap,
    and a new edition renders one of them (100,000 article URLs at 100,000 articles)."""

    def __init__(self, editions: list[Edition]) -> None:
        self._editions = editions
        self._urls: list[tuple[str, dt.date]] | None = None

    def _all(self) -> list[tuple[str, dt.date]]:
        if self._urls is None:
            urls: list[tuple[str, dt.date]] = []
            for edition in self._editions:
                urls.append((edition.url, edition.date))
                urls.extend((page.url, edition.date) for page in edition.pages)
                urls.extend((article.url, edition.date) for article in _listed(edition))
            self._urls = urls
        return self._urls

    @overload
    def __getitem__(self, index: int) -> tuple[str, dt.date]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, dt.date]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, dt.date] | list[tuple[str, dt.date]]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def news_sitemap(site: SiteData) -> Job:
    """The articles of the latest edition and of the editions of the day before it."""
    editions = site.editions
    recent: list[Edition] = []
    if editions:
        since = editions[-1].date - dt.timedelta(days=NEWS_DAYS - 1)
        recent = [e for e in editions if e.date >= since]
    entries = [a for e in reversed(recent) for a in _listed(e)][:NEWS_LIMIT]
    sources = {e.source for e in recent} | {a.source for a in entries}
    return Job(NEWS_SITEMAP, "news_sitemap.xml", frozenset(sources), context=dict(entries=entries))
