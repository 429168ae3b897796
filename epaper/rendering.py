"""The render step's work (build.py's render() and quick path call it): the pages whose
inputs changed rendered and placed into the staging folder, by this process alone or dealt to
forked workers in runs of editions (parallel.Deal), each piece's article bodies fetched from
the HTML store before it and let go after it, so that memory stays flat whatever the archive."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from epaper import messages as M
from epaper import parallel
from epaper.content.article import parse_article
from epaper.content.load import LoadedSite
from epaper.content.markup import MarkdownRenderer, footnote_backlink
from epaper.content.reader import read_regular
from epaper.model import Edition
from epaper.output.cache import HtmlStore, digest
from epaper.output.writer import Change, OutputWriter
from epaper.site.jobs import Job
from epaper.site.render import Renderer, TemplateProblem

RENDER_MS = 0.5  # rendering and placing one page, about (bench/, 10,000 articles)


def render_pages(renderer: Renderer, writer: OutputWriter, todo: list[Job], loaded: LoadedSite, store: HtmlStore,
                 jobs: int, frozen: bool | None = None) -> list[tuple[str, str, Change]]:
    """Render and place every page of `todo`: (path, hash, change). Forked worker processes
    share the resolved site without copying it; the output is the same whatever their number.
    `frozen`: the build froze its loaded site out of the collector's sight (parallel.fan_out)."""
    return start_render(renderer, writer, todo, loaded, store, jobs, frozen).finish()


def start_render(renderer: Renderer, writer: OutputWriter, todo: list[Job], loaded: LoadedSite, store: HtmlStore,
                 jobs: int, frozen: bool | None = None) -> Rendering:
    """render_pages' workers started: they render while this process does other work, and it
    renders its own share at `finish()` (taking over what the workers have not reached)."""
    workers = parallel.workers_for(len(todo), RENDER_MS, jobs)
    if workers == 1:
        return Rendering(todo, None, lambda: _render_slice(renderer, writer, todo, loaded, store))
    if renderer.fragments is not None:
        renderer.fragments.prepare()
    started = parallel.start_dealt(_render_part, (renderer, writer, loaded, store), _by_period(todo, loaded.editions),
                                   workers, RENDER_PIECE, frozen=frozen)

    def gathered() -> list[tuple[str, str, Change]]:
        placed = []
        for part, dates in started.finish():
            placed.extend(part)
            renderer.locale.memo.update(dates)  # the workers' formatted dates go to the cache
        return placed

    return Rendering(todo, started, gathered)


class Rendering:
    """A render under way (start_render)."""

    def __init__(self, todo: list[Job], started: parallel.Started[Any] | None,
                 gather: Callable[[], list[tuple[str, str, Change]]]) -> None:
        self.todo, self.started, self.gather = todo, started, gather

    def finish(self) -> list[tuple[str, str, Change]]:
        """Every page rendered and placed: (path, hash, change), in the order of `todo`, whoever rendered it."""
        placed = self.gather()
        if self.started is not None:
            order = {job.path: i for i, job in enumerate(self.todo)}
            placed.sort(key=lambda item: order[item[0]])
        return placed

    def stop(self) -> None:
        """The workers ended unfinished (the build failed meanwhile)."""
        if self.started is not None:
            self.started.stop()


RENDER_PIECE = 50  # pages a process takes at a time (parallel.Deal): about 40 ms of work


def _by_period(todo: list[Job], editions: Sequence[Edition]) -> list[Job]:
    """`todo` in the order the processes are dealt it (parallel.Deal: each works a run of it from
    its start), by the edition of each page (an index page goes with the edition of its first
    article), the pages listing the whole archive (sitemaps, the archive, feeds, the front page)
    first, in this process's run. A forked worker copies each page of memory whose objects it
    touches, if only to count a reference: interleaved parts had both processes render those
    whole-archive pages at their end, each then copying the archive's memory at the build's peak
    (30,000 articles: 381-386 MiB against 350-356 MiB this way; BENCHMARKS.md)."""
    position = {id(edition): i for i, edition in enumerate(editions)}

    def period(job: Job) -> int:
        return -1 if archive_wide(job) else position.get(id(_edition_of(job)), -1)

    return sorted(todo, key=period)


