"""Resolve stage: link what load read (pages, sections, series, corrections,
neighbours) and validate everything that needs more than one file.

Validation runs over every edition and draft, so `check` catches tomorrow's
mistakes tonight; only then are drafts and future editions left out."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from epaper import messages as M
from epaper.content.fields import media_path
from epaper.content.load import LoadedSite
from epaper.errors import Arg, Diagnostics, Message, Text, closest, did_you_mean
from epaper.images import PHOTO_WIDTHS, SCAN_WIDTHS, ZOOM_WIDTH, MediaRecord, download, picture
from epaper.model import (
    Article,
    Config,
    CorrectionTarget,
    Edition,
    Page,
    Picture,
    Section,
    SiteData,
)

_QUOTES = "“”\"'‘’《》〈〉「」『』"


def resolve(loaded: LoadedSite, diags: Diagnostics, *, drafts: bool = False,
            future: bool = False, now: dt.datetime | None = None) -> SiteData:
    """Validate all, then keep what this build publishes and link it together."""
    config = loaded.config
    editions = _unique_dates(loaded.editions, diags)
    for edition in editions:
        check_alone(edition, config, loaded.media, diags)
    _find_originals(editions, diags, drafts)
    published, next_publish = _published(editions, config, diags, drafts, future, now)
    site = _link(config, published, loaded.static_files)
    site.next_publish = next_publish
    site.media = {source: sha for source, sha in media_digests(published)}
    return site


def check_alone(edition: Edition, config: Config, media: dict[str, MediaRecord], diags: Diagnostics) -> None:
    """What an edition's own files tell, linked in: sections, series, photos, scans, areas.
    (Nothing here looks at another edition: build.py's quick path runs it on a few.)"""
    _check_edition(edition, config, diags)
    _check_media(edition, media, diags)
    _check_areas(edition, diags)


def _unique_dates(editions: list[Edition], diags: Diagnostics) -> list[Edition]:
    first: dict[dt.date, Edition] = {}
    for edition in sorted(editions, key=lambda e: (e.date, e.source)):
        if edition.date in first:
            diags.error(edition.source, edition.lines.get("date", 1),
                        M.DATE_TWICE(date=str(edition.date), other=first[edition.date].source))
            continue
        first[edition.date] = edition
    return list(first.values())


def _check_edition(edition: Edition, config: Config, diags: Diagnostics) -> None:
    for page in edition.pages:
        if page.section_slug and page.section_slug not in config.sections:
            diags.error(edition.source, page.line, _unknown(M.UNKNOWN_SECTION, page.section_slug, config.sections))
    pages: dict[int, Page] = {}
    for each in edition.pages:
        pages.setdefault(each.number, each)  # the first of a number, as Edition.page() finds it
    slugs: dict[str, Article] = {}
    for article in sorted(edition.articles, key=lambda a: a.source):
        on = pages.get(article.page_number)
        if on is None:
            diags.error(article.source, article.line("page"),
                        M.NOT_A_PAGE(page=article.page_number, date=str(edition.date),
                                     pages=", ".join(str(p.number) for p in edition.pages), source=edition.source))
        else:
            slug = article.section_slug or on.section_slug
            if article.section_slug and article.section_slug not in config.sections:
                diags.error(article.source, article.line("section"),
                            _unknown(M.UNKNOWN_SECTION, article.section_slug, config.sections))
            elif slug in config.sections:
                article.links.section = config.sections[slug]
        if article.series_slug:
            if article.series_slug in config.series:
                article.links.series = config.series[article.series_slug]
            else:
                diags.error(article.source, article.line("series"),
                            _unknown(M.UNKNOWN_SERIES, article.series_slug, config.series))
        if article.slug in slugs:
            other = slugs[article.slug]
            diags.error(article.source, article.line("slug"), M.SLUG_TAKEN(slug=article.slug, other=other.source))
        else:
            slugs[article.slug] = article


def _check_media(edition: Edition, media: dict[str, MediaRecord], diags: Diagnostics) -> None:
    """Each scan, PDF and photo named must be a usable file; those that are get their renditions."""

    def record(kind: str, written: str, path: str, line: int, what: Text) -> tuple[str, MediaRecord] | None:
        rel = media_path(edition.folder, written)
        if rel is None:  # a name leaving the folder: reported where it was read
            return None
        found = media.get(f"{kind}:{rel}")
        if found is None or found.problem:
            diags.error(path, line, M.MEDIA_PROBLEM(what=what, written=written, path=rel,
                                                    problem=found.problem if found else M.NOT_FOUND(suggestion="")))
            return None
        return rel, found

    for page in edition.pages:
        if page.scan and (got := record("image", page.scan, edition.source, page.scan_line, M.WHAT_SCAN())):
            page.links.picture = picture(got[0], got[1], SCAN_WIDTHS, ZOOM_WIDTH)
        if page.pdf and (got := record("pdf", page.pdf, edition.source, page.pdf_line, M.WHAT_PDF())):
            name = f"{edition.date.isoformat()}-{page.label}.pdf"
            page.links.download = download(page.url + name, got[0], got[1])
            if not page.scan:  # the PDF is the scan
                _pdf_as_scan(edition, page, got[0], got[1], diags)
    for article in edition.articles:
        if article.image and (got := record("image", article.image, article.source, article.line("image"),
                                            M.WHAT_LEAD_PHOTO())):
            article.links.lead = picture(got[0], got[1], PHOTO_WIDTHS)
        pictures: dict[str, Picture] = {}
        for figure in article.figures:
            if figure.src not in pictures and (got := record("image", figure.src, article.source, figure.line,
                                                             M.WHAT_IMAGE())):
                pictures[figure.src] = picture(got[0], got[1], PHOTO_WIDTHS)
        article.links.pictures = pictures


def _pdf_as_scan(edition: Edition, page: Page, rel: str, found: MediaRecord, diags: Diagnostics) -> None:
    """A page with a PDF and no scan shows its PDF's first page, rendered at build time."""
    if found.unrenderable:
        diags.error(edition.source, page.pdf_line, M.PDF_UNRENDERABLE(number=page.number, written=page.pdf,
                                                                      path=rel, problem=found.unrenderable))
        return
    if found.pages > 1:
        diags.warning(edition.source, page.pdf_line, M.PDF_PAGES(number=page.number, written=page.pdf, path=rel,
                                                                 pages=found.pages))
    page.links.picture = picture(rel, found, SCAN_WIDTHS, ZOOM_WIDTH)


def _check_areas(edition: Edition, diags: Diagnostics) -> None:
    """Areas need a scan to sit on; two articles' areas should not overlap (a warning: a reader
    tapping there gets only one of them)."""
    if not any(article.areas or article.jumps for article in edition.articles):  # most editions
        return
    numbers = {p.number: p for p in edition.pages}
    by_page: dict[int, list[Article]] = {}
    for article in sorted(edition.articles, key=lambda a: a.source):
        page = numbers.get(article.page_number)
        _check_jumps(edition, article, numbers, diags)
        if not article.areas or page is None:
            continue
        if not page.scan and not page.pdf:
            diags.error(article.source, article.line("area"),
                        M.AREA_NO_SCAN(number=page.number, source=edition.source, line=page.line))
            continue
        for other in by_page.get(page.number, []):
            for box in article.areas:
                hit = next((b for b in other.areas if box.overlaps(b)), None)
                if hit is not None:
                    diags.warning(article.source, box.line or article.line("area"),
                                  M.AREA_OVERLAP(box=f"[{box.x:g}, {box.y:g}, {box.w:g}, {box.h:g}]",
                                                 other_box=f"[{hit.x:g}, {hit.y:g}, {hit.w:g}, {hit.h:g}]",
                                                 other=other.source, number=page.number))
        by_page.setdefault(page.number, []).append(article)


def _check_jumps(edition: Edition, article: Article, numbers: dict[int, Page], diags: Diagnostics) -> None:
    """A box on another page ({page: N, box: [...]}: the article continued there) must name a page of
    the edition, not the article's own, that has a scan to sit on."""
    for box in article.jumps:
        where = f"{{page: {box.page}, box: [{box.x:g}, {box.y:g}, {box.w:g}, {box.h:g}]}}"
        other = numbers.get(box.page)
        if other is None:
            listed = ", ".join(str(n) for n in numbers)  # here, not for each of 100,000 articles
            diags.error(article.source, box.line, M.JUMP_NO_SUCH_PAGE(box=where, number=box.page,
                                                                      source=edition.source, listed=listed))
        elif other.number == article.page_number:
            diags.error(article.source, box.line, M.JUMP_OWN_PAGE(box=where, number=box.page))
        elif not other.scan and not other.pdf:
            diags.error(article.source, box.line, M.JUMP_NO_SCAN(box=where, number=other.number,
                                                                 source=edition.source, line=other.line))


def media_digests(editions: list[Edition]) -> Iterable[tuple[str, str]]:
    """Each image and PDF the editions show, with its content hash."""
    for edition in editions:
        for page in edition.pages:
            for item in (page.picture, page.download):
                if item is not None:
                    yield item.source, item.sha
        for article in edition.articles:
            lead, pictures = article.lead, article.pictures
            if lead:
                yield lead.source, lead.sha
            if pictures:  # no lists made for the many articles without photos
                for item in pictures.values():
                    yield item.source, item.sha


def _unknown(message: Message, slug: str, declared: dict[str, Section]) -> Text:
    return message(slug=slug, suggestion=did_you_mean(slug, declared),
                   declared=", ".join(declared) or M.NONE_DECLARED())


def normalize_title(title: str) -> str:
    """Titles as printed vary in spacing and quotation marks; compare without them."""
    return re.sub(r"\s+", "", title).strip(_QUOTES)


def _find_originals(editions: list[Edition], diags: Diagnostics, drafts: bool) -> None:
    by_date = {e.date: e for e in editions}
    everything = [a for e in editions for a in e.articles]
    for correction in everything:
        correction.links.originals = []
        for target in correction.corrects:
            original = _original(correction, target, by_date, everything, diags)
            if original is None or original in correction.originals:  # named twice: one notice
                continue
            assert original.edition is not None and correction.edition is not None
            where = _described(target)
            if original is correction:
                diags.error(correction.source, target.line, M.CORRECTS_ITSELF(target=where))
            elif original.edition.date > correction.edition.date:
                diags.error(correction.source, target.line,
                            M.CORRECTS_LATER(target=where, date=str(original.edition.date)))
            elif original.draft and not drafts and not correction.draft:
                diags.error(correction.source, target.line, M.CORRECTS_DRAFT(target=where, source=original.source))
            else:
                correction.originals.append(original)


def _original(correction: Article, target: CorrectionTarget, by_date: dict[dt.date, Edition],
              everything: list[Article], diags: Diagnostics) -> Article | None:
    where = _described(target)
    edition = by_date.get(target.date) if target.date else None
    candidates: list[Article] = []
    if edition is not None:
        if target.slug:
            candidates = [a for a in edition.articles if a.slug == target.slug]
        else:
            wanted = normalize_title(target.title or "")
            candidates = [a for a in edition.articles if normalize_title(a.title) == wanted
                          and (target.page is None or a.page_number == target.page)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = "; ".join(f"{a.source} (page {a.page_number})" for a in candidates)
        diags.error(correction.source, target.line, M.CORRECTS_AMBIGUOUS(target=where, count=len(candidates),
                                                                          names=names))
        return None
    if edition is not None and edition.unreadable:
        return None  # the original may be the file that failed to load: that error says enough
    diags.error(correction.source, target.line, M.CORRECTS_NOTHING(target=where, closest=_nearest(target, everything)))
    return None


def _described(target: CorrectionTarget) -> Arg:
    """The target as the editor wrote it: DATE/SLUG, or date, page and title."""
    if target.slug:
        return f"{target.date}/{target.slug}"
    if target.page is not None:
        return M.CORRECTION_TARGET_PAGE(date=str(target.date), page=target.page, title=target.title or "")
    return M.CORRECTION_TARGET(date=str(target.date), title=target.title or "")


def _nearest(target: CorrectionTarget, everything: Iterable[Article]) -> Arg:
    """The articles most like what a correction names, as the editor reads them (in their language)."""
    labels = {}
    for article in everything:
        assert article.edition is not None
        labels[f"{article.edition.date}/{article.slug} 《{article.title}》"] = article
    key = f"{target.date}/{target.slug}" if target.slug else f"{target.date} 《{target.title}》"
    names: Text | None = None
    for label in closest(key, labels):
        article = labels[label]
        assert article.edition is not None
        one = M.NEAR_ARTICLE(path=f"{article.edition.date}/{article.slug}", title=article.title,
                             page=article.page_number)
        names = one if names is None else M.AND_NEXT(first=names, next=one)
    return M.CLOSEST(names=names) if names is not None else ""


def _published(editions: list[Edition], config: Config, diags: Diagnostics, drafts: bool,
               future: bool, now: dt.datetime | None) -> tuple[list[Edition], dt.datetime | None]:
    """Leave out drafts (unless --drafts) and editions not yet due (unless --future); also
    say when the next left-out edition falls due, when the site will change by itself."""
    zone = ZoneInfo(config.timezone)
    moment = now or dt.datetime.now(tz=zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    kept = []
    due: list[dt.datetime] = []
    for edition in editions:
        publish = edition.publish or dt.datetime.combine(edition.date, dt.time())
        if publish.tzinfo is None:
            publish = publish.replace(tzinfo=zone)
        if not future and publish > moment:
            due.append(publish)
            continue
        articles = published_articles(edition, drafts)
        if edition.articles and not articles:
            diags.warning(edition.source, 1, M.ALL_DRAFTS())
            continue
        edition.links.articles = articles
        kept.append(edition)
    return kept, min(due) if due else None


def published_articles(edition: Edition, drafts: bool) -> list[Article]:
    return [a for a in edition.articles if drafts or not a.draft]


def order(edition: Edition) -> None:
    """An edition's articles in page order, and each page's articles (its own, and those
    continued on it); the corrections are linked after, across editions."""
    page_index = {p.number: i for i, p in enumerate(edition.pages)}
    edition.articles.sort(key=lambda a: (page_index.get(a.page_number, 0), a.sort_key()))
    on_page: dict[int, list[Article]] = {}
    for article in edition.articles:
        on_page.setdefault(article.page_number, []).append(article)
    jumping = [a for a in edition.articles if a.jumps]  # few do: not every article for every page
    for page in edition.pages:
        number = page.number
        page.links.articles = list(on_page.get(number, ()))
        page.links.continued = [a for a in jumping
                                if a.page_number != number and any(b.page == number for b in a.jumps)]
    for article in edition.articles:
        article.links.corrections = []


def _link(config: Config, editions: list[Edition], static_files: dict[str, Path]) -> SiteData:
    """Order everything and set the links both ways; no validation happens here."""
    for edition in editions:
        order(edition)
    published: set[int] | None = None  # made for the first correction: most articles correct nothing
    newest_first = [a for e in reversed(editions) for a in e.articles]
    sections: dict[str, list[Article]] = {slug: [] for slug in config.sections}
    series: dict[str, list[Article]] = {slug: [] for slug in config.series}
    corrections: list[Article] = []
    corrected: dict[int, Article] = {}
    for article in newest_first:  # the links read once each: 100,000 articles
        links = article.links
        if links.section:
            sections[links.section.slug].append(article)
        if links.series:
            series[links.series.slug].append(article)
        if links.originals:  # a correction's (_find_originals gave every article a list of its own)
            if published is None:
                published = {id(a) for e in editions for a in e.articles}
            links.originals = [o for o in links.originals if id(o) in published]
            for original in links.originals:
                original.links.corrections.append(article)
                corrected[id(original)] = original
        if article.type == "correction":
            corrections.append(article)
    for members in series.values():
        chronological = list(reversed(members))
        for i, article in enumerate(chronological):
            article.links.prev_in_series = chronological[i - 1] if i > 0 else None
            article.links.next_in_series = chronological[i + 1] if i + 1 < len(chronological) else None
    for original in corrected.values():  # oldest correction first on the original
        original.links.corrections.reverse()
    return SiteData(config=config, editions=editions, sections=sections, series=series,
                    corrections=corrections, static_files=static_files)
