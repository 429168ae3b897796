"""The added path: after a new edition alone, load, link and plan only the pages it changes.

The nightly publish adds an edition folder, newer than every other, and changes no other input.
A full build then loads, links and plans the whole archive (at 100,000 articles, three of its
ten seconds) to find that what changes is the new edition's pages, its neighbour's, those of
the few articles it links to (the last part of a series, what it corrects), and the pages that
list the archive: the front page, every section and series index (each shifted by the new
articles), the feeds, the archive and the sitemaps. An index needs of each article it lists
only what that article's list item is made from (pages.Sources) and the item's HTML, which the
fragment store keeps (render.list_items). So the last build leaves a ledger with its shape
(output/shape.py): the published editions, each index's articles in order, what each one's item
is made from, and the corrections. This path parses the new edition, loads in full the editions
the changed pages show (its neighbours, the month of its sitemap, the feeds' newest entries,
what it links to, as the quick path loads them: quick._editions), lists every other article as a
`Listed` stand-in and every other edition as one without pages or articles, and plans the pages
it changes (pages.plan_some); build.py keeps every other file.

What it cannot be sure of it leaves to a full build (prepare_added() answers None): files added
anywhere but new edition folders, an edition not newer than every other or not published now,
any error in what it loads, a page it plans that reaches an article it did not load (NotLoaded).
A list item missing from the fragment store, or a layout reading more of a listed article than
its item, is found while rendering: build.py then builds again in full (Rebuild)."""
from __future__ import annotations

import datetime as dt
import marshal
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from epaper.content.load import LoadedSite, make_edition, parse_into, parse_task, probe_media
from epaper.content.markup import MarkdownRenderer
from epaper.content.reader import SiteReader
from epaper.content.resolve import check_alone, media_digests, normalize_title, order, published_articles
from epaper.errors import Diagnostic, Diagnostics
from epaper.model import Article, Config, Edition, SiteData
from epaper.output.cache import BuildCache, SourceRecord
from epaper.output.shape import Shape
from epaper.quick import NotLoaded, Unloaded, _editions, _folder, links_of
from epaper.site.jobs import Job
from epaper.site.pages import Sources, plan_some
from epaper.site.sitemaps import NEWS_DAYS
from epaper.site.urls import feed_path

LEDGER_FORMAT = 1


class Rebuild(Exception):
    """The added path met what it did not load while rendering: the build starts again in full."""


class Listed(Unloaded):
    """An article of an edition the added path did not load, in an index: its list item's key
    and HTML are the last build's (Sources.seed), its edition one without pages or articles
    (the date and number the archive shows); anything else asked of it raises NotLoaded."""

    def __init__(self, source: str, edition: Edition) -> None:
        self.source, self.edition = source, edition


@dataclass
class Ledger:
    """What the indexes of the live site list, kept with its shape for the next new edition."""

    editions: list[tuple[str, str, int | None, str, int]]  # (edition.yaml, date, number, hash, articles), oldest first
    members: dict[str, list[str]]  # "sections/SLUG" or "series/SLUG" -> its articles' files, newest first
    listed: dict[str, tuple[str, ...]]  # article file -> the files its list item is made from (pages.Sources)
    hashes: dict[str, str]  # the edition and media files among those -> their hashes (articles': the shape's)
    corrections: list[str]  # the correction notices, newest first
    dates: list[str]  # every edition's date, published or not (a new one must be later than all)


def encode_ledger(ledger: Ledger) -> bytes:
    return marshal.dumps({"format": LEDGER_FORMAT, "editions": ledger.editions, "members": ledger.members,
                          "listed": ledger.listed, "hashes": ledger.hashes, "corrections": ledger.corrections,
                          "dates": ledger.dates})


def decode_ledger(data: bytes) -> Ledger | None:
    """The ledger a shape holds; None when it has none or one of another format."""
    if not data:
        return None
    try:
        raw = marshal.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != LEDGER_FORMAT:
            return None
        return Ledger(editions=raw["editions"], members=raw["members"], listed=raw["listed"], hashes=raw["hashes"],
                      corrections=raw["corrections"], dates=raw["dates"])
    except Exception:  # damaged: a full build
        return None


