"""The pipeline, top to bottom: load -> resolve -> plan -> render -> write (see build())."""
from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from epaper import messages as M
from epaper import parallel
from epaper.added import AddedSite, Rebuild, decode_ledger, encode_ledger, prepare_added, take_ledger, update_shape
from epaper.content.config import load_config
from epaper.content.load import LoadedSite, load_content, parse_settings
from epaper.content.reader import SiteReader, read_regular
from epaper.content.resolve import resolve
from epaper.errors import BuildError, Diagnostics
from epaper.images import ChangedDuringBuild, RenditionCache, unseal
from epaper.images import recipe as image_recipe
from epaper.model import Article, Download, Edition, Rendition, SiteData
from epaper.output import beside, search
from epaper.output.cache import (
    CACHE_DIR,
    BuildCache,
    EarlyRecords,
    FileStat,
    Folders,
    RecordStore,
    code_fingerprint,
    digest,
    input_stamp,
    records_key,
)
from epaper.output.failure import reported
from epaper.output.hosting import headers_file
from epaper.output.lock import output_lock
from epaper.output.record import record_path
from epaper.output.shape import (
    Shape,
    encode_shape,
    forget_shape,
    has_ledger,
    lines,
    read_listing,
    read_shape,
    shape_path,
    write_shape,
)
from epaper.output.stamping import Stamping
from epaper.output.writer import OutputWriter, WriteReport, check_output_dir
from epaper.pdf.join import EditionPdfs, join_editions
from epaper.pdf.verify import CACHE_NAME as CHECKED_PDFS
from epaper.pdf.verify import check_areas
from epaper.quick import (
    Kept,
    NotLoaded,
    QuickSite,
    added_files,
    changed_files,
    new_edition_likely,
    prepare_quick,
    take_shape,
    unchanged,
)
from epaper.rendering import RENDER_MS, Rendering, archive_wide, bodies, render_pages, start_render
from epaper.site.assets import immutable, output_names
from epaper.site.jobs import Job
from epaper.site.pages import Sources, article_job, check_outputs, edition_jobs, files, page_origin, plan
from epaper.site.render import Renderer, TemplateProblem
from epaper.themes import THEME_DIR


@dataclass(frozen=True)
class Options:
    """What a build is asked to do; the command line fills it in."""

    site: Path = Path(".")
    out: Path | None = None  # default: SITE/public
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None
    base_url: str | None = None
    strict: bool = False
    jobs: int = 0  # worker processes; 0: one per core
    search: bool = True  # False: no search index even if config.yaml asks (the live preview)
    wait: bool = True  # False: raise lock.Locked instead of waiting for another build of the output


@dataclass(frozen=True)
class PageRecord:
    """One page of the built site and what it was made from."""

    path: str
    template: str
    sources: frozenset[str]
    layouts: frozenset[str]
    rendered: bool  # False: its inputs were unchanged and the live page was kept


@dataclass
class Result:
    """What a build did, for the command line and the dev server to report."""

    site: SiteData | None
    pages: list[Job]
    report: WriteReport | None
    diagnostics: Diagnostics
    rendered: list[str] = field(default_factory=list)
    up_to_date: bool = False  # nothing changed since the last build: nothing was read or written
    layouts: dict[str, frozenset[str]] = field(default_factory=dict)  # template -> the files it uses
    total: int | None = None  # pages of the site, when `pages` has only those the quick path planned

    @property
    def page_count(self) -> int:
        return len(self.pages) if self.total is None else self.total

    @property
    def outputs(self) -> list[PageRecord]:
        """Every page with what it was made from (built on demand: big sites have many)."""
        rendered = set(self.rendered)
        return [PageRecord(job.path, job.template, frozenset(job.sources) | {"config.yaml"},
                           self.layouts.get(job.template, frozenset()), job.path in rendered) for job in self.pages]


def _jobs(options: Options) -> int:
    return options.jobs or int(os.environ.get("EPAPER_JOBS", "0")) or os.cpu_count() or 1


class Stop(Exception):
    """A step found errors (or, with --strict, warnings): the build ends, writing nothing more."""


