"""Load stage: read config.yaml, find editions, parse front matter and Markdown.

Each reader checks only what one file can tell about itself (syntax, types,
encoding); everything that needs two files is resolve's job.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import posixpath
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from epaper import messages as M
from epaper import parallel
from epaper.content.article import parse_article
from epaper.content.config import load_config
from epaper.content.fields import (
    Fields,
    as_mapping,
    items_with_lines,
    media_path,
    shown,
    yaml_mapping,
)
from epaper.content.markup import MarkdownRenderer, footnote_backlink
from epaper.content.reader import NotRegular, SiteReader, decode, not_regular, read_regular
from epaper.content.yamlutil import Invalid
from epaper.errors import Diagnostic, Diagnostics, Text, did_you_mean
from epaper.images import MediaRecord, probe
from epaper.model import Article, Config, Edition, Page, PageEntry, Typography
from epaper.output.cache import RACY_NS, BuildCache, FileStat, Folders, HtmlStore, SourceRecord, digest, file_stat
from epaper.themes import THEME_DIR

EDITION_KEYS = ("date", "number", "pages", "publish")
PAGE_KEYS = ("number", "name", "section", "scan", "pdf")


@dataclass
class LoadedSite:
    """What the load stage hands to resolve."""

    root: Path
    config: Config
    editions: list[Edition]
    static_files: dict[str, Path]  # output path -> file, the site's overriding the theme's
    media: dict[str, MediaRecord]  # "image:PATH" or "pdf:PATH" -> the file as probed


@dataclass
class EditionFolder:
    """An edition folder as found on disk: where it is and the article files in it."""

    path: str  # absolute
    rel: str  # relative to the site
    articles: list[str]  # file names of its .md files, sorted


def find_editions(reader: SiteReader, walked: Folders | None = None) -> list[EditionFolder]:
    """Every folder below content/ with an edition.yaml; stray .md files are warned about.
    Plain strings, and the input stamp's walk when it has content/ (`walked`, see
    cache.input_stamp), else one os.walk: this runs over tens of thousands of files on every build."""
    content = reader.root / "content"
    if not content.is_dir():
        reader.diags.error("content", 1, M.NO_CONTENT())
        return []
    root = str(reader.root)
    editions: list[EditionFolder] = []
    inside: dict[str, str] = {}  # folder -> the edition folder it is in (itself for an edition)
    for folder, links, files in _folders(reader, str(content), walked or {}):
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        outer = inside.get(os.path.dirname(folder))
        for name in links:  # never walked; one leading outside the site is an error
            reader.inside(Path(folder) / name)
        # Hidden files are editors' (Emacs's .#x.md lock links, ._x.md from macOS), never articles.
        markdown = sorted(n for n in files if n.endswith(".md") and not n.startswith("."))
        if "edition.yaml" in files:
            if outer is not None:
                reader.diags.error(f"{rel}/edition.yaml", 1,
                                   M.NESTED_EDITION(outer=reader.rel(Path(outer))))
            else:
                editions.append(EditionFolder(folder, rel, markdown))
                outer = folder
        elif markdown:
            why = M.IN_EDITION_SUBFOLDER() if outer else M.NOT_IN_EDITION()
            for name in markdown:
                reader.diags.warning(f"{rel}/{name}", 1, why)
        if outer is not None:
            inside[folder] = outer
    return editions


def _folders(reader: SiteReader, top: str, walked: Folders) -> Iterator[tuple[str, list[str], list[str]]]:
    """(folder, its links to folders, the other names in it) for `top` and each folder below it,
    top down, subfolders by name (as os.walk, which follows no link, gives them): from `walked`
    when it has them, else walked now."""
    if top in walked:
        stack = [top]
        while stack:
            folder = stack.pop()
            dirs, links, files = walked[folder]
            yield folder, links, files
            stack.extend(f"{folder}{os.sep}{name}" for name in reversed(dirs))
        return
    for folder, dirs, files in os.walk(top, onerror=reader.walk_error):
        dirs.sort()
        links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
        for name in links:
            dirs.remove(name)
        yield folder, links, files


def parse_edition(rel: str, data: bytes) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """edition.yaml's fields (pages as PageEntry), or None; and the file's diagnostics."""
    diags = Diagnostics()
    text = decode(rel, data, diags)
    if text is None:
        return None, diags.items
    meta = yaml_mapping(text, rel, diags, M.WHAT_FILE(name="edition.yaml"))
    if meta is None:
        return None, diags.items
    f = Fields(meta, rel, diags, M.WHAT_EDITION(), top=True)
    f.check_keys(EDITION_KEYS)
    date = f.date("date", required=True)
    number = f.integer("number", positive=True)
    publish = _publish(f)
    pages = _pages(f)
    if date is None or pages is None:
        return None, diags.items
    return dict(date=date, number=number, publish=publish, pages=pages, lines=dict(meta.lines)), diags.items


def make_edition(rel: str, folder: str, record: SourceRecord, articles: list[Article], unreadable: int) -> Edition:
    """The edition of a parsed edition.yaml, linked with its pages and articles."""
    fields = dict(record.fields or {})
    pages = [Page.of_entry(entry) for entry in fields.pop("pages")]
    edition = Edition(source=rel, folder=folder, digest=record.sha, pages=pages, unreadable=unreadable, **fields)
    edition.links.articles = articles
    for page in pages:
        page.links.edition = edition
    for article in articles:
        article.links.edition = edition
    return edition


def _publish(f: Fields) -> dt.datetime | None:
    value = f.data.get("publish")
    if value is None or isinstance(value, Invalid):  # Invalid: an impossible time, reported while parsing
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    f.error("publish", M.BAD_PUBLISH(value=shown(value)))
    return None


def _pages(f: Fields) -> list[PageEntry] | None:
    value = f.data.get("pages")
    if value is None:
        f.missing("pages")
        return None
    if not isinstance(value, list) or not value:
        f.error("pages", M.PAGES_FORM())
        return None
    pages: list[PageEntry] = []
    seen: dict[int, int] = {}
    for item, line in items_with_lines(value):
        entry = as_mapping(item, f.path, line, f.diags, M.WHAT_EACH_OF(key="pages"))
        if entry is None:
            continue
        pf = Fields(entry, f.path, f.diags, M.WHAT_PAGE())
        pf.check_keys(PAGE_KEYS)
        number = pf.integer("number", required=True, positive=True)
        name = pf.text("name")
        section = pf.slug("section")
        scan, pdf = pf.text("scan"), pf.text("pdf")
        for key, value in (("scan", scan), ("pdf", pdf)):
            if value and media_path("", value) is None:
                pf.error(key, M.PAGE_FILE_OUTSIDE(key=key, value=value))
        if number is None:
            continue
        if number in seen:
            pf.error("number", M.PAGE_TWICE(number=number, first=seen[number]))
            continue
        seen[number] = pf.line("number")
        pages.append(PageEntry(number, name, section, pf.line("section") if section else line,
                               scan, pf.line("scan") if scan else 0, pdf, pf.line("pdf") if pdf else 0))
    return pages


def wanted_media(edition: Edition) -> list[tuple[str, str]]:
    """(kind, path) of every image and PDF an edition and its articles name."""
    wanted = []
    for page in edition.pages:
        if page.scan:
            wanted.append(("image", media_path(edition.folder, page.scan)))
        if page.pdf:
            wanted.append(("pdf", media_path(edition.folder, page.pdf)))
    for article in edition.articles:
        if article.image:
            wanted.append(("image", media_path(edition.folder, article.image)))
        wanted.extend(("image", media_path(edition.folder, figure.src)) for figure in article.figures)
    return [(kind, rel) for kind, rel in wanted if rel]


def probe_media(reader: SiteReader, editions: list[Edition], cache: BuildCache,
                every: bool = True) -> dict[str, MediaRecord]:
    """Every image and PDF the editions name, probed (from the cache when its stat is unchanged).
    A file that is missing or unusable gets a record saying why; resolve reports it where it is named.
    `every`: these are all the site's editions, so the cache forgets the files none of them names."""
    known: dict[str, MediaRecord] = cache.data.media
    found: dict[str, MediaRecord] = {}
    for edition in editions:
        for kind, rel in wanted_media(edition):
            key = f"{kind}:{rel}"
            if key in found:
                continue
            path = reader.root / rel
            try:
                if not path.resolve().is_relative_to(reader.real_root):
                    found[key] = MediaRecord(0, 0, "", kind, problem=M.LINK_OUTSIDE_SITE())
                    continue
                st = os.stat(path)
            except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
                if isinstance(exc, RuntimeError) or exc.errno in (errno.ELOOP, errno.EACCES, errno.EIO):
                    why = exc.strerror if isinstance(exc, OSError) else os.strerror(errno.ELOOP)
                    found[key] = MediaRecord(0, 0, "", kind, problem=M.CANNOT_READ(reason=why or ""))
                    continue
                folder = reader.root / edition.folder
                try:
                    names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
                except OSError:
                    names = []
                found[key] = MediaRecord(0, 0, "", kind, problem=M.NOT_FOUND(
                    suggestion=did_you_mean(posixpath.basename(rel), names)))
                continue
            if not_regular(st.st_mode) or stat.S_ISDIR(st.st_mode):  # a FIFO would block probe() forever
                found[key] = MediaRecord(0, 0, "", kind, problem=not_regular(st.st_mode) or M.A_FOLDER_PART())
                continue
            old = known.get(key)
            if (old is not None and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns
                    and old.ctime_ns == st.st_ctime_ns and not old.racy):
                found[key] = old
                continue
            try:
                found[key] = probe(str(path), kind)
            except OSError as exc:
                found[key] = MediaRecord(0, 0, "", kind, problem=M.CANNOT_READ(reason=exc.strerror or str(exc)))
                continue
            cache.sources_changed = True
    if not every:
        cache.data.media.update((k, r) for k, r in found.items() if r.sha)
        return found
    if set(known) != {k for k, r in found.items() if r.sha}:
        cache.sources_changed = True
    cache.data.media = {k: r for k, r in found.items() if r.sha}
    return found