def take_ledger(site: SiteData, src: Sources, everything: list[Edition]) -> Ledger:
    """The ledger of a site as a build planned it (`src`: the plan's, which has every listed
    article; `everything`: every edition loaded, published or not)."""
    members: dict[str, list[str]] = {}
    for kind, groups in (("sections", site.sections), ("series", site.series)):
        for slug, articles in groups.items():
            members[f"{kind}/{slug}"] = [a.source for a in articles]
    listed = {a.source: src.of(a) for e in site.editions for a in e.articles}  # what lists show of each
    editions = [(e.source, e.date.isoformat(), e.number, e.digest, len(e.articles)) for e in site.editions]
    hashes = {e.source: e.digest for e in site.editions}
    media = site.media
    files = {f for made in listed.values() for f in made if not f.endswith(".md") and f not in hashes}
    hashes.update((f, media.get(f, "")) for f in sorted(files))
    return Ledger(editions=editions, members=members, listed=listed, hashes=hashes,
                  corrections=[a.source for a in site.corrections],
                  dates=sorted({e.date.isoformat() for e in everything}))


class _Hashes(Mapping[str, str]):
    """The hashes of the files of what the added path did not load: the shape's and the ledger's."""

    def __init__(self, articles: dict[str, tuple[str, str, str]], hashes: dict[str, str]) -> None:
        self.articles, self.hashes = articles, hashes

    def __getitem__(self, source: str) -> str:
        found = self.articles.get(source)
        return found[2] if found is not None else self.hashes[source]

    def __iter__(self) -> Iterator[str]:
        yield from self.articles
        yield from self.hashes

    def __len__(self) -> int:
        return len(self.articles) + len(self.hashes)


@dataclass
class AddedSite:
    """What the added path loaded and planned."""

    loaded: LoadedSite
    site: SiteData
    jobs: list[Job]
    src: Sources
    ledger: Ledger  # the last build's, brought up to date by update_shape
    new: list[Edition]  # the new editions
    everything: list[Article]  # their articles, drafts too
    warnings: list[Diagnostic] = field(default_factory=list)  # the new files' (the last build's are the writer's)


def _name(rel: str) -> str:
    return rel.rpartition("/")[2]


def new_folders(root: Path, added: list[str], known: set[str]) -> dict[str, list[str]] | None:
    """The new edition folders and their files (relative to the site), or None when a file was
    added anywhere else (or an article below one, which the full build would warn about), a
    folder held a file before (a stray article becomes an edition's), anything in one is a
    symbolic link (the full build refuses one leading out of the site), or one is inside
    another edition or holds one (`known`: the archive's edition folders)."""
    root = root.absolute()
    rels = [Path(os.path.relpath(Path(path).absolute(), root)).as_posix() for path in added]
    folders = {_folder(rel) for rel in rels if rel.endswith("/edition.yaml") and rel.startswith("content/")}
    found: dict[str, list[str]] = {folder: [] for folder in folders}
    for rel in rels:
        home = _folder(rel)
        if rel.endswith(".md") and home not in folders:
            return None
        while home and home not in folders:
            home = _folder(home)
        if not home:
            return None
        found[home].append(rel)
    for folder in folders:  # an edition inside another is an error (load.find_editions)
        above = _folder(folder)
        while above:
            if above in folders or above in known:
                return None
            above = _folder(above)
        if any(other.startswith(f"{folder}/") for other in known):
            return None
        if not _only(root / folder, {root / rel for rel in found[folder]}):
            return None
    return found if found else None


def _only(folder: Path, files: set[Path]) -> bool:
    """Whether the folder holds these files alone, and no symbolic link (itself none either)."""
    if folder.is_symlink():
        return False
    for path, dirs, names in os.walk(folder):
        for name in (*dirs, *names):
            entry = Path(path) / name
            if entry.is_symlink() or (name in names and entry not in files):
                return False
    return True


def prepare_added(root: Path, config: Config, cache: BuildCache, shape: Shape, ledger: Ledger, added: list[str],
                  now: dt.datetime, drafts: bool, future: bool) -> AddedSite | None:
    """The added path's load, link and plan, or None when a full build is needed (see the module)."""
    known = {_folder(source) for source, *_ in ledger.editions}
    folders = new_folders(root, added, known)
    if folders is None or not ledger.editions:
        return None
    new, warnings = _parse(root, config, cache, folders)
    if new is None:
        return None
    reader = SiteReader(root, Diagnostics())
    media = probe_media(reader, new, cache, every=False)
    diags = Diagnostics()
    for edition in new:
        check_alone(edition, config, media, diags)
    if diags.has_errors():
        return None
    warnings.extend(diags.warnings)
    last = dt.date.fromisoformat(max([*ledger.dates, ledger.editions[-1][1]]))  # unpublished ones too
    new.sort(key=lambda e: e.date)
    zone = ZoneInfo(config.timezone)
    everything: dict[int, list[Article]] = {}  # edition -> its articles, drafts too
    for i, edition in enumerate(new):
        publish = edition.publish or dt.datetime.combine(edition.date, dt.time())
        if publish.tzinfo is None:
            publish = publish.replace(tzinfo=zone)
        if edition.date <= last or (i and new[i - 1].date == edition.date) or (not future and publish > now):
            return None  # a date the archive has, twice, or not yet due: the full build says what follows
        everything[id(edition)] = list(edition.articles)
        edition.links.articles = published_articles(edition, drafts)
        if not edition.links.articles:
            return None
        order(edition)
    return _link_and_plan(root, config, cache, shape, ledger, new, everything, media, warnings, drafts)


