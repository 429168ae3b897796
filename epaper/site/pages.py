"""Which pages the site has: for each, its output path, its template, the context
the template gets, and the sources it is made from (the dependency graph).

A page's sources are every file whose content can show on it; with the layouts
and the site's settings they make its render key, so an incremental build
re-renders exactly the pages whose inputs changed."""
from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from epaper import messages as M
from epaper.errors import Arg, Diagnostics
from epaper.model import Article, Download, Edition, Page, Rendition, Section, SiteData
from epaper.site.jobs import Job
from epaper.site.sitemaps import SITE_SITEMAP, sitemap_jobs
from epaper.site.urls import (
    ARCHIVE,
    CORRECTIONS,
    HOME,
    ROBOTS,
    SEARCH,
    feed_path,
    month_path,
    output_file,
    page_count,
    section_url,
)


@dataclass(frozen=True)
class Pager:
    """Position in a paginated index, with root-relative neighbour URLs."""

    number: int
    total: int
    prev_url: str | None
    next_url: str | None


class Sources:
    """The files each article's appearance in a list depends on, worked out once per article
    per plan (a big archive lists each article on several pages)."""

    def __init__(self) -> None:
        # id(article) -> its files (articles outlive the plan); tuples: the renderer keeps this for
        # the list items' keys (render.py), and a set is three times the memory.
        self._memo: dict[int, tuple[str, ...]] = {}

    def of(self, article: Article) -> tuple[str, ...]:
        """An article as shown in a list: its own file, its edition's, and its corrections' (the mark)."""
        found = self._memo.get(id(article))
        if found is None:
            links = article.links
            assert links.edition is not None
            if not links.pictures and links.lead is None and not links.corrections:  # most: the two files
                mine, edition = article.source, links.edition.source
                found = self._memo[id(article)] = (mine, edition) if mine < edition else (edition, mine)
                return found
            sources = {article.source, links.edition.source, *article.media}
            for notice in links.corrections:
                assert notice.edition is not None
                sources |= {notice.source, notice.edition.source}
            found = self._memo[id(article)] = tuple(sorted(sources))
        return found

    def seed(self, article: object, sources: tuple[str, ...]) -> None:
        """What an article not loaded is made from in a list, as the last build worked it out
        (added.py: a new edition's build lists the archive without loading it)."""
        self._memo[id(article)] = sources

    def known(self, article: object) -> bool:
        return id(article) in self._memo

    def all(self, articles: Iterable[Article | None]) -> set[str]:
        found: set[str] = set()
        memo = self._memo
        for article in articles:
            if article is not None:
                found.update(memo.get(id(article)) or self.of(article))  # the memo inline: called 100,000s of times
        return found


def plan(site: SiteData, src: Sources | None = None, kept: Collection[int] = (),
         kept_editions: Collection[int] = ()) -> list[Job]:
    """Every page of the site, in a stable order; `src` keeps what each listed article is made
    from for the renderer (its list items are kept by it). The pages of the articles in `kept`
    and the edition pages and printed pages of the editions in `kept_editions` (by id) are left
    out: build.py keeps them as they are."""
    src = src if src is not None else Sources()
    jobs: list[Job] = []
    editions = site.editions
    latest = editions[-1] if editions else None
    jobs.append(_edition(src, site, latest, output_file(HOME), len(editions) - 1, home=True))
    for i, edition in enumerate(editions):
        if id(edition) not in kept_editions:
            jobs.extend(edition_jobs(src, site, i))
        jobs.extend(article_job(src, edition, j) for j, article in enumerate(edition.articles)
                    if id(article) not in kept)
    for kind, groups, declared in (("sections", site.sections, site.config.sections),
                                   ("series", site.series, site.config.series)):
        for slug, members in groups.items():
            jobs.extend(_index(src, site, kind, declared[slug], members))
    jobs.extend(_feeds(src, site))
    jobs.append(_corrections(src, site))
    jobs.append(_archive_job(site))
    if site.config.search:
        jobs.append(Job(output_file(SEARCH), "search.html", frozenset()))
    jobs.append(Job("404.html", "404.html", frozenset(), context=dict(canonical_url="404.html")))
    jobs.extend(sitemap_jobs(site))
    return jobs