def find_static(reader: SiteReader, theme: Path = THEME_DIR) -> dict[str, Path]:
    """Output path -> file: the theme's static/ overridden file by file by the site's."""
    files: dict[str, Path] = {}
    for base in (theme / "static", reader.root / "static"):
        if not base.is_dir():
            continue
        if base == reader.root / "static":  # the site's own: every unreadable one is an error
            for path in reader.files(base, within=base):
                files[path.relative_to(base).as_posix()] = path
            continue
        for folder, dirs, names in os.walk(base):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder) / name
                files[path.relative_to(base).as_posix()] = path
    return dict(sorted(files.items()))


def check_layouts(reader: SiteReader) -> None:
    """The site's layouts/ must all be readable: Jinja's loader would silently fall back to the
    theme's file of the same name when the site's cannot be read (or hang on a FIFO)."""
    if (reader.root / "layouts").is_dir():
        for _ in reader.files(reader.root / "layouts"):
            pass


def load_content(reader: SiteReader, config: Config, cache: BuildCache, jobs: int = 1,
                 stats: dict[str, FileStat] | None = None, walked: Folders | None = None) -> LoadedSite:
    """The load stage after config.yaml: every edition and its articles (from the cache when their
    bytes are unchanged, else parsed, in up to `jobs` processes), their images and PDFs, and the
    static files. `stats`: the files' stats as the build's input stamp saw them (not links);
    `walked`: the folders it walked (find_editions)."""
    diags = reader.diags
    check_layouts(reader)
    folders = find_editions(reader, walked)
    files = []
    sep = os.sep  # os.path.join's result (a walked folder never ends with one), at a tenth of its cost
    for folder in folders:
        files.append((f"{folder.rel}/edition.yaml", f"{folder.path}{sep}edition.yaml"))
        files.extend((f"{folder.rel}/{name}", f"{folder.path}{sep}{name}") for name in folder.articles)
    records = _records(reader, files, config, cache, jobs, stats or {})
    editions = []
    at = 0  # each folder's files in `files`: their names looked up as they are (100,000 made again were hashed again)
    for folder in folders:
        rel = files[at][0]
        own = files[at + 1: at + 1 + len(folder.articles)]
        at += 1 + len(folder.articles)
        if not folder.articles:
            diags.error(rel, 1, M.NO_ARTICLES())
        record = records.get(rel)
        edition_record: SourceRecord | None = None
        if record is not None:
            if record.diagnostics:
                diags.extend(record.diagnostics)
            if record.fields is not None:
                edition_record = record
        articles = []
        for name, _ in own:
            record = records.get(name)
            if record is None:
                continue
            if record.diagnostics:  # most have none: not a call for each of 100,000
                diags.extend(record.diagnostics)
            if record.fields is not None:
                articles.append(Article.from_record(record.fields, record.sha, record.shown))
        if edition_record is None:
            continue
        editions.append(make_edition(rel, folder.rel, edition_record, articles, len(folder.articles) - len(articles)))
    return LoadedSite(root=reader.root, config=config, editions=editions, static_files=find_static(reader),
                      media=probe_media(reader, editions, cache))