def _edition_of(job: Job) -> Edition | None:
    """The edition a page goes with: its own, or that of the first article it lists."""
    edition: Edition | None = job.context.get("edition")
    if edition is None and job.context.get("articles"):
        edition = job.context["articles"][0].edition
    return edition


def archive_wide(job: Job) -> bool:
    """A page listing the whole archive (the sitemaps, the archive, the feeds, the front page):
    rendered by the building process, whose memory it touches anyway (_by_period)."""
    return job.extra == "home" or _edition_of(job) is None


def _render_part(shared: tuple[Renderer, OutputWriter, LoadedSite, HtmlStore],
                 take: Callable[[], Sequence[Job] | None]) -> tuple[list[tuple[str, str, Change]], dict[str, str]]:
    """A process's share, piece by piece as dealt: its own connections to the HTML and list item
    stores (it writes the items it renders itself), its formatted dates back."""
    renderer, writer, loaded, store = shared
    fragments = renderer.fragments
    own_fragments = renderer.fragments = fragments.forked() if fragments is not None else None
    try:
        with store.forked() as own:
            placed = _render_pieces(renderer, writer, take, loaded, own)
    finally:
        renderer.fragments = fragments  # this process's part runs here too (parallel.fan_out_dealt)
        if own_fragments is not None:
            own_fragments.close()
    return placed, renderer.locale.memo


def _render_slice(renderer: Renderer, writer: OutputWriter, jobs: list[Job], loaded: LoadedSite,
                  store: HtmlStore, chunk: int = 500) -> list[tuple[str, str, Change]]:
    """Render in chunks, fetching article bodies for a chunk and letting them go after it:
    memory stays flat however big the archive."""
    pieces = iter([jobs[start:start + chunk] for start in range(0, len(jobs), chunk)])
    return _render_pieces(renderer, writer, lambda: next(pieces, None), loaded, store)


def _render_pieces(renderer: Renderer, writer: OutputWriter, take: Callable[[], Sequence[Job] | None],
                   loaded: LoadedSite, store: HtmlStore, flush_every: int = 500) -> list[tuple[str, str, Change]]:
    """Render and place each piece `take()` gives, fetching its article bodies first and letting
    them go after it; the list items rendered are written every `flush_every` pages, not held."""
    placed: list[tuple[str, str, Change]] = []
    unwritten = 0
    while (piece := take()) is not None:
        renderer.bodies = bodies(piece, loaded, store)
        placed.extend((job.path, *writer.place(job.path, renderer.render(job))) for job in piece)
        unwritten += len(piece)
        if renderer.fragments is not None and unwritten >= flush_every:
            renderer.fragments.flush()
            unwritten = 0
    if renderer.fragments is not None:
        renderer.fragments.flush()
    renderer.bodies = {}
    return placed


def bodies(jobs: Sequence[Job], loaded: LoadedSite, store: HtmlStore) -> dict[str, str]:
    """The Markdown HTML of the articles these pages show, by digest: from the HTML store,
    else parsed again."""
    wanted = {a.digest: a for job in jobs for a in job.needs_html}
    if not wanted:
        return {}
    found = store.get_many(list(wanted))
    renderer: MarkdownRenderer | None = None
    for digest_, article in wanted.items():
        if digest_ in found:
            continue
        renderer = renderer or MarkdownRenderer(loaded.config.unsafe_html,
                                                 footnote_backlink(loaded.config.language, loaded.root))
        try:
            data = read_regular(loaded.root / article.source)
        except OSError:
            data = b""
        fields, _ = parse_article(article.source, data, renderer) if digest(data) == digest_ else (None, [])
        if fields is None:  # gone or changed since it was loaded: never another text under its name
            raise TemplateProblem(article.source, 1, M.CHANGED_DURING_BUILD())
        found[digest_] = fields["html"]
    return found