def _parse(root: Path, config: Config, cache: BuildCache,
           folders: dict[str, list[str]]) -> tuple[list[Edition] | None, list[Diagnostic]]:
    """The new folders' files parsed, their records put in the cache (its folders), their editions made."""
    task = parse_task(config, root, cache)
    renderer = MarkdownRenderer(unsafe_html=task.unsafe_html, backlink=task.backlink)
    wanted = sorted((rel, str(root / rel)) for files in folders.values() for rel in files
                    if rel.endswith("/edition.yaml") or (rel.endswith(".md") and not _name(rel).startswith(".")))
    parsed = parse_into(cache.html, task, wanted, renderer)
    warnings: list[Diagnostic] = []
    rows: dict[str, dict[str, SourceRecord]] = {folder: {} for folder in folders}
    for rel, record in parsed:
        if (not isinstance(record, SourceRecord) or record.fields is None
                or any(not d.warning for d in record.diagnostics)):
            return None, []
        rows[_folder(rel)][rel] = record
        warnings.extend(record.diagnostics)
    assert cache.some is not None
    editions = []
    for folder in sorted(folders):
        records = rows[folder]
        yaml = records.get(f"{folder}/edition.yaml")
        made = [Article.from_record(r.fields, r.sha, r.shown) for rel, r in sorted(records.items())
                if rel.endswith(".md") and r.fields is not None]
        if yaml is None or not made:
            return None, []
        editions.append(make_edition(f"{folder}/edition.yaml", folder, yaml, made, 0))
        cache.some[folder] = records
        cache.touched.add(folder)
    cache.sources_changed = True
    return editions, warnings


