"""The pipeline, top to bottom: load -> resolve -> render -> write."""
from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from PIL import __version__ as PIL_VERSION

from . import search
from .article import parse_article
from .assets import immutable, output_names
from .cache import CACHE_DIR, HtmlStore, code_fingerprint, digest, input_stamp
from .errors import BuildError, Diagnostics
from .hosting import headers_file
from .images import ChangedDuringBuild, RenditionCache
from .load import THEME_DIR, LoadedSite, load_site
from .markup import MarkdownRenderer
from .model import Article, Download, Rendition, SiteData
from .pages import Job, files, plan
from .render import Renderer, TemplateProblem
from .resolve import check_outputs, resolve
from .write import OutputWriter, WriteReport, check_output_dir


@dataclass(frozen=True)
class Options:
    """What a build is asked to do; the command line fills it in."""

    site: Path = Path(".")
    out: Optional[Path] = None  # default: SITE/public
    drafts: bool = False
    future: bool = False
    now: Optional[dt.datetime] = None
    base_url: Optional[str] = None
    strict: bool = False
    jobs: int = 0  # worker processes; 0: one per core
    search: bool = True  # False: no search index even if config.yaml asks (the live preview)


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

    site: Optional[SiteData]
    pages: list[Job]
    report: Optional[WriteReport]
    diagnostics: Diagnostics
    rendered: list[str] = field(default_factory=list)
    up_to_date: bool = False  # nothing changed since the last build: nothing was read or written
    layouts: dict[str, frozenset[str]] = field(default_factory=dict)  # template -> the files it uses

    @property
    def outputs(self) -> list[PageRecord]:
        """Every page with what it was made from (built on demand: big sites have many)."""
        rendered = set(self.rendered)
        return [PageRecord(job.path, job.template, job.sources | {"config.yaml"},
                           self.layouts.get(job.template, frozenset()), job.path in rendered) for job in self.pages]


def _stop_on_errors(diags: Diagnostics, strict: bool) -> None:
    if diags.has_errors() or (strict and diags.warnings):
        raise BuildError(sorted(diags.errors + diags.warnings))


def _jobs(options: Options) -> int:
    return options.jobs or int(os.environ.get("EPAPER_JOBS", "0")) or os.cpu_count() or 1


def check(options: Options) -> Result:
    """Load and resolve everything, future editions included, as build would; write nothing."""
    diags = Diagnostics()
    loaded = load_site(options.site, diags, options.base_url, jobs=_jobs(options))  # 1. read
    site = None
    if loaded is not None:
        site = resolve(loaded, diags, future=True, now=options.now)  # 2. validate
        if not diags.has_errors():
            check_outputs(plan(site), site.static_files, options.site, diags, files(site))
            from .pdf.verify import check_areas  # areas against their page PDFs' text (check only: it reads PDFs)
            check_areas(loaded, diags)
        loaded.cache.save()
    _stop_on_errors(diags, options.strict)
    return Result(site, [], None, diags)


def build(options: Options) -> Result:
    """The whole build; raises BuildError with every content error, writing nothing then."""
    out = options.out or options.site / "public"
    check_output_dir(out, options.site)
    diags = Diagnostics()
    writer = OutputWriter(out, options.site / CACHE_DIR)
    stamp = _stamp(options, out)
    now = options.now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is not None and writer.up_to_date(stamp, now):                    # 0. nothing changed
        diags.extend(writer.warnings)
        _stop_on_errors(diags, options.strict)
        return Result(None, [], WriteReport(), diags, up_to_date=True)
    loaded = load_site(options.site, diags, options.base_url, jobs=_jobs(options))   # 1. load
    if loaded is None:  # no usable config.yaml: nothing else can be checked
        _stop_on_errors(diags, options.strict)
    assert loaded is not None
    try:
        site = resolve(loaded, diags, drafts=options.drafts, future=options.future,  # 2. resolve
                       now=options.now)
        _stop_on_errors(diags, options.strict)
        static = output_names(site.static_files)
        jobs = plan(site)                                                            # 3. plan pages
        check_outputs(jobs, site.static_files, options.site, diags, files(site))
        _stop_on_errors(diags, options.strict)
        renderer = Renderer(options.site, site, cache_folder=loaded.cache.folder,
                            references=loaded.cache.data.templates, dates=loaded.cache.data.dates,
                            assets={rel: name for rel, (name, _) in static.items()})
        keys, rendered = _render_changed(renderer, writer, jobs, loaded, options, diags)  # 4. render
        renditions = RenditionCache(loaded.cache.folder)
        keys.update(_write_files(site, options.site, writer, renditions, diags,         # 5. images, PDFs
                                 _jobs(options)))
        _stop_on_errors(diags, options.strict)
        for name, content in static.values():
            writer.put(name, content)
        if site.config.search and options.search:
            try:
                search.update(writer, any(not a.draft for e in site.editions for a in e.articles))  # 6. index
            except search.SearchProblem as problem:  # the paper still goes out, without search
                diags.warning("config.yaml", 1, f"{problem}; the site is built without a search index")
                _stop_on_errors(diags, options.strict)
        writer.put("_headers", headers_file(sorted(writer.manifest), immutable(static)))
        report = writer.finish(keys, stamp, site.next_publish, diags.warnings)      # 7. swap in
        renditions.prune()
    finally:
        loaded.cache.save()
    layouts = {job.template: frozenset(renderer.layouts_of(job.template)) for job in jobs}
    return Result(site, jobs, report, diags, sorted(rendered), layouts=layouts)


