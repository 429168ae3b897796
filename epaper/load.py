"""Load stage: read config.yaml, find editions, parse front matter and Markdown.

Each reader checks only what one file can tell about itself (syntax, types,
encoding); everything that needs two files is resolve's job.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .article import parse_article
from .cache import RACY_NS, BuildCache, SourceRecord, digest
from .config import load_config
from .errors import Diagnostics
from .fields import Fields, as_mapping, items_with_lines, shown
from .markup import MarkdownRenderer
from .model import Article, Config, Edition, Page
from .reader import SiteReader, decode
from .yamlutil import LineDict, load_yaml

EDITION_KEYS = ("date", "number", "pages", "publish")
PAGE_KEYS = ("number", "name", "section")
THEME_DIR = Path(__file__).parent / "theme"


@dataclass
class LoadedSite:
    """What the load stage hands to resolve."""

    root: Path
    config: Config
    editions: list[Edition]
    static_files: dict[str, Path]  # output path -> file, the site's overriding the theme's
    cache: BuildCache


def find_editions(reader: SiteReader) -> list[Path]:
    """Every folder below content/ with an edition.yaml; stray .md files are warned about."""
    content = reader.root / "content"
    if not content.is_dir():
        reader.diags.error("content", 1, "not found: a site keeps its editions in content/")
        return []
    editions: list[Path] = []
    inside: dict[Path, Path] = {}  # folder -> the edition folder it is in (itself for an edition)
    for folder, dirs, files in os.walk(content):
        dirs.sort()
        here = Path(folder)
        outer = inside.get(here.parent)
        for name in list(dirs):
            if (here / name).is_symlink() and not reader.inside(here / name):
                dirs.remove(name)
        if "edition.yaml" in files:
            if outer is not None:
                reader.diags.error(reader.rel(here / "edition.yaml"), 1,
                                   f"editions don't nest: this folder is inside the edition {reader.rel(outer)}/")
            else:
                editions.append(here)
                outer = here
        elif any(n.endswith(".md") for n in files):
            why = ("is in a subfolder of an edition; articles sit beside edition.yaml; skipped" if outer
                   else "is not in an edition folder (no edition.yaml beside it); skipped")
            for name in sorted(n for n in files if n.endswith(".md")):
                reader.diags.warning(reader.rel(here / name), 1, why)
        if outer is not None:
            inside[here] = outer
    return editions


def load_edition(reader: SiteReader, folder: Path) -> tuple[Optional[Edition], list[Path]]:
    """edition.yaml read and checked, and the article files beside it (read later, maybe cached)."""
    diags = reader.diags
    path = folder / "edition.yaml"
    rel = reader.rel(path)
    files = sorted(p for p in folder.glob("*.md") if p.is_file() or p.is_symlink())
    if not files:
        diags.error(rel, 1, "this edition has no articles: add a .md file beside edition.yaml")
    raw = reader.read(path)
    text = None if raw is None else decode(rel, raw, diags)
    if raw is None or text is None:
        return None, files
    data, problem = load_yaml(text)
    if problem:
        diags.error(rel, problem.line, problem.message)
        return None, files
    data = as_mapping(data if data is not None else LineDict(), rel, 1, diags, "edition.yaml")
    if data is None:
        return None, files
    f = Fields(data, rel, diags, "an edition", top=True)
    f.check_keys(EDITION_KEYS)
    date = f.date("date", required=True)
    number = f.integer("number", positive=True)
    publish = _publish(f)
    pages = _pages(f)
    if date is None or pages is None:
        return None, files
    edition = Edition(source=rel, folder=reader.rel(folder), digest=digest(raw), date=date, number=number,
                      pages=pages, publish=publish, lines=dict(data.lines))
    for page in pages:
        page.edition = edition
    return edition, files


def _publish(f: Fields) -> Optional[dt.datetime]:
    value = f.data.get("publish")
    if value is None:
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
    f.error("publish", f'"publish:" must be a date and time such as 2022-11-04 06:00:00+08:00, not {shown(value)}')
    return None


def _pages(f: Fields) -> Optional[list[Page]]:
    value = f.data.get("pages")
    if value is None:
        f.missing("pages")
        return None
    if not isinstance(value, list) or not value:
        f.error("pages", '"pages:" must be a list of printed pages such as {number: 1, name: 要闻, section: yaowen}')
        return None
    pages: list[Page] = []
    seen: dict[int, int] = {}
    for item, line in items_with_lines(value):
        entry = as_mapping(item, f.path, line, f.diags, 'each of "pages:"')
        if entry is None:
            continue
        pf = Fields(entry, f.path, f.diags, "a page")
        pf.check_keys(PAGE_KEYS)
        number = pf.integer("number", required=True, positive=True)
        name = pf.text("name")
        section = pf.slug("section")
        if number is None:
            continue
        if number in seen:
            pf.error("number", f"page {number} is listed twice (first at line {seen[number]})")
            continue
        seen[number] = pf.line("number")
        pages.append(Page(number=number, name=name, section_slug=section, line=pf.line("section") if section else line))
    return pages



def find_static(reader: SiteReader, theme: Path = THEME_DIR) -> dict[str, Path]:
    """Output path -> file: the theme's static/ overridden file by file by the site's."""
    files: dict[str, Path] = {}
    for base in (theme / "static", reader.root / "static"):
        if not base.is_dir():
            continue
        for folder, dirs, names in os.walk(base):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder) / name
                if base == reader.root / "static" and not reader.inside(path):
                    continue
                files[path.relative_to(base).as_posix()] = path
    return dict(sorted(files.items()))


def load_site(root: Path, diags: Diagnostics, base_url: Optional[str] = None,
              cache: Optional[BuildCache] = None, jobs: int = 1) -> Optional[LoadedSite]:
    """The whole load stage: config, every edition, its articles (from the cache when their
    bytes are unchanged, else parsed, in `jobs` processes), then static files."""
    reader = SiteReader(root, diags)
    config = load_config(reader, base_url)
    if config is None:
        return None
    cache = cache or BuildCache(root, parse_settings(config))
    found = [(load_edition(reader, folder)) for folder in find_editions(reader)]
    fresh: dict[str, str] = {}  # HTML of the articles parsed in this build, by content hash
    records = _article_records(reader, [p for _, files in found for p in files], config, cache, jobs, fresh)
    editions = []
    for edition, files in found:
        articles = []
        for path in files:
            record = records.get(reader.rel(path))
            if record is None:
                continue
            diags.extend(record.diagnostics)
            if record.fields is not None:
                articles.append(Article(**record.fields, digest=record.sha, html=fresh.get(record.sha, "")))
        if edition is None:
            continue
        edition.articles = articles
        edition.unreadable = len(files) - len(articles)
        for article in articles:
            article.edition = edition
        editions.append(edition)
    return LoadedSite(root=root, config=config, editions=editions, static_files=find_static(reader), cache=cache)


def parse_settings(config: Config) -> str:
    """What an article's parse depends on besides its bytes."""
    return f"unsafe_html={config.unsafe_html} chinese={config.is_chinese}"