def _link_and_plan(root: Path, config: Config, cache: BuildCache, shape: Shape, ledger: Ledger, new: list[Edition],
                   everything: dict[int, list[Article]], media: dict[str, Any], warnings: list[Diagnostic],
                   drafts: bool) -> AddedSite | None:
    index = {_folder(source): i for i, (source, *_) in enumerate(ledger.editions)}
    by_date = {date: i for i, (_, date, *_) in enumerate(ledger.editions)}
    fresh = [a for e in new for a in e.articles]
    wanted = _wanted(config, ledger, new, by_date, fresh)
    if wanted is None:
        return None
    folders = sorted(_folder(ledger.editions[i][0]) for i in wanted)
    found = _editions(root, config, cache, shape, [], drafts, set(), folders)
    if found is None:
        return None
    loaded, part = found
    real = {e.folder: e for e in part.editions}
    if any(folder not in index for folder in real):
        return None  # an edition the ledger does not have as published (linked from one: never so)
    editions: list[Edition] = []
    for source, date, number, digest_, _ in ledger.editions:
        folder = _folder(source)
        editions.append(real.get(folder) or Edition(source=source, folder=folder, digest=digest_,
                                                    date=dt.date.fromisoformat(date), number=number, pages=[]))
    by_folder = {e.folder: e for e in editions}
    editions += new
    articles = {a.source: a for e in part.editions for a in e.articles}
    src = Sources()

    listed, memo = ledger.listed, src.seed

    def members(rels: list[str]) -> list[Article]:
        """The articles of an index, each the loaded one or a stand-in (100,000 at 100,000 articles)."""
        found: list[Article] = []
        add = found.append
        for rel in rels:
            article = articles.get(rel)
            if article is None:
                folder = rel[: rel.rindex("/")]
                if folder in real:
                    raise NotLoaded(rel)  # an edition loaded without it: not the edition the ledger lists
                article = Listed(rel, by_folder[folder])  # type: ignore[assignment]
                memo(article, listed[rel])
            add(article)  # type: ignore[arg-type]
        return found

    try:
        originals = _originals(new, everything, editions, by_date, real, shape, drafts)
        if originals is None:
            return None
        corrected = {id(o) for o in originals}
        for article in articles.values():  # what lists show of them is as it was, but for what a new notice corrects:
            if id(article) not in corrected and article.source in listed:  # their notices may be beyond those loaded
                memo(article, listed[article.source])
        newest_first = [a for e in reversed(new) for a in e.articles]
        sections = {slug: [a for a in newest_first if a.links.section is not None and a.links.section.slug == slug]
                    + members(ledger.members.get(f"sections/{slug}", [])) for slug in config.sections}
        series: dict[str, list[Article]] = {}
        for slug in config.series:
            parts = [a for a in newest_first if a.links.series is not None and a.links.series.slug == slug]
            older = members(ledger.members.get(f"series/{slug}", []))
            merged = series[slug] = parts + older
            for k, article in enumerate(parts):
                article.links.next_in_series = merged[k - 1] if k > 0 else None
                article.links.prev_in_series = merged[k + 1] if k + 1 < len(merged) else None
            if parts and older:
                if not isinstance(older[0], Article):
                    return None
                older[0].links.next_in_series = parts[-1]
        notices = [a for a in newest_first if a.type == "correction"]
        corrections = notices + (members(ledger.corrections) if notices else [])
        whole = [e for e in editions if e.folder in real] + new  # loaded: the others are stand-ins
        site = SiteData(config=config, editions=editions, sections=sections, series=series, corrections=corrections,
                        static_files=loaded.static_files, media=dict(media_digests(whole)),
                        unloaded=_Hashes(shape.articles, ledger.hashes))
        planned_editions = {id(editions[len(editions) - len(new) - 1])} | {id(e) for e in new}
        planned_articles = {id(a) for a in fresh}
        for original in originals:
            home = original.edition
            assert home is not None
            planned_editions.add(id(home))
            j = next(i for i, other in enumerate(home.articles) if other is original)
            planned_articles.update(id(o) for o in (*home.articles[max(0, j - 1): j + 2], *_showing(original)))
        for article in fresh:
            planned_articles.update(id(o) for o in _showing(article))
        months = {(e.date.year, e.date.month) for e in new}
        jobs = plan_some(site, src, planned_editions, planned_articles, months, bool(notices))
    except NotLoaded:
        return None
    if any(not isinstance(a, Article) for job in jobs for a in job.needs_html):
        return None  # a feed's entry not loaded: the ledger's counts were not this site's
    loaded_site = LoadedSite(root=root, config=config, editions=whole, static_files=loaded.static_files,
                             media={**loaded.media, **media})
    return AddedSite(loaded_site, site, jobs, src, ledger, new, [a for e in new for a in everything[id(e)]], warnings)


def _showing(article: Article) -> list[Article]:
    return [o for o in (article.prev_in_series, article.next_in_series, *article.originals, *article.corrections)
            if o is not None]


def _wanted(config: Config, ledger: Ledger, new: list[Edition], by_date: dict[str, int],
            fresh: list[Article]) -> set[int] | None:
    """The editions of the ledger to load in full (by place): those the changed pages show."""
    count = len(ledger.editions)
    wanted = {count - 1, count - 2} - {-1}  # the neighbour, and its neighbour (its pages link both)
    months = {e.date.isoformat()[:7] for e in new}
    since = (new[-1].date - dt.timedelta(days=NEWS_DAYS - 1)).isoformat()
    for i, (_, date, *_) in enumerate(ledger.editions):
        if date[:7] in months or date >= since:  # their month's sitemap; the news sitemap
            wanted.add(i)
    need = config.feed_entries - sum(len(e.articles) for e in new)
    i = count - 1
    while need > 0 and i >= 0:  # the main feed's newest entries
        wanted.add(i)
        need -= ledger.editions[i][4]
        i -= 1
    folder_index = {_folder(source): i for i, (source, *_) in enumerate(ledger.editions)}
    rels: list[str] = []
    for slug in config.sections:  # each section feed's
        shown = sum(1 for a in fresh if a.links.section is not None and a.links.section.slug == slug)
        rels += ledger.members.get(f"sections/{slug}", [])[: max(0, config.feed_entries - shown)]
    series = {a.links.series.slug for a in fresh if a.links.series is not None}
    for slug in series:  # the last part before the new ones: its page links to them
        rels += ledger.members.get(f"series/{slug}", [])[:1]
    if any(a.type == "correction" for a in fresh):  # the corrections page and feed
        rels += ledger.corrections
    for article in fresh:
        for target in article.corrects:
            at = by_date.get(target.date.isoformat()) if target.date else None
            if at is not None:  # what it corrects, whose edition and neighbours change
                wanted.update(range(max(0, at - 1), min(count, at + 2)))
    for rel in rels:
        at = folder_index.get(_folder(rel))
        if at is None:
            return None
        wanted.add(at)
    return wanted


