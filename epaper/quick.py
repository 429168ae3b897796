"""The quick path: after edits to article bodies alone, load, link and plan only what they show.

A full build loads every record, resolves, plans and keys every page: at 100,000 articles
that is seconds, whatever the edit. When the only inputs changed since the last build are
article files whose fields (all but the body) are as they were, the site keeps its shape: the
same pages from the same sources, and only the pages that show those bodies change, each
article's own (a list shows fields only: render.Renderer.key). The last full build's shape
(output/shape.py) says which those are and what they link to; this module loads just the
editions they show, links them as resolve did, and plans those pages (build.py renders them).

What it cannot be sure of it leaves to a full build (prepare_quick() answers None): a file added,
removed or changed that is not such an article, changed fields, an error, a body a feed shows,
another build's records, or a layout that reaches beyond what was loaded (Unloaded); and
build.py checks each page's key with the old body against the last build's.

After files were only added (a new edition: added_files), a full build keeps the article pages,
edition pages and printed pages of the other editions as the live ones, unplanned (unchanged)."""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from epaper.content.load import (
    LoadedSite,
    find_static,
    make_edition,
    parse_into,
    parse_task,
    probe_media,
)
from epaper.content.markup import MarkdownRenderer
from epaper.content.reader import SiteReader
from epaper.content.resolve import check_alone, media_digests, order, published_articles
from epaper.errors import Diagnostic, Diagnostics
from epaper.model import Article, Config, Edition, SiteData, article_url
from epaper.output.cache import LISTING_SEPARATOR, BuildCache, SourceRecord
from epaper.output.shape import Links, Shape
from epaper.site.jobs import Job
from epaper.site.pages import Sources, article_job
from epaper.site.urls import output_file

MOST = 50  # changed files the quick path takes on; more is a bigger change (a full build)
DEPTH = 2  # links followed from a changed article's edition: a layout reaching further gets Unloaded


class NotLoaded(Exception):
    """A layout used an article the quick path did not load: the build starts again in full."""


class Unloaded:
    """An article of an edition the quick path did not load, in its place in a link: anything
    asked of it but its file raises NotLoaded (build.py then builds in full)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __getattr__(self, name: str) -> NoReturn:
        raise NotLoaded(f"{self.source}: {name}")

    def __bool__(self) -> bool:
        raise NotLoaded(self.source)


@dataclass
class QuickSite:
    """What the quick path loaded: a few editions, linked as the full build linked them."""

    loaded: LoadedSite
    site: SiteData
    jobs: list[Job]  # the pages that show the changed bodies
    old: dict[str, str] = field(default_factory=dict)  # changed article -> its hash at the last build
    new: dict[str, str] = field(default_factory=dict)  # changed article -> its hash now
    warnings: list[Diagnostic] = field(default_factory=list)  # the last build's, with the new parses'


def changed_files(shape: Shape, listing: bytes) -> list[str] | None:
    """The input files changed since the shape was taken, or None when files or folders came or
    went (or the walk failed). A file touched within the clock's tick counts as changed."""
    if not listing:
        return None
    old = shape.listing.split(LISTING_SEPARATOR)
    new = listing.split(LISTING_SEPARATOR)
    if len(old) != len(new):
        return None
    before = set(old)
    changed = []
    for line in new:
        if line in before and not line.endswith(b":racy"):
            continue
        if line.startswith((b"d ", b"r ")):
            return None
        # Equal counts, and each changed file one the shape had (prepare_quick checks): the same files.
        changed.append(_listed_path(line))
    return changed


def added_files(old: bytes, new: bytes) -> list[str] | None:
    """The files in the listing `new` that the listing `old` did not have, or None when a file or
    folder of `old` is gone or differs (a changed size or time, a file then in the clock's tick):
    then something changed besides files being added (build.plan keeps nothing)."""
    if not old or not new:
        return None
    now = set(new.split(LISTING_SEPARATOR))
    before = old.split(LISTING_SEPARATOR)
    if len(now) < len(before) or not all(line in now for line in before):
        return None
    now.difference_update(before)
    added = []
    for line in now:
        if line.startswith((b"d ", b"r ")):
            continue  # a new folder: its files are listed too
        added.append(_listed_path(line))
    return sorted(added)