def _article_records(reader: SiteReader, paths: list[Path], config: Config, cache: BuildCache,
                     jobs: int, fresh: dict[str, str]) -> dict[str, SourceRecord]:
    """Each article file's record: reused when its stat or its bytes are unchanged."""
    known = cache.data.sources
    records: dict[str, SourceRecord] = {}
    misses: list[tuple[str, str]] = []
    for path in paths:
        rel = reader.rel(path)
        if path.is_symlink() and not reader.inside(path):
            continue
        try:
            st = path.stat()
        except OSError as exc:
            reader.diags.error(rel, 1, f"cannot be read: {exc.strerror or exc}")
            continue
        old = known.get(rel)
        if old is not None and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns and not old.racy:
            records[rel] = old
        else:
            misses.append((rel, str(path)))
    settings = parse_settings(config)
    if len(misses) >= 64 and jobs > 1:
        chunks = [misses[i::jobs * 4] for i in range(jobs * 4)]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = [r for chunk in pool.map(_parse_files, [settings] * len(chunks), chunks) for r in chunk]
    else:
        results = _parse_files(settings, misses)
    for rel, record in results:
        if isinstance(record, str):  # could not be read
            reader.diags.error(rel, 1, f"cannot be read: {record}")
            continue
        if record.fields is not None:
            html = record.fields.pop("html")
            fresh[record.sha] = html
            cache.html.put(record.sha, html)
        records[rel] = record
    if results or len(records) != len(known):
        cache.sources_changed = True
    cache.data.sources = records  # forget files that are gone
    return records


def _parse_files(settings: str, items: list[tuple[str, str]]) -> list[tuple[str, SourceRecord | str]]:
    """Read, hash and parse article files; runs in a worker process for big builds."""
    unsafe, chinese = (part.split("=")[1] == "True" for part in settings.split())
    renderer = MarkdownRenderer(unsafe_html=unsafe, chinese=chinese)
    results: list[tuple[str, SourceRecord | str]] = []
    for rel, path in items:
        try:
            st = os.stat(path)
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            results.append((rel, str(exc.strerror or exc)))
            continue
        fields, diagnostics = parse_article(rel, data, renderer)
        racy = st.st_mtime_ns >= time.time_ns() - RACY_NS  # may still change within the same tick
        results.append((rel, SourceRecord(st.st_size, st.st_mtime_ns, digest(data), fields, diagnostics, racy)))
    return results