def plan_some(site: SiteData, src: Sources, editions: Collection[int], articles: Collection[int],
              months: Collection[tuple[int, int]], corrections: bool) -> list[Job]:
    """The pages a new edition can change (added.py), in plan()'s order: the front page, the edition
    pages and printed pages of `editions` and the pages of `articles` (by id), every section and
    series index, the feeds (the corrections' only with `corrections`), the corrections page then,
    the archive, and the sitemaps but the months not in `months` and robots.txt."""
    jobs = [_edition(src, site, site.editions[-1], output_file(HOME), len(site.editions) - 1, home=True)]
    for i, edition in enumerate(site.editions):
        if id(edition) in editions:
            jobs.extend(edition_jobs(src, site, i))
        jobs.extend(article_job(src, edition, j) for j, article in enumerate(edition.articles)
                    if id(article) in articles)
    for kind, groups, declared in (("sections", site.sections, site.config.sections),
                                   ("series", site.series, site.config.series)):
        for slug, members in groups.items():
            jobs.extend(_index(src, site, kind, declared[slug], members))
    jobs.extend(job for job in _feeds(src, site) if corrections or job.path != feed_path("corrections"))
    if corrections:
        jobs.append(_corrections(src, site))
    jobs.append(_archive_job(site))
    wanted = {month_path(year, month) for year, month in months}
    jobs.extend(job for job in sitemap_jobs(site) if job.template != "sitemap.xml" or job.path in wanted
                or job.path == SITE_SITEMAP)
    return [job for job in jobs if job.path != ROBOTS]


def _corrections(src: Sources, site: SiteData) -> Job:
    corrections = site.corrections
    return Job(output_file(CORRECTIONS), "corrections.html",
               frozenset(src.all(corrections) | src.all(o for c in corrections for o in c.originals)),
               context=dict(corrections=corrections))


def _archive_job(site: SiteData) -> Job:
    editions = site.editions
    return Job(output_file(ARCHIVE), "archive.html", frozenset(e.source for e in editions),
               context=dict(years=_archive(editions), first=editions[0] if editions else None,
                            last=editions[-1] if editions else None))


def edition_jobs(src: Sources, site: SiteData, i: int) -> list[Job]:
    """The page of the site's i-th edition, then those of its printed pages."""
    editions = site.editions
    edition = editions[i]
    jobs = [_edition(src, site, edition, output_file(edition.url), i)]
    pages = edition.pages
    strip = {m for p in pages for m in p.media}  # every page's thumbnail is in the strip of pages
    for j, page in enumerate(pages):
        prev_page = pages[j - 1] if j > 0 else None
        next_page = pages[j + 1] if j + 1 < len(pages) else None
        turn_prev, turn_next = _turns(editions, i, prev_page, next_page)
        sources = {edition.source, *strip} | {t.edition.source for t in (turn_prev, turn_next) if t and t.edition}
        sources |= src.all(page.articles) | src.all(page.continued)  # its articles, and those continued on it
        jobs.append(Job(
            output_file(page.url), "page.html", sources,
            origin=page_origin(edition, page),
            context=dict(edition=edition, page=page, prev_page=prev_page, next_page=next_page,
                         turn_prev=turn_prev, turn_next=turn_next)))
    return jobs


def page_origin(edition: Edition, page: Page) -> str:
    """What a printed page's file is made from, as messages name it."""
    return f"{edition.source} (page {page.number})"


def article_job(src: Sources, edition: Edition, j: int) -> Job:
    """The page of the edition's j-th article (also planned alone, by build.py's quick path)."""
    articles = edition.articles
    article = articles[j]
    prev_article = articles[j - 1] if j > 0 else None
    next_article = articles[j + 1] if j + 1 < len(articles) else None
    related = [article, prev_article, next_article, article.prev_in_series, article.next_in_series,
               *article.originals, *article.corrections]
    page = article.page
    sources = src.all(related)
    sources.update(page.media)
    return Job(output_file(article.url), "article.html", sources,
               context=dict(article=article, edition=edition, page=page,
                            prev_article=prev_article, next_article=next_article),
               needs_html=(article,), origin=article.source)


def files(site: SiteData) -> list[Rendition | Download]:
    """Every image rendition and PDF the pages show, once each, in a stable order."""
    found: dict[str, Rendition | Download] = {}
    for edition in site.editions:
        if edition.download:
            found[edition.download.path] = edition.download
        for page in edition.pages:
            if page.picture:
                found.update((r.path, r) for r in (*page.picture.levels, page.picture.thumb))
            if page.download:
                found[page.download.path] = page.download
        for article in edition.articles:
            links = article.links  # read once: 100,000 articles
            if links.lead:  # lists show its thumbnail
                found.update((r.path, r) for r in (*links.lead.renditions, links.lead.thumb))
            for item in links.pictures.values():
                found.update((r.path, r) for r in item.renditions)
    return [found[path] for path in sorted(found)]


def _turns(editions: list[Edition], i: int, prev_page: Page | None,
           next_page: Page | None) -> tuple[Page | None, Page | None]:
    """Where turning a printed page leads: its neighbours, and past the edition's last page the
    next edition's first (before its first, the previous edition's last), as a reader leafs on."""
    if prev_page is None and i > 0 and editions[i - 1].pages:
        prev_page = editions[i - 1].pages[-1]
    if next_page is None and i + 1 < len(editions) and editions[i + 1].pages:
        next_page = editions[i + 1].pages[0]
    return prev_page, next_page