def new_edition_likely(before: bytes, content: Path) -> bool:
    """Whether `content/` or its newest folder (the newest year) holds a folder that the listing
    `before` (the last build's, cache.input_stamp) does not name: a new edition, the nightly
    publish, after which a build loads every record (build.py reads them while the stamp's walk
    goes on). After an edit there is none: the quick path's case. Two folders read, whatever
    the archive's size; a layout of another depth is only guessed about less well."""
    listed = {line for line in before.split(LISTING_SEPARATOR) if line.startswith(b"d ")}
    folder = str(content)
    for _ in range(2):
        try:
            found = sorted(entry.path for entry in os.scandir(folder) if entry.is_dir())
        except OSError:
            return False
        if any(f"d {path}".encode("utf-8", "surrogateescape") not in listed for path in found):
            return True
        if not found:
            return False
        folder = found[-1]
    return False


def _listed_path(line: bytes) -> str:
    """The file a listing's line names ("PATH:SIZE:MTIME:CTIME" or "PATH:racy")."""
    path = line[: -len(b":racy")] if line.endswith(b":racy") else line.rsplit(b":", 3)[0]
    return path.decode("utf-8", "surrogateescape")


@dataclass
class Kept:
    """The pages a build after added files alone keeps as the live ones, unplanned (unchanged)."""

    articles: list[tuple[Article, int, str]] = field(default_factory=list)  # article, its place, its page
    editions: list[tuple[Edition, list[str]]] = field(default_factory=list)  # edition, its page and printed pages'

    def __len__(self) -> int:
        return len(self.articles) + sum(len(paths) for _, paths in self.editions)

    def paths(self) -> list[str]:
        return [path for _, _, path in self.articles] + [path for _, paths in self.editions for path in paths]


def unchanged(editions: Sequence[Edition], root: Path, added: list[str], live: dict[str, str],
              renders: dict[str, str]) -> Kept:
    """The pages that can be kept as the live ones when the files `added` (every input file added
    since the build that made the output, and nothing else changed: added_files) are the only
    change. Editions with a new file, or with a page that is not live (published since: it fell
    due), are changed. Kept are:
    - the pages of the articles of the other editions, but those whose page shows a changed
      edition's article (series neighbours, a corrected original) or one that lists now mark as
      corrected (the original's neighbours in its edition);
    - the edition page and printed pages of the other editions, but those of a changed
      edition's neighbours (their links and page turns lead to it) and of the editions of
      originals a changed edition corrects (their lists mark it).
    Nothing when a file was added outside content/ (a layout, a static file)."""
    root = root.absolute()
    touched: set[str] = set()  # every folder holding a new file, and the folders above it
    for path in added:
        rel = Path(os.path.relpath(Path(path).absolute(), root)).as_posix()
        if not rel.startswith("content/"):
            return Kept()
        while "/" in rel:
            rel = rel.rpartition("/")[0]
            touched.add(rel)
    paths: dict[int, str] = {}
    own: dict[int, list[str]] = {}  # edition -> its edition page and printed pages
    changed: list[int] = []  # places of the changed editions
    for i, edition in enumerate(editions):
        if edition.folder in touched:
            changed.append(i)
            continue
        own[i] = [output_file(edition.url), *(output_file(page.url) for page in edition.pages)]
        base = edition.url  # made once an edition, not once an article (Article.url)
        paths.update((id(article), output_file(article_url(base, article.slug))) for article in edition.articles)
    built = live.keys() & renders.keys()
    absent = set(paths.values()).union(*own.values()) - built  # at once: 150,000 lookups at 100,000 articles
    if absent:  # published since the last build (it fell due): its edition changed too
        changed += [i for i in own if any(path in absent for path in own[i])
                    or any(paths[id(article)] in absent for article in editions[i].articles)]
        changed.sort()
    new = [article for i in changed for article in editions[i].articles]
    linked = {id(other) for article in new for other in _showing(article)}
    place = {id(edition): i for i, edition in enumerate(editions)}
    unkept = {i + step for i in changed for step in (-1, 0, 1)}  # links and turns lead to a changed edition
    for original in {id(o): o for article in new for o in article.originals}.values():
        # Lists show that an article was corrected: the pages showing it as a neighbour change too.
        home = original.edition
        assert home is not None
        unkept.add(place[id(home)])
        j = next(i for i, other in enumerate(home.articles) if other is original)
        neighbours = home.articles[max(0, j - 1): j + 2]
        linked.update(id(other) for other in (*neighbours, *_showing(original)))
    skip = set(changed)
    return Kept(
        articles=[(article, j, paths[id(article)]) for i, edition in enumerate(editions) if i not in skip
                  for j, article in enumerate(edition.articles) if id(article) not in linked],
        editions=[(edition, own[i]) for i, edition in enumerate(editions) if i not in unkept])