@dataclass
class BuildState:
    """One build: what it was asked, what it found so far, and the steps that move it on.
    Each step reads what the earlier ones left here and adds its own part; nothing else
    carries state between them."""

    options: Options
    diags: Diagnostics = field(default_factory=Diagnostics)
    cache: BuildCache | None = None  # opened once config.yaml says how articles are parsed
    loaded: LoadedSite | None = None
    site: SiteData | None = None
    pages: list[Job] = field(default_factory=list)
    files: list[Rendition | Download] = field(default_factory=list)  # renditions and PDFs the pages show
    renderer: Renderer | None = None
    writer: OutputWriter | None = None
    static: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # static path -> (output name, bytes)
    keys: dict[str, str] = field(default_factory=dict)  # output path -> render key, for the next build
    rendered: set[str] = field(default_factory=set)
    rendering: Rendering | None = None  # the pages a worker renders while the index is made (render())
    renditions: RenditionCache | None = None
    edition_pdfs: EditionPdfs | None = None
    report: WriteReport | None = None
    froze_heap: bool = False
    stats: dict[str, FileStat] = field(default_factory=dict)  # input files as the stamp saw them
    folders: Folders = field(default_factory=dict)  # the folders the stamp walked, with their names
    listed: Sources = field(default_factory=Sources)  # each article's files as lists show it (plan, render)
    listing: list[bytes] = field(default_factory=list)  # the input files as the stamp saw them (input_stamp)
    shape_key: str = ""  # the code and options a shape of the site holds for (quick.py)
    indexed: list[tuple[str, str]] = field(default_factory=list)  # (article page, month) in the search index
    shape: Shape | None = None  # the quick path's: the last build's shape, brought up to date
    listing_file: Path | None = None  # the listing, set aside on disk (set_listing_aside)
    kept: Kept = field(default_factory=Kept)  # the pages kept as the live ones, unplanned (quick.unchanged)
    now: dt.datetime | None = None  # the moment the build publishes for
    added: list[str] | None = None  # the input files added since the build that made the output, when only added
    shaped: bytes | None = None  # a full build's shape, encoded while Pagefind ran (index())
    shaped_file: Path | None = None  # and written beside its place then, placed once the output is in
    early: EarlyRecords | None = None  # the records read while the stamp's walk went on (records_meanwhile)
    held_gc: bool = False  # the collector held off since then, until the load has frozen what it made
    adding: AddedSite | None = None  # the added path's: what it loaded and planned (added.py)
    may_add: bool = True  # False: the added path failed while rendering, this is the full build after it

    @property
    def jobs(self) -> int:
        return _jobs(self.options)

    def stop_on_errors(self) -> None:
        if self.diags.has_errors() or (self.options.strict and self.diags.warnings):
            raise Stop

    def result(self, up_to_date: bool = False) -> Result:
        renderer = self.renderer
        layouts = ({t: frozenset(renderer.layouts_of(t)) for t in {job.template for job in self.pages}}
                   if renderer else {})
        total = self.shape.pages if self.shape is not None else len(self.pages) + len(self.kept) if self.kept else None
        return Result(self.site, self.pages, self.report, self.diags, sorted(self.rendered),
                      up_to_date=up_to_date, layouts=layouts, total=total)

    # ------------------------------------------------------------ the steps

    def load(self) -> None:
        """config.yaml, then every edition, article, image and PDF (unchanged ones from the cache)."""
        reader = SiteReader(self.options.site, self.diags)
        config = load_config(reader, self.options.base_url)
        if config is None:  # no usable config.yaml: nothing else can be checked
            raise Stop
        # The loaded site lives until the build ends: the cyclic collector need not walk it while
        # it is made (reading 100,000 records is millions of objects, each a step towards another
        # full collection), nor again and again after (a fifth of an edit's rebuild at 10,000
        # articles): it is frozen out of the collector's sight until the build ends.
        with self._lasting():
            early, self.early = self.early, None
            try:
                self.cache = BuildCache(self.options.site, parse_settings(config, self.options.site), early=early)
            finally:
                if early is not None:
                    early.close()  # read to its end, or not used
            self.loaded = load_content(reader, config, self.cache, self.jobs, self.stats, self.folders)
            self.stats, self.folders = {}, {}  # the stamp's, used: 50 MB at 100,000 articles, held through the render

    @contextmanager
    def _lasting(self) -> Iterator[None]:
        """The collector held off while the build makes what lives until its end (the loaded site,
        the plan), then that frozen out of its sight (when the heap is the build's to freeze: no
        caller froze its own) before the collector is back on. In that order: the collector's next
        young collection would otherwise walk every object made meanwhile, about 0.3 s a million
        (0.5 s of a new edition's build at 100,000 articles)."""
        collecting = gc.isenabled() or self.held_gc
        gc.disable()
        made = False
        try:
            yield
            made = True
        finally:
            if made and (self.froze_heap or gc.get_freeze_count() == 0):
                gc.freeze()
                self.froze_heap = True
            self.held_gc = False
            if collecting:
                gc.enable()

    def records_meanwhile(self, stamping: Stamping | None) -> None:
        """While a big site's walk goes on in another process (stamping.py): config.yaml read
        quietly (load() reads it again, and reports), and the content files' records read and
        unpickled until the walk is done; the load goes on from there. At 100,000 articles the
        records are 0.55 s of a full build's load, and this process would otherwise wait for the
        walk. The collector is held off from here until the load has frozen what it made
        (_lasting); a no-op or quick build lets it all go (let_go_early)."""
        if stamping is None or not self._likely_full():
            return
        reader = SiteReader(self.options.site, Diagnostics())
        config = load_config(reader, self.options.base_url)
        if config is None or reader.diags.has_errors():
            return
        self.held_gc = self.held_gc or gc.isenabled()
        gc.disable()
        store = RecordStore(self.options.site / CACHE_DIR, records_key(parse_settings(config, self.options.site)))
        self.early = store.start(stamping.done)

    def _likely_full(self) -> bool:
        """Whether this build will most likely load every record (records_meanwhile): when the last
        build left no listing of its inputs (no shape: no quick path), or after a new edition
        (quick.new_edition_likely) when its shape has no ledger (else the added path reads a few
        editions' records alone). After an edit the records read early would only be let go:
        0.12 s of freeing at 100,000 articles."""
        assert self.writer is not None
        key = f"{code_fingerprint()} {_options_key(self.options, self.writer.out)}"
        before = read_listing(self.shape_file, key)
        if before is None:
            return True
        # After a new edition the added path reads a few editions' records, when the shape has its ledger
        return new_edition_likely(before, self.options.site / "content") and not has_ledger(self.shape_file, key)

    def let_go_early(self) -> None:
        """The records read early, not needed (a no-op or quick build, or one that failed), let go
        before the collector is back."""
        if self.early is not None:
            self.early.close()
            self.early = None
        if self.held_gc:
            self.held_gc = False
            gc.enable()

    def release(self) -> None:
        """What the build holds beyond its result: the cache's files, the frozen heap (given back
        even when saving the cache fails: a dev server would otherwise never collect it again)."""
        self.let_go_early()
        try:
            if self.rendering is not None:  # a build that failed while a worker rendered
                rendering, self.rendering = self.rendering, None
                rendering.stop()
            for left in (self.listing_file, self.shaped_file):  # a build that failed before its end
                if left is not None:
                    left.unlink(missing_ok=True)
            if self.cache is not None:
                self.cache.save()
        finally:
            if self.froze_heap:
                gc.unfreeze()
                self.froze_heap = False

    def resolve(self, *, drafts: bool, future: bool) -> None:
        """Link and validate everything; ends the build on any error."""
        assert self.loaded is not None, "load() comes first"
        self.site = resolve(self.loaded, self.diags, drafts=drafts, future=future, now=self.options.now or self.now)
        self.stop_on_errors()

    def join_pdfs(self) -> None:
        """Each edition whose pages all have PDFs gets them joined into one (from the cache when
        its pages are unchanged): its size shows on the edition page, so this comes before render."""
        assert self.site is not None and self.cache is not None
        self.edition_pdfs = EditionPdfs(self.cache.folder_for("editions"))
        join_editions(self.site, self.options.site, self.edition_pdfs, self.diags)
        self.stop_on_errors()

    def plan(self) -> None:
        """Every page of the site, and a check that no two files want the same output path."""
        assert self.site is not None, "resolve() comes first"
        # The plan lives until the build ends, as the loaded site does: made without the
        # collector walking it (15,000 pages at 10,000 articles, a sixth of the plan's time),
        # then frozen out of its sight with the site.
        with self._lasting():
            self.kept = kept = self._unchanged()
            self.pages = plan(self.site, self.listed, {id(article) for article, _, _ in kept.articles},
                              {id(edition) for edition, _ in kept.editions})
            self.files = files(self.site)
        origins = [(path, article.source) for article, _, path in kept.articles]
        for edition, paths in kept.editions:
            origins.append((paths[0], edition.source))
            origins.extend((path, page_origin(edition, page))
                           for page, path in zip(edition.pages, paths[1:], strict=True))
        check_outputs(self.pages, self.site.static_files, self.options.site, self.diags, self.files, kept=origins)
        self.stop_on_errors()

    def _unchanged(self) -> Kept:
        """The pages the last build made from what they are made from now, kept without being
        planned or keyed (at 100,000 articles, two seconds of a new edition's build): when the
        only input files changed since the build that made the output are new files in content/
        (a new edition's: the two listings of the inputs say so, quick.added_files), the pages of
        the editions without new files and of their articles, but those that show what changed
        (quick.unchanged says which). Only when that build was of the same code and options (its
        shape's key), nothing has fallen due since, and render() finds the keys of a few of these
        pages unchanged (the settings and layouts as they were); else every page is planned."""
        assert self.site is not None
        writer, added, now = self.writer, self.added, self.now
        if (writer is None or added is None or not writer.live or not writer.renders or now is None
                or now.tzinfo is None or (writer.next_change is not None and not now < writer.next_change)):
            return Kept()
        return unchanged(self.site.editions, self.options.site, added, writer.live, writer.renders)

    def render(self) -> None:
        """Render the pages whose key changed into the staging folder and keep the others.
        A layout error ends the build with its PATH:LINE."""
        assert self.site is not None and self.cache is not None and self.writer is not None
        self.static = output_names(self.site.static_files)
        writer = self.writer
        try:
            self.renderer = renderer = Renderer(self.options.site, self.site, memory=self.cache.render_memory(),
                                                assets={rel: name for rel, (name, _) in self.static.items()},
                                                listed=self.listed)
            self.keys = {job.path: renderer.key(job) for job in self.pages}
            if self.kept:
                self._keep(renderer)
            todo = [job for job in self.pages if not writer.unchanged(job.path, self.keys[job.path])]
            writer.check_room()
            writer.begin()
            assert self.loaded is not None
            first, later = self._render_order(todo)
            if later:  # its worker starts first: this process renders the first pages meanwhile
                self.rendering = start_render(renderer, writer, later, self.loaded, self.cache.html, self.jobs,
                                              frozen=self.froze_heap or None)
            for path, sha, change in render_pages(renderer, writer, first, self.loaded, self.cache.html, self.jobs,
                                                  frozen=self.froze_heap or None):
                writer.record(path, sha, change)
        except TemplateProblem as problem:
            if self.adding is not None:  # an article it did not load, or a layout's error: the full build says
                raise Rebuild from None
            self.diags.error(problem.path, problem.line, problem.text)
            raise Stop from None
        self.rendered = {job.path for job in todo}
        writer.keep_all([job.path for job in self.pages if job.path not in self.rendered] + self.kept.paths())

    def _render_order(self, todo: list[Job]) -> tuple[list[Job], list[Job]]:
        """The pages to render before the search index, and those a worker may render while the
        index is made (finish_render gathers them). The index reads the article pages alone; a new
        edition at 100,000 articles renders its twenty and 5,000 index pages (every section page
        shifts), and the index (1.8 s, most of it on one core) then goes on beside their render.
        Only when the first pages are few (this process renders them alone) and the fewer: a cold
        build renders nearly all its pages before the index, whose Pagefind runs over every shard
        then do not add their memory to a worker's."""
        if not (self.site is not None and self.site.config.search and self.options.search):
            return todo, []
        # and the pages listing the whole archive, which this process renders (rendering.archive_wide)
        first = [job for job in todo if job.template == "article.html" or archive_wide(job)]
        if len(first) * 2 > len(todo) or parallel.workers_for(len(first), RENDER_MS, self.jobs) > 1:
            return todo, []  # never three processes rendering at once
        chosen = {id(job) for job in first}
        return first, [job for job in todo if id(job) not in chosen]

    def finish_render(self) -> None:
        """The pages render() left to a worker, rendered by now (this process renders what is left
        of them) and recorded."""
        rendering, self.rendering = self.rendering, None
        if rendering is None:
            return
        assert self.writer is not None
        try:
            for path, sha, change in rendering.finish():
                self.writer.record(path, sha, change)
        except TemplateProblem as problem:
            if self.adding is not None:
                raise Rebuild from None
            self.diags.error(problem.path, problem.line, problem.text)
            raise Stop from None

    def _keep(self, renderer: Renderer) -> None:
        """The kept pages' keys are the last build's, when pages like them, planned and keyed now,
        still have theirs: an article page, and an edition's page with its printed pages (the
        settings and layouts, which every such page shares, are as they were); else they are all
        planned now."""
        assert self.writer is not None and self.site is not None
        renders, kept = self.writer.renders, self.kept
        if kept.articles:
            article, j, path = kept.articles[0]
            assert article.edition is not None
            if renderer.key(article_job(Sources(), article.edition, j)) != renders.get(path):
                for article, j, _ in kept.articles:
                    assert article.edition is not None
                    self._add_job(renderer, article_job(self.listed, article.edition, j))
                kept.articles = []
        if kept.editions:
            place = {id(edition): i for i, edition in enumerate(self.site.editions)}
            probe = edition_jobs(Sources(), self.site, place[id(kept.editions[0][0])])
            if any(renderer.key(job) != renders.get(job.path) for job in probe):
                for edition, _ in kept.editions:
                    for job in edition_jobs(self.listed, self.site, place[id(edition)]):
                        self._add_job(renderer, job)
                kept.editions = []
        self.keys.update((path, renders[path]) for path in kept.paths())

    def _add_job(self, renderer: Renderer, job: Job) -> None:
        self.pages.append(job)
        self.keys[job.path] = renderer.key(job)

    def place_files(self) -> None:
        """Image renditions, PDFs and static files into the staging folder."""
        assert self.site is not None and self.cache is not None and self.writer is not None
        self.renditions = renditions = RenditionCache(self.cache.folder_for("images"))
        self.keys.update(_write_files(self.site, self.options.site, self.writer, renditions, self.diags,
                                      self.jobs, self.files))
        self.stop_on_errors()
        for name, content in self.static.values():
            self.writer.put(name, content)

    def index(self) -> None:
        """The search index of the new pages: only the shards whose articles changed are made
        again (search.py). When Pagefind fails the paper still goes out, without search, and says so."""
        assert self.site is not None and self.writer is not None and self.cache is not None
        if not (self.site.config.search and self.options.search):
            return
        meanwhile = None
        if self.shape is None:  # a full build: every published article but drafts (the quick path's shape has them)
            self.indexed = _indexed(self.site.editions, self.pages, self.kept.articles)
            meanwhile = self._shape_meanwhile
        writer = self.writer
        articles = [search.Article(path, month, writer.manifest[path]) for path, month in self.indexed]
        if not articles:
            return  # nothing to index (Pagefind would take every page then)
        state = self.cache.folder_for("search") / f"{digest(str(writer.out).encode())}.marshal"
        try:
            for made in search.update_index(articles, writer.live, writer.staging, writer.out, state,
                                            meanwhile=meanwhile):
                if made[1] is None:
                    writer.keep_all(made[0])  # a kept shard's files
                else:
                    writer.put(made[0], made[1])
        except search.SearchProblem as problem:
            self.diags.warning("config.yaml", 1, M.NO_SEARCH(problem=problem.text))
            self.stop_on_errors()

    def swap(self, stamp: str | None) -> None:
        """Hosting headers, then the staging folder becomes the output, and the site's shape is
        kept for the next build's quick path."""
        assert self.site is not None and self.writer is not None
        writer = self.writer
        live = writer.live or {}
        if self.shape is not None and "_headers" in live and len(live) == len(writer.manifest) + 1 and all(
                path in live for path in writer.manifest):  # the quick path, the same files: the same rules
            writer.keep("_headers")
        else:
            writer.put("_headers", headers_file(list(writer.manifest), immutable(self.static)))
        foreign = Diagnostics()  # reported, not recorded: once the swap is done they are gone
        for name in writer.foreign():
            foreign.warning(_shown(writer.out / name, self.options.site), 1, M.FOREIGN_OUTPUT(name=name))
        if self.options.strict and foreign.warnings:
            self.diags.extend(foreign.warnings)
            raise Stop
        self.report = writer.finish(self.keys, stamp, self.site.next_publish, self.diags.warnings)
        self.diags.extend(foreign.warnings)
        self.keep_shape()
        if self.adding is not None:  # it placed the files of the editions it loaded alone: the others' stay cached
            return
        if self.renditions is not None:
            self.renditions.prune()  # what this site no longer shows leaves the rendition cache
        if self.edition_pdfs is not None:
            self.edition_pdfs.prune()

    # ------------------------------------------------------------ the quick path (quick.py)

    @property
    def shape_file(self) -> Path:
        assert self.writer is not None
        return shape_path(self.options.site / CACHE_DIR, self.writer.out)

    def keep_shape(self) -> None:
        """The shape of the site just built, for the next build's quick path."""
        if self.shape is None and self.shaped_file is not None:  # a full build's, written while Pagefind ran
            staged, self.shaped_file = self.shaped_file, None
            beside.place(staged, self.shape_file)
            return
        if self.shape is None:  # a full build
            data = self.shaped if self.shaped is not None else self._full_shape()
        else:
            self.shape.listing = self._listing()
            data = encode_shape(self.shape)
        write_shape(self.shape_file, data)

    def _shape_meanwhile(self) -> None:
        """While Pagefind indexes a full build's new pages (0.6 s at 100,000 articles, this process
        waiting), the shape is worked out (it needs the plan and what the index holds, no more) and
        written beside its place (0.15 s more). Failing, it is left to keep_shape after the swap:
        the shape is only the next build's help, and must not keep this one's paper from going out."""
        try:
            self.shaped = self._full_shape()
        except Exception:
            self.shaped = None
            return
        try:
            self.shaped_file = beside.stage(self.shape_file, self.shaped)
        except Exception:  # written after the swap instead (keep_shape)
            self.shaped_file = None

    def _full_shape(self) -> bytes:
        """A full build's shape, encoded."""
        assert self.site is not None and self.loaded is not None and self.cache is not None
        pages = {job.needs_html[0].source: job.path for job in self.pages if job.template == "article.html"}
        pages.update((article.source, path) for article, _, path in self.kept.articles)
        elsewhere = {a.source for job in self.pages if job.template != "article.html" for a in job.needs_html}
        shape = take_shape(pages, self.site, self.cache.sources, self._listing(), self.shape_key, elsewhere,
                           self.indexed, self.loaded.editions)
        shape.pages = len(self.pages) + len(self.kept)
        shape.ledger = encode_ledger(take_ledger(self.site, self.listed, self.loaded.editions))
        return encode_shape(shape)

    def _listing(self) -> bytes:
        """The inputs as the stamp listed them (empty when it could not see them all)."""
        if self.listing_file is not None:
            try:
                return self.listing_file.read_bytes()
            except OSError:
                return b""  # no shape is any use without it: the next build is a full one
            finally:
                self.listing_file.unlink(missing_ok=True)
                self.listing_file = None
        return self.listing[0] if self.listing else b""

    def set_listing_aside(self) -> None:
        """A full build needs the listing at its end only: on disk meanwhile, not in memory beside
        the site (at 100,000 articles, 8 MB in each process of the render)."""
        if not self.listing:
            return
        path = self.shape_file.with_name(f"{self.shape_file.name}.{os.getpid()}.listing")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # A build of this output that died left these: this one holds its lock.
            for left in path.parent.glob(f"{glob.escape(self.shape_file.name)}.*.listing"):
                left.unlink(missing_ok=True)
            beside.remove_leftovers(self.shape_file)
            path.write_bytes(self.listing[0])
        except OSError:
            path.unlink(missing_ok=True)
            return
        self.listing, self.listing_file = [], path

    def quick(self, now: dt.datetime) -> bool:
        """When only article bodies changed since the last build: load, link and plan the pages
        showing them alone (quick.py), render them and keep every other file. False, having
        written nothing, when a full build is needed."""
        writer = self.writer
        assert writer is not None
        listing = self._listing()
        shape = read_shape(self.shape_file, self.shape_key, lines(listing))
        if shape is None:  # files added or removed (or no shape of this code and options): what was added?
            before = read_listing(self.shape_file, self.shape_key)
            self.added = added_files(before, listing) if before is not None else None
        if (shape is None or writer.live is None or not writer.out.is_dir()  # read_shape checked the key
                or (writer.next_change is not None and not (now < writer.next_change))):  # one fell due
            return False
        changed = changed_files(shape, listing)
        if changed is None:
            return False
        root = self.options.site
        config = load_config(SiteReader(root, Diagnostics()), self.options.base_url)
        if config is None:
            return False
        cache = BuildCache(root, parse_settings(config, root), every_record=False)
        found = prepare_quick(root, config, cache, shape, changed, writer.warnings,
                              self.options.drafts)
        rendered = self._render_quick(found, cache, writer) if found is not None else None
        if found is None or rendered is None:
            cache.html.close()
            self.listed = Sources()  # by id(article): the quick path's articles are gone, their ids free
            return False
        self.cache, self.loaded, self.site, self.pages, self.shape = cache, found.loaded, found.site, found.jobs, shape
        self.site.next_publish = writer.next_change  # as the last build found it: none has fallen due since
        self.indexed = shape.indexed
        self.diags.extend(found.warnings)
        self.stop_on_errors()  # --strict: the warnings still there
        forget_shape(self.shape_file)  # until this build is done: if it fails halfway, the next one is full
        writer.check_room()
        writer.begin()
        for job, html in rendered:
            writer.record(job.path, *writer.place(job.path, html))
            self.rendered.add(job.path)
        indexing = config.search and self.options.search
        index = search.FOLDER  # "pagefind/"
        writer.keep_all([path for path in writer.live  # every other file stays; the search index's are index()'s
                         if path not in writer.manifest and path != "_headers" and not (
                             indexing and path.startswith(index))])
        for rel, sha in found.new.items():
            page, _, shown = shape.articles[rel]
            shape.articles[rel] = (page, sha, shown)
        return True

    def add(self, now: dt.datetime) -> bool:
        """When only new editions were added, each newer than every other: load, link and plan
        the pages they change alone (added.py); render() and the steps after it then run as in a
        full build, and keep_rest() keeps every other file. False, having written nothing, when
        a full build is needed."""
        writer = self.writer
        assert writer is not None
        if (not self.may_add or not self.added or writer.live is None or not writer.out.is_dir()
                or not writer.renders or writer.next_change is not None):  # none waits to be published
            return False
        root = self.options.site
        config = load_config(SiteReader(root, Diagnostics()), self.options.base_url)
        if config is None:
            return False
        # What it reads and makes lives until the build ends, as a full build's load: made without
        # the collector walking it (100,000 stand-ins and the shape), then frozen out of its sight.
        with self._lasting():
            shape = read_shape(self.shape_file, self.shape_key)
            ledger = decode_ledger(shape.ledger) if shape is not None else None
            if shape is None or ledger is None:
                return False
            cache = BuildCache(root, parse_settings(config, root), every_record=False)
            found = prepare_added(root, config, cache, shape, ledger, self.added, now, self.options.drafts,
                                  self.options.future)
        scratch = Diagnostics()
        if found is not None:
            self.files = files(found.site)
            check_outputs(found.jobs, found.site.static_files, root, scratch, self.files)
        if found is None or scratch.has_errors():
            cache.html.close()
            return False
        self.cache, self.loaded, self.site, self.pages, self.shape = cache, found.loaded, found.site, found.jobs, shape
        self.listed, self.adding = found.src, found
        pages = {job.needs_html[0].source: job.path for job in found.jobs if job.template == "article.html"}
        self.indexed = shape.indexed + [(pages[a.source], f"{e.date.year:04d}-{e.date.month:02d}")
                                        for e in found.new for a in e.articles if not a.draft]
        self.diags.extend(writer.warnings)
        self.diags.extend(found.warnings)
        self.stop_on_errors()  # --strict: the warnings
        forget_shape(self.shape_file)  # until this build is done: if it fails halfway, the next one is full
        return True

    def keep_rest(self) -> None:
        """After the added path's render and files: every other file of the live site is kept
        (the search index's are index()'s), with its key; the shape and ledger brought up to date."""
        writer, found, shape = self.writer, self.adding, self.shape
        assert writer is not None and writer.live is not None and found is not None and shape is not None
        indexing = found.site.config.search and self.options.search
        planned = {job.path for job in self.pages}
        writer.keep_all([path for path in writer.live if path not in writer.manifest and path not in planned
                         and path != "_headers" and not (indexing and path.startswith(search.FOLDER))])
        self.keys = {**writer.renders, **self.keys}
        shape.pages += sum(1 for path in planned if path not in writer.live)
        pages = {job.needs_html[0].source: job.path for job in self.pages if job.template == "article.html"}
        update_shape(shape, found, pages, self.indexed)

    def _render_quick(self, found: QuickSite, cache: BuildCache,
                      writer: OutputWriter) -> list[tuple[Job, bytes]] | None:
        """The quick path's pages, in memory; None when one is not the page the last build made
        from the same sources (its key with the old body differs) or a layout went beyond them."""
        self.static = output_names(found.site.static_files)
        renderer = Renderer(self.options.site, found.site, memory=cache.render_memory(),
                            assets={rel: name for rel, (name, _) in self.static.items()}, listed=self.listed)
        keys = dict(writer.renders)
        for job in found.jobs:
            article = job.needs_html[0]
            new = article.digest
            article.__dict__["digest"] = found.old[article.source]
            try:
                if renderer.key(job) != writer.renders.get(job.path):
                    return None
            finally:
                article.__dict__["digest"] = new
            keys[job.path] = renderer.key(job)
        renderer.bodies = bodies(found.jobs, found.loaded, cache.html)
        try:
            pages = [(job, renderer.render(job)) for job in found.jobs]
        except (TemplateProblem, NotLoaded):  # a layout reached an Unloaded article, or failed: in full
            return None
        self.renderer, self.keys = renderer, keys
        return pages