def _render_changed(renderer: Renderer, writer: OutputWriter, jobs: list[Job], loaded: LoadedSite,
                    options: Options, diags: Diagnostics) -> tuple[dict[str, str], set[str]]:
    """Render the pages whose key changed into the staging folder and keep the others:
    (every page's key, the pages rendered). A layout error stops with PATH:LINE."""
    try:
        keys = {job.path: renderer.key(job) for job in jobs}
        todo = [job for job in jobs if not writer.unchanged(job.path, keys[job.path])]
        writer.begin()
        for path, sha, category in _render(renderer, writer, todo, loaded, _jobs(options)):
            writer.record(path, sha, category)
    except TemplateProblem as problem:
        diags.error(problem.path, problem.line, problem.message)
        _stop_on_errors(diags, options.strict)
        raise  # not reached: a layout error is an error
    rendered = {job.path for job in todo}
    for job in jobs:
        if job.path not in rendered:
            writer.keep(job.path)
    return keys, rendered


PARALLEL_MIN = 300  # below this many pages, starting workers costs more than it saves
_FORKED: dict[str, object] = {}  # handed to forked workers, which inherit it; empty otherwise


def _render(renderer: Renderer, writer: OutputWriter, todo: list[Job], loaded: LoadedSite,
            workers: int) -> list[tuple[str, str, str]]:
    """Render and place every page of `todo`: (path, hash, category). Forked worker processes
    share the resolved site without copying it; the output is the same whatever their number."""
    if workers <= 1 or len(todo) < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return _render_slice(renderer, writer, todo, loaded, loaded.cache.html)
    _FORKED.update(renderer=renderer, writer=writer, todo=todo, workers=workers, loaded=loaded)
    gc.freeze()  # keep the collector from touching (and so copying) the parent's objects in workers
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            placed = []
            for part, dates in pool.map(_render_part, range(workers)):
                placed.extend(part)
                renderer.locale.memo.update(dates)  # the workers' formatted dates go to the cache
            return placed
    finally:
        gc.unfreeze()
        _FORKED.clear()


def _render_part(part: int) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    renderer: Renderer = _FORKED["renderer"]  # type: ignore[assignment]
    writer: OutputWriter = _FORKED["writer"]  # type: ignore[assignment]
    todo: list[Job] = _FORKED["todo"]  # type: ignore[assignment]
    workers: int = _FORKED["workers"]  # type: ignore[assignment]
    loaded: LoadedSite = _FORKED["loaded"]  # type: ignore[assignment]
    placed = _render_slice(renderer, writer, todo[part::workers], loaded, loaded.cache.html.forked())
    return placed, renderer.locale.memo


def _render_slice(renderer: Renderer, writer: OutputWriter, jobs: list[Job], loaded: LoadedSite,
                  store: HtmlStore, chunk: int = 500) -> list[tuple[str, str, str]]:
    """Render in chunks, fetching article bodies for a chunk and letting them go after it:
    memory stays flat however big the archive."""
    placed = []
    for start in range(0, len(jobs), chunk):
        part = jobs[start:start + chunk]
        shown = _fill_html(part, loaded, store)
        placed.extend((job.path, *writer.place(job.path, renderer.render(job))) for job in part)
        for article in shown:
            article.html = ""
    return placed


def _write_files(site: SiteData, root: Path, writer: OutputWriter, renditions: RenditionCache,
                 diags: Diagnostics, workers: int = 1) -> dict[str, str]:
    """Put every image rendition and PDF the pages show into the output: kept from the live
    site when it has them from the same source and recipe, else from the rendition cache
    (made there first when new). Returns their keys, for the next build."""
    recipe = f"{code_fingerprint()} {PIL_VERSION}"
    items = files(site)
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
            if isinstance(item, Download):
                data = (root / item.source).read_bytes()
                if digest(data) != item.sha:
                    raise ChangedDuringBuild(item.source)
            else:
                data = renditions.get(item, root / item.source)
        except (ChangedDuringBuild, OSError):
            diags.error(item.source, 1, "changed or disappeared while the site was being built; build again")
            continue
        writer.put(item.path, data)
    return keys


def _stamp(options: Options, out: Path) -> Optional[str]:
    """Every input's stat, and the options that shape the output."""
    site = options.site
    roots = [site / "config.yaml", site / "content", site / "layouts", site / "static", THEME_DIR]
    extra = repr((options.drafts, options.future, options.base_url, options.now, options.search,
                  str(out.absolute())))
    return input_stamp(roots, extra)


def _fill_html(jobs: list[Job], loaded: LoadedSite, store: HtmlStore) -> list[Article]:
    """Bodies for the pages about to be rendered: from the HTML store, else parsed again."""
    wanted = list({id(a): a for job in jobs for a in job.needs_html if not a.html}.values())
    if not wanted:
        return []
    found = store.get_many([a.digest for a in wanted])
    renderer: Optional[MarkdownRenderer] = None
    for article in wanted:
        if article.digest in found:
            article.html = found[article.digest]
            continue
        renderer = renderer or MarkdownRenderer(loaded.config.unsafe_html, loaded.config.is_chinese)
        fields, _ = parse_article(article.source, (loaded.root / article.source).read_bytes(), renderer)
        article.html = fields["html"] if fields else ""
    return wanted