def _showing(article: Article) -> list[Article]:
    """The articles of other editions whose pages show this one (article_job's related ones)."""
    return [other for other in (article.prev_in_series, article.next_in_series, *article.originals,
                                *article.corrections) if other is not None]


def prepare_quick(root: Path, config: Config, cache: BuildCache, shape: Shape, changed: list[str],
                  warnings: list[Diagnostic], drafts: bool) -> QuickSite | None:
    """The quick path's load, link and plan, or None when a full build is needed (see the module)."""
    if not changed or len(changed) > MOST:
        return None
    rels = []
    for path in changed:
        rel = Path(os.path.relpath(path, root)).as_posix()
        if rel not in shape.articles or rel in shape.elsewhere:
            return None
        rels.append(rel)
    rows = cache.folders(sorted({_folder(rel) for rel in rels}))
    if rows is None:
        return None
    task = parse_task(config, root, cache)
    renderer = MarkdownRenderer(unsafe_html=task.unsafe_html, backlink=task.backlink)
    parsed = parse_into(cache.html, task, [(rel, str(root / rel)) for rel in rels], renderer)
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    replaced: dict[str, list[Diagnostic]] = {}
    for rel, record in parsed:
        _, sha, shown = shape.articles[rel]
        before = rows[_folder(rel)].get(rel)
        if (not isinstance(record, SourceRecord) or record.fields is None or before is None or before.sha != sha
                or record.shown != shown or record.fields != before.fields
                or any(not d.warning for d in record.diagnostics)):
            return None  # fields changed, an error, or the records are another build's
        old[rel], new[rel] = sha, record.sha
        replaced[rel] = before.diagnostics
        rows[_folder(rel)][rel] = record
        cache.touched.add(_folder(rel))
    cache.sources_changed = True
    pages = [rel for rel in rels if shape.articles[rel][0]]
    editions = _editions(root, config, cache, shape, pages, drafts, set(rels))
    if editions is None:
        return None
    loaded, site = editions
    by_source = {a.source: (e, j) for e in site.editions for j, a in enumerate(e.articles)}
    jobs = []
    for rel in pages:
        if rel not in by_source:
            return None
        edition, j = by_source[rel]
        try:
            job = article_job(Sources(), edition, j)
        except NotLoaded:
            return None
        if job.path != shape.articles[rel][0]:
            return None
        jobs.append(job)
    return QuickSite(loaded, site, jobs, old, new, _warnings(warnings, replaced, parsed))


def _folder(rel: str) -> str:
    return rel.rpartition("/")[0]


def _editions(root: Path, config: Config, cache: BuildCache, shape: Shape, articles: list[str], drafts: bool,
              fresh: set[str], wanted: Iterable[str] = ()) -> tuple[LoadedSite, SiteData] | None:
    """The editions of these articles (and the edition folders `wanted`) and of what they link to,
    DEPTH links deep, each linked in itself as resolve links it and to the others by the shape's
    links. `fresh`: the files parsed now; every other record must be of the file as it is."""
    folders: set[str] = set()
    rows: dict[str, dict[str, SourceRecord]] = {}
    frontier = set(articles)  # article files whose editions are loaded next
    start = set(wanted)
    for _ in range(DEPTH + 1):
        new = sorted(({_folder(rel) for rel in frontier} | start) - folders)
        start = set()
        found = cache.folders(new)
        if found is None:
            return None
        rows.update(found)
        folders.update(new)
        mates = {rel for folder in new for rel in rows[folder] if rel.endswith(".md")}
        frontier = {other for rel in mates for other in _linked(shape.links.get(rel))}
    editions: list[Edition] = []
    for folder in sorted(folders):
        records = rows[folder]
        for rel, record in records.items():  # each of the files as it is now, as the last full build had it
            if rel in fresh:
                continue
            try:
                st = os.stat(root / rel)
            except OSError:
                return None
            if ((st.st_size, st.st_mtime_ns, st.st_ctime_ns) != (record.size, record.mtime_ns, record.ctime_ns)
                    or record.racy or (rel.endswith(".md") and rel not in shape.articles)):
                return None
        yaml = records.get(f"{folder}/edition.yaml")
        if yaml is None or yaml.fields is None:
            return None
        made = [Article.from_record(r.fields, r.sha, r.shown) for rel, r in sorted(records.items())
                if rel.endswith(".md") and r.fields is not None]
        if len(made) != sum(rel.endswith(".md") for rel in records):
            return None
        editions.append(make_edition(f"{folder}/edition.yaml", folder, yaml, made, 0))
    reader = SiteReader(root, Diagnostics())
    media = probe_media(reader, editions, cache, every=False)
    scratch = Diagnostics()  # the last full build reported all of it
    for edition in editions:
        check_alone(edition, config, media, scratch)
        edition.links.articles = published_articles(edition, drafts)
        order(edition)
    editions.sort(key=lambda e: e.date)
    _link_across(editions, shape)
    loaded = LoadedSite(root=root, config=config, editions=editions, static_files=find_static(reader), media=media)
    site = SiteData(config=config, editions=editions, sections={}, series={}, corrections=[],
                    static_files=loaded.static_files, media=dict(media_digests(editions)))
    return loaded, site