def check(options: Options) -> Result:
    """Load and resolve everything, future editions included, as build would; write nothing."""
    state = BuildState(dataclasses.replace(options, strict=False))  # --strict applies to the whole report
    try:
        state.load()                                     # 1. read
        state.resolve(drafts=False, future=True)         # 2. validate
        state.plan()                                     # 3. no two files for one URL
        assert state.loaded is not None
        assert state.cache is not None
        check_areas(state.loaded, state.cache.folder_for(CHECKED_PDFS), state.diags)  # 4. areas on page PDFs
    except Stop:
        pass
    finally:
        state.release()
    if state.diags.has_errors() or (options.strict and state.diags.warnings):
        raise BuildError(sorted(state.diags.errors + state.diags.warnings))
    return Result(state.site, [], None, state.diags)


def build(options: Options) -> Result:
    """The whole build, as the steps of one BuildState; raises BuildError with every content
    error (or, with --strict, warning), the live output untouched then.

    0. stop early when no input changed since the last build (an input stamp)
       (0b. when only article bodies changed: their pages alone, then 6 and 7; quick.py)
       (0c. when only new editions were added: the pages they change alone, then 2b, 4 to 7; added.py)
    1. load config.yaml, editions, front matter and Markdown, images and PDFs
    2. resolve: sections, series, corrections, neighbours; all validation
       (2b. join each edition's page PDFs into one, from the cache when unchanged)
    3. plan every page, its template and its sources
    4. render the pages whose inputs changed into the staging folder
       (4b. with search, those the index does not read go on in a worker through 5 and 6)
    5. place image renditions, PDFs and static files
    6. index the pages for search
    7. swap the staging folder in (the cache is saved whatever happened)
    """
    try:
        return _build(options, may_add=True)
    except Rebuild:  # the added path met what it had not loaded while rendering: in full (added.py)
        return _build(options, may_add=False)