def parse_settings(config: Config, root: Path) -> str:
    """What an article's parse depends on besides its bytes (the footnotes' words among them)."""
    backlink = footnote_backlink(config.language, root)
    return f"unsafe_html={config.unsafe_html} backlink={backlink!r} typography: {config.typography.key}"


def _records(reader: SiteReader, files: list[tuple[str, str]], config: Config, cache: BuildCache,
             jobs: int, stats: dict[str, FileStat]) -> dict[str, SourceRecord]:
    """Each content file's record: reused when its stat is unchanged, else read and parsed.
    A stat the input stamp took is used as it is: the build then stands for what its stamp
    says, and a file changed since is seen by the next build (its stamp differs)."""
    known = cache.sources
    records: dict[str, SourceRecord] = {}
    misses: list[tuple[str, str]] = []
    regular = stat.S_ISREG  # the test of each of 100,000 files: the others' few tests only when it fails
    for rel, path in files:
        st = stats.get(path)  # not a symbolic link when the stamp has it
        if st is None:
            if os.path.islink(path) and not reader.inside(Path(path)):
                continue
            try:
                st = file_stat(os.stat(path))
            except OSError as exc:
                reader.diags.error(rel, 1, M.CANNOT_READ(reason=exc.strerror or str(exc)))
                continue
        mode, size, mtime, ctime = st
        if not regular(mode) and (not_regular(mode) or stat.S_ISDIR(mode)):  # never open a FIFO
            reader.diags.error(rel, 1, not_regular(mode) or M.A_FOLDER())
            continue
        old = known.get(rel)
        if (old is not None and old.size == size and old.mtime_ns == mtime
                and old.ctime_ns == ctime and not old.racy):  # ctime: an mtime can be put back
            records[rel] = old
        else:
            misses.append((rel, path))
    task = parse_task(config, reader.root, cache)
    workers = parallel.workers_for(len(misses), PARSE_MS, jobs)
    if workers > 1:
        cache.html.prepare()
    results = [r for part in parallel.fan_out(_parse_files, task, misses, workers) for r in part]
    for rel, record in results:
        if isinstance(record, Text):  # could not be read: why
            reader.diags.error(rel, 1, record)
            continue
        records[rel] = record
    if results or len(records) != len(known):
        cache.sources_changed = True
    made = {rel for rel, record in results if not isinstance(record, Text)}
    cache.changed = made | (known.keys() - records.keys() if len(records) - len(made) != len(known) else set())
    cache.sources = records  # forget files that are gone
    return records