def _linked(links: Links | None) -> Iterable[str]:
    if links is None:
        return ()
    before, after, originals, corrections = links
    return [rel for rel in (before, after, *originals, *corrections) if rel]


def _link_across(editions: list[Edition], shape: Shape) -> None:
    """Series neighbours, originals and corrections as the last full build linked them: to the
    loaded article, or to an Unloaded one."""
    by_source: dict[str, Article] = {a.source: a for e in editions for a in e.articles}

    def find(rel: str) -> Article:
        return by_source.get(rel) or Unloaded(rel)  # type: ignore[return-value]

    for source, article in by_source.items():
        links = shape.links.get(source)
        if links is None:
            article.links.prev_in_series = article.links.next_in_series = None
            article.links.originals, article.links.corrections = [], []
            continue
        before, after, originals, corrections = links
        article.links.prev_in_series = find(before) if before else None
        article.links.next_in_series = find(after) if after else None
        article.links.originals = [find(rel) for rel in originals]
        article.links.corrections = [find(rel) for rel in corrections]


def _warnings(warnings: list[Diagnostic], replaced: dict[str, list[Diagnostic]],
              parsed: Sequence[tuple[str, object]]) -> list[Diagnostic]:
    """The last build's warnings, each changed file's own (its parse's) replaced by its new ones."""
    new = {rel: record.diagnostics for rel, record in parsed if isinstance(record, SourceRecord)}
    kept: list[Diagnostic] = []
    placed: set[str] = set()
    for warning in warnings:
        if warning.path in replaced and warning in replaced[warning.path]:
            if warning.path not in placed:
                kept.extend(new[warning.path])
                placed.add(warning.path)
            continue
        kept.append(warning)
    for rel in sorted(set(new) - placed):  # a file's first warnings: where a full build's load puts them
        where = next((i for i, w in enumerate(kept) if w.path > rel), len(kept))
        kept[where:where] = new[rel]
    return kept


def links_of(a: Article) -> Links | None:
    """An article's links to others as the shape keeps them (None: it has none). `is not None`,
    not truth: a link may be an Unloaded article (the added path's loaded editions)."""
    links = a.links
    before, after = links.prev_in_series, links.next_in_series
    if before is None and after is None and not links.originals and not links.corrections:
        return None
    return (before.source if before is not None else "", after.source if after is not None else "",
            tuple(o.source for o in links.originals), tuple(c.source for c in links.corrections))


def take_shape(pages: dict[str, str], site: SiteData, records: dict[str, SourceRecord], listing: bytes, key: str,
               elsewhere: Iterable[str], indexed: list[tuple[str, str]], everything: Iterable[Edition]) -> Shape:
    """The shape of a site a full build made: `pages` each published article's page, `everything`
    every edition loaded, published or not (their articles are the article files, with the drafts
    of the published ones, which resolve left out of them: from `records`, the content files'),
    `site` what was published."""
    articles = {a.source: (pages.get(a.source, ""), a.digest, a.shown) for e in everything for a in e.articles}
    folders = {e.folder for e in everything}
    articles.update((rel, ("", r.sha, r.shown)) for rel, r in records.items()
                    if rel.endswith(".md") and rel not in articles and r.fields is not None and _folder(rel) in folders)
    links: dict[str, Links] = {}
    for edition in site.editions:
        for a in edition.articles:
            found = links_of(a)
            if found is not None:
                links[a.source] = found
    return Shape(key=key, listing=listing, articles=articles, links=links, elsewhere=frozenset(elsewhere),
                 indexed=indexed, sources=len(records))