def _build(options: Options, may_add: bool) -> Result:
    # The site by one name however the command was given it (`--site .`, `../paper`, a link to
    # it): the stamp's listing names every input by its path, and a listing naming them
    # otherwise is another site's, after which nothing is kept and every page is planned.
    # The output too: its record, shape and search state are named after its path.
    options = dataclasses.replace(options, site=options.site.resolve())
    out = (options.out or options.site / "public").resolve()
    check_output_dir(out, options.site)
    with output_lock(out, options.wait), reported(out):  # one build per output; OSError -> WriteFailure
        stamping = Stamping.start(_stamped(options), _options_key(options, out),
                                  record_path(options.site / CACHE_DIR, out.absolute()))  # a big site's walk, forked
        try:
            state = BuildState(options, writer=OutputWriter(out, options.site / CACHE_DIR),  # meanwhile,
                               may_add=may_add)
            assert state.writer is not None
            try:
                state.records_meanwhile(stamping)  # and the content's records
                stamp = _stamp(options, out, state, stamping)
            except BaseException:
                state.let_go_early()  # the collector back on
                raise
        finally:
            if stamping is not None:
                stamping.close()
        try:
            state.shape_key = f"{code_fingerprint()} {_options_key(options, out)}"
            now = state.now = options.now or dt.datetime.now(dt.UTC)
            if now.tzinfo is not None and state.writer.up_to_date(stamp, now):          # 0.
                state.let_go_early()
                state.diags.extend(state.writer.warnings)
                state.stop_on_errors()
                state.report = WriteReport()
                return state.result(up_to_date=True)
            try:
                if state.quick(now):                                                         # 0b.
                    state.let_go_early()
                    state.index()                                                         # 6.
                    state.swap(stamp)                                                     # 7.
                    return state.result()
                if state.add(now):                                                           # 0c.
                    state.let_go_early()
                    state.join_pdfs()                                                     # 2b.
                    state.render()                                                        # 4.
                    state.place_files()                                                   # 5.
                    state.keep_rest()
                    state.index()                                                         # 6.
                    state.finish_render()                                                 # 4b.
                    state.swap(stamp)                                                     # 7.
                    return state.result()
                state.set_listing_aside()
                state.load()                                                              # 1.
                state.resolve(drafts=options.drafts, future=options.future)              # 2.
                state.join_pdfs()                                                         # 2b.
                state.plan()                                                              # 3.
                forget_shape(state.shape_file)  # until the new output is in: a build failing halfway is no base
                state.render()                                                            # 4.
                state.place_files()                                                       # 5.
                state.index()                                                             # 6.
                state.finish_render()                                                     # 4b.
                state.swap(stamp)                                                         # 7.
            finally:
                state.release()
        except Stop:
            raise BuildError(sorted(state.diags.errors + state.diags.warnings)) from None
        finally:
            state.let_go_early()  # the collector back on, whatever happened (no-op once the load froze)
        return state.result()