PARSE_MS = 1.0  # reading, hashing and parsing one article, about (bench/, 10,000 articles)
# Parsed HTML a process holds before writing it to the store: a cold build's parser would otherwise
# hold its whole share of the archive's bodies until its last file (at 100,000 articles, hundreds of
# megabytes in each process, never given back to the system).
FLUSH_EVERY = 500


@dataclass(frozen=True)
class ParseTask:
    """What parsing depends on besides each file's bytes, and where its Markdown HTML goes."""

    unsafe_html: bool
    backlink: str  # a footnote's link back to the text, in the paper's language
    store: Path  # the HTML store's folder
    store_settings: str
    typography: Typography  # the check's rules: its warnings are cached with the file's other diagnostics


def parse_task(config: Config, root: Path, cache: BuildCache) -> ParseTask:
    return ParseTask(config.unsafe_html, footnote_backlink(config.language, root), cache.html.path.parent,
                     cache.html.settings, config.typography)


def _parse_files(task: ParseTask, items: Sequence[tuple[str, str]]) -> list[tuple[str, SourceRecord | Text]]:
    """Read, hash and parse content files; runs in a worker process for big builds. The rendered
    Markdown goes straight to the HTML store: the parent never holds every article's body."""
    renderer = MarkdownRenderer(unsafe_html=task.unsafe_html, backlink=task.backlink)
    with HtmlStore(task.store, task.store_settings) as html:  # closed even when a worker fails
        return parse_into(html, task, items, renderer)