def _originals(new: list[Edition], everything: dict[int, list[Article]], editions: list[Edition],
               by_date: dict[str, int], real: dict[str, Edition], shape: Shape, drafts: bool) -> list[Article] | None:
    """The new corrections linked to what they correct (resolve's _find_originals and _link, for
    the new editions alone); None where resolve would report an error."""
    found: list[Article] = []
    notices: dict[int, list[Article]] = {}
    for edition in new:
        for correction in everything[id(edition)]:
            correction.links.originals = []
            for target in correction.corrects:
                at = by_date.get(target.date.isoformat()) if target.date else None
                home = editions[at] if at is not None else next((e for e in new if e.date == target.date), None)
                if home is None or (home.folder not in real and home not in new) or home.unreadable:
                    return None
                pool = everything.get(id(home), home.articles)
                if id(home) not in everything and len(pool) != sum(_folder(r) == home.folder for r in shape.articles):
                    return None  # drafts left out of a loaded edition: resolve looks among them too
                if target.slug:
                    candidates = [a for a in pool if a.slug == target.slug]
                else:
                    wanted = normalize_title(target.title or "")
                    candidates = [a for a in pool if normalize_title(a.title) == wanted
                                  and (target.page is None or a.page_number == target.page)]
                if len(candidates) != 1:
                    return None
                original = candidates[0]
                if original in correction.originals:
                    continue
                if original is correction or home.date > edition.date or (original.draft and not drafts
                                                                          and not correction.draft):
                    return None
                correction.links.originals.append(original)
    published = {id(a) for e in editions for a in e.articles}
    for edition in reversed(new):
        for correction in edition.articles:
            correction.links.originals = [o for o in correction.links.originals if id(o) in published]
            for original in correction.links.originals:
                if id(original) not in notices:
                    found.append(original)
                notices.setdefault(id(original), []).append(correction)
    for original in found:
        original.links.corrections.extend(reversed(notices[id(original)]))  # oldest first, after the older ones
    return found


def update_shape(shape: Shape, found: AddedSite, pages: dict[str, str], indexed: list[tuple[str, str]]) -> None:
    """The shape and ledger of the site after the new editions: their articles, the links that
    changed, the feeds' entries, the search index's articles."""
    site = found.site
    for article in found.everything:
        shape.articles[article.source] = (pages.get(article.source, ""), article.digest, article.shown)
    for edition in found.loaded.editions:
        for a in edition.articles:
            links = links_of(a)
            if links is not None:
                shape.links[a.source] = links
            else:
                shape.links.pop(a.source, None)
    ledger = found.ledger
    ledger.editions += [(e.source, e.date.isoformat(), e.number, e.digest, len(e.articles)) for e in found.new]
    for kind, groups in (("sections", site.sections), ("series", site.series)):
        for slug, members in groups.items():
            ledger.members[f"{kind}/{slug}"] = [a.source for a in members]
    for edition in found.loaded.editions:  # the new ones, and what a new notice corrects
        ledger.listed.update((a.source, found.src.of(a)) for a in edition.articles)
    notices = any(job.path == feed_path("corrections") for job in found.jobs)
    if notices:
        ledger.corrections = [a.source for a in site.corrections]
    for edition in found.new:
        ledger.hashes[edition.source] = edition.digest
    ledger.dates = sorted({*ledger.dates, *(e.date.isoformat() for e in found.new)})
    files = {f for e in found.loaded.editions for a in e.articles for f in found.src.of(a)
             if not f.endswith(".md") and f not in ledger.hashes}
    ledger.hashes.update((f, site.media.get(f, "")) for f in sorted(files))
    # The articles whose bodies a feed shows (the corrections' feed, unplanned, as it was)
    elsewhere = {a.source for job in found.jobs if job.template == "atom.xml" for a in job.needs_html}
    if not notices:
        elsewhere.update(ledger.corrections[: site.config.feed_entries])
    shape.elsewhere = frozenset(elsewhere)
    shape.indexed = indexed
    shape.ledger = encode_ledger(ledger)