def _write_files(site: SiteData, root: Path, writer: OutputWriter, renditions: RenditionCache,
                 diags: Diagnostics, workers: int = 1,
                 items: list[Rendition | Download] | None = None) -> dict[str, str]:
    """Put every image rendition and PDF the pages show into the output: kept from the live
    site when it has them from the same source and recipe, else from the rendition cache
    (made there first when new). Returns their keys, for the next build."""
    recipe = f"{code_fingerprint()} {image_recipe()}"  # Pillow's and PDFium's versions too
    items = files(site) if items is None else items
    keys = {item.path: f"{recipe} {item.sha} {item.path}" for item in items}
    renditions.fill([(item, root / item.source) for item in items if isinstance(item, Rendition)
                     and not writer.unchanged(item.path, keys[item.path])], workers)
    for item in items:
        key = keys[item.path]
        if writer.unchanged(item.path, key):
            writer.keep(item.path)
            if isinstance(item, Rendition):
                renditions.keep(item)
            continue
        try:
            if isinstance(item, Download) and item.cached:  # made by the build: its sealed copy
                data = unseal(read_regular(Path(item.cached))) or b""
                if digest(data) != item.sha:  # damaged in the cache: the next build joins it again
                    Path(item.cached).unlink(missing_ok=True)
                    raise ChangedDuringBuild(item.source)
            elif isinstance(item, Download):
                data = (root / item.source).read_bytes()
                if digest(data) != item.sha:
                    raise ChangedDuringBuild(item.source)
            else:
                data = renditions.get(item, root / item.source)
        except (ChangedDuringBuild, OSError):
            diags.error(item.source, 1, M.CHANGED_DURING_BUILD())
            continue
        writer.put(item.path, data)
    return keys