def parse_into(html: HtmlStore, task: ParseTask, items: Sequence[tuple[str, str]],
                renderer: MarkdownRenderer) -> list[tuple[str, SourceRecord | Text]]:
    results: list[tuple[str, SourceRecord | Text]] = []
    for rel, path in items:
        try:
            st = os.stat(path)
            data = read_regular(path)  # a FIFO or device is refused, never opened
        except NotRegular as exc:
            results.append((rel, exc.text))
            continue
        except OSError as exc:
            results.append((rel, M.CANNOT_READ(reason=exc.strerror or str(exc))))
            continue
        if rel.endswith("/edition.yaml"):
            fields, diagnostics = parse_edition(rel, data)
        else:
            fields, diagnostics = parse_article(rel, data, renderer, task.typography)
        racy = max(st.st_mtime_ns, st.st_ctime_ns) >= time.time_ns() - RACY_NS  # may change within the tick
        sha = digest(data)
        if fields is not None and "html" in fields:
            html.put(sha, fields.pop("html"))
            if len(html.pending) >= FLUSH_EVERY:
                html.flush()
        results.append((rel, SourceRecord(st.st_size, st.st_mtime_ns, sha, fields, diagnostics, racy,
                                          ctime_ns=st.st_ctime_ns, shown=shown_digest(fields))))
    html.flush()
    return results


def shown_digest(fields: dict[str, Any] | None) -> str:
    """A hash of an article's parsed fields without its body (the HTML went to its store): all a
    list of articles can show of it. Pages listing an article depend on this, not on its bytes,
    so an edit of the text alone re-renders the article's own page only (build.quick)."""
    return "" if fields is None else digest(repr(fields).encode())


def load_site(root: Path, diags: Diagnostics, base_url: str | None = None, jobs: int = 1) -> LoadedSite | None:
    """The load stage on its own, for the tools beside the build (`areas`, `import pdf`):
    config.yaml, then the content, reading the site's build cache (which it leaves as it was)."""
    reader = SiteReader(root, diags)
    config = load_config(reader, base_url)
    if config is None:
        return None
    return load_content(reader, config, BuildCache(root, parse_settings(config, root)), jobs)