def _edition(src: Sources, site: SiteData, edition: Edition | None, path: str, i: int, home: bool = False) -> Job:
    if edition is None:
        return Job(path, "edition.html", frozenset(), "empty",
                   context=dict(edition=None, prev_edition=None, next_edition=None))
    editions = site.editions
    prev_edition = editions[i - 1] if i > 0 else None
    next_edition = editions[i + 1] if i + 1 < len(editions) else None
    sources = ({edition.source} | src.all(edition.articles) | {e.source for e in (prev_edition, next_edition) if e}
               | {m for p in edition.pages for m in p.media})
    if edition.download:  # the whole-edition PDF's size is shown
        sources.add(edition.pdf_key)
    context: dict[str, Any] = dict(edition=edition, prev_edition=prev_edition, next_edition=next_edition)
    if home:
        context["canonical_url"] = edition.url
    return Job(path, "edition.html", sources, "home" if home else "", context=context,
               origin=edition.source)


def _index(src: Sources, site: SiteData, kind: str, group: Section, members: list[Article]) -> list[Job]:
    per_page = site.config.paginate
    total = page_count(len(members), per_page)
    template = "section.html" if kind == "sections" else "series.html"
    jobs = []
    for n in range(1, total + 1):
        chunk = members[(n - 1) * per_page: n * per_page]
        pager = Pager(n, total,
                      section_url(group.slug, n - 1, kind) if n > 1 else None,
                      section_url(group.slug, n + 1, kind) if n < total else None)
        jobs.append(Job(output_file(section_url(group.slug, n, kind)), template, src.all(chunk),
                        f"{n}/{total}", context=dict(group=group, kind=kind, articles=chunk, pager=pager)))
    return jobs


def _feeds(src: Sources, site: SiteData) -> list[Job]:
    """Atom feeds: the whole paper, each section, and the corrections; newest entries first."""
    config = site.config
    newest = [a for e in reversed(site.editions) for a in e.articles]
    feeds: list[tuple[str, str, str, list[Article]]] = [(feed_path(), config.title, "", newest)]
    for slug, members in site.sections.items():
        feeds.append((feed_path("sections", slug), f"{config.title} · {config.sections[slug].name}",
                      f"sections/{slug}/", members))
    feeds.append((feed_path("corrections"), "", CORRECTIONS, site.corrections))
    jobs = []
    for path, title, home, members in feeds:
        entries = members[: config.feed_entries]
        jobs.append(Job(path, "atom.xml", frozenset(src.all(entries)),
                        context=dict(feed_title=title, feed_path=path, home_path=home, entries=entries),
                        needs_html=tuple(entries)))
    return jobs


@dataclass(frozen=True)
class Month:
    """A month of the archive as a calendar: weeks from Monday, each day 0 (outside the
    month) or its number, with the edition of that day if there is one."""

    year: int
    month: int
    weeks: list[list[tuple[int, Edition | None]]]
    editions: list[Edition]


_WEEKS = calendar.Calendar(firstweekday=calendar.MONDAY)


def _archive(editions: list[Edition]) -> list[tuple[int, list[Month]]]:
    """Years newest first, each with its months (those with editions) newest first."""
    newest = sorted(editions, key=lambda e: e.date, reverse=True)
    years = []
    for year, in_year in groupby(newest, key=lambda e: e.date.year):
        months = []
        for month, in_month in groupby(in_year, key=lambda e: e.date.month):
            found = list(in_month)
            by_day = {e.date.day: e for e in found}
            weeks = [[(day, by_day.get(day)) for day in week] for week in _WEEKS.monthdayscalendar(year, month)]
            months.append(Month(year, month, weeks, found))
        years.append((year, months))
    return years


def check_outputs(jobs: list[Job], static_files: dict[str, Path], root: Path, diags: Diagnostics,
                  files: Iterable[Rendition | Download] = (), kept: Iterable[tuple[str, str]] = ()) -> None:
    """Two sources must never write one output file; a static file loses to a page. `kept`:
    (path, source) of the pages kept without being planned."""
    generated: dict[str, Arg] = {job.path: job.origin or job.template for job in jobs}
    generated.update(kept)
    generated["_headers"] = M.CACHING_RULES()
    generated.update((item.path, item.source) for item in files)  # image renditions, PDFs
    for path, source in static_files.items():
        if path in generated or path.startswith("pagefind/"):
            try:
                shown = source.relative_to(root).as_posix()
            except ValueError:
                shown = f"static/{path} of the default theme"
            made = generated.get(path, M.SEARCH_INDEX())
            diags.error(shown, 1, M.OVERWRITES_PAGE(path=path, made=made))