def _shown(path: Path, site: Path) -> str:
    """A path as the editor knows it: relative to the site when inside it."""
    try:
        return path.absolute().relative_to(site.absolute()).as_posix()
    except ValueError:
        return str(path)


def _stamp(options: Options, out: Path, state: BuildState, stamping: Stamping | None = None) -> str | None:
    """Every input's stat, and the options that shape the output; the stats, the listing and
    the folders walked go into the state for the steps after (input_stamp). From the forked
    walk when there is one, and it did not fail."""
    if stamping is not None:
        walked, stamp = stamping.result(state.stats, state.listing, state.folders)
        if walked:
            return stamp
    return input_stamp(_stamped(options), _options_key(options, out), state.stats, state.listing, state.folders)


def _stamped(options: Options) -> list[Path]:
    """What the input stamp walks: the site's inputs, and the theme."""
    site = options.site
    return [site / "config.yaml", site / "content", site / "layouts", site / "static", THEME_DIR]


def _options_key(options: Options, out: Path) -> str:
    """The options that shape the output."""
    return repr((options.drafts, options.future, options.base_url, options.now, options.search,
                 str(out.absolute())))


def _indexed(editions: list[Edition], pages: list[Job], kept: list[tuple[Article, int, str]]) -> list[tuple[str, str]]:
    """(page, month) of every article page but drafts', edition by edition: the paths as planned
    or kept, each edition's month made once (from the articles' URLs and strftime for each, a
    third of a second at 100,000 articles)."""
    paths = {id(job.needs_html[0]): job.path for job in pages if job.template == "article.html"}
    paths.update((id(article), path) for article, _, path in kept)
    found = []
    for edition in editions:
        month = f"{edition.date.year:04d}-{edition.date.month:02d}"
        found += [(paths[id(article)], month) for article in edition.articles if not article.draft]
    return found
