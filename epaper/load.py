"""Load stage: read config.yaml, find editions, parse front matter and Markdown.

Each reader checks only what one file can tell about itself (syntax, types,
encoding); everything that needs two files is resolve's job.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import Diagnostics, did_you_mean
from .markup import MarkdownRenderer, summary_of
from .model import ARTICLE_TYPES, Article, Config, CorrectionTarget, Edition, Page, Section
from .yamlutil import LineDict, LineList, load_yaml

SLUG = re.compile(r"^[a-z0-9-]+$")
CONFIG_KEYS = ("title", "base_url", "language", "timezone", "paginate", "sections", "series", "markdown",
               "feed_entries")
EDITION_KEYS = ("date", "number", "pages", "publish")
PAGE_KEYS = ("number", "name", "section")
ARTICLE_KEYS = (
    "title", "slug", "kicker", "subtitle", "authors", "byline", "dateline", "page", "order",
    "section", "series", "type", "corrects", "draft",
)
THEME_DIR = Path(__file__).parent / "theme"


def slug_problem(slug: str) -> Optional[str]:
    """Why `slug` is not a safe URL segment, or None when it is."""
    if not SLUG.match(slug):
        return "may hold only lower-case ASCII letters, digits and hyphens"
    if slug.isdigit():
        return "must not be digits alone (those URLs belong to printed pages)"
    return None


@dataclass
class LoadedSite:
    """What the load stage hands to resolve."""

    root: Path
    config: Config
    editions: list[Edition]
    static_files: dict[str, Path]  # output path -> file, the site's overriding the theme's


class _Reader:
    """Reads one site's files into text, refusing what would leak or mislead."""

    def __init__(self, root: Path, diags: Diagnostics) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.diags = diags

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def inside(self, path: Path) -> bool:
        """False for a symlink (or a file under one) that leads outside the site."""
        try:
            path.resolve().relative_to(self.real_root)
            return True
        except ValueError:
            self.diags.error(self.rel(path), 1, "is a symbolic link to a place outside the site; refusing to read it")
            return False
        except OSError as exc:
            self.diags.error(self.rel(path), 1, f"cannot be read: {exc.strerror or exc}")
            return False

    def text(self, path: Path) -> Optional[str]:
        """The file as text: UTF-8 (a BOM and CRLF accepted), or an error naming the bad line."""
        rel = self.rel(path)
        if not self.inside(path):
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.diags.error(rel, 1, f"cannot be read: {exc.strerror or exc}")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            hint = "save it as UTF-8"
            try:
                data.decode("gb18030")
                hint = "it looks like GBK (GB18030), the usual Chinese Windows encoding: save it as UTF-8"
            except UnicodeDecodeError:
                pass
            self.diags.error(rel, line, f"is not UTF-8 text ({hint})")
            return None
        if "\x00" in text:
            self.diags.error(rel, text[: text.index("\x00")].count("\n") + 1, "contains a NUL byte: is it a binary file?")
            return None
        return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- values


class _Fields:
    """Typed access to one YAML mapping, reporting wrong values at their key's line."""

    def __init__(self, data: LineDict, path: str, diags: Diagnostics, what: str, top: bool = False) -> None:
        self.data, self.path, self.diags, self.what, self.top = data, path, diags, what, top

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def error(self, key: str, message: str) -> None:
        self.diags.error(self.path, self.line(key), message)

    def missing(self, key: str) -> None:
        # A whole file missing a key is reported at line 1; a nested entry at its own line.
        line = 1 if self.top else self.data.line
        self.diags.error(self.path, self.line(key) if key in self.data else line, f'{self.what} needs "{key}:"')

    def check_keys(self, known: tuple[str, ...]) -> None:
        for key, line in self.data.duplicates:
            self.diags.error(self.path, line, f'"{key}:" is given twice; the second one would win silently')
        for key in self.data:
            if key not in known:
                self.diags.warning(self.path, self.line(key),
                                   f'unknown key "{key}:" is ignored{did_you_mean(key, known)}')

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key)
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, (list, dict)):
            self.error(key, f'"{key}:" must be text, not a {"list" if isinstance(value, list) else "mapping"}')
            return ""
        # A scalar where text is expected (title: 2022, title: yes) is its text as written.
        return str(self.data.raw.get(key, value)).strip()

    def integer(self, key: str, required: bool = False, positive: bool = False) -> Optional[int]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f'"{key}:" must be a whole number, not {_shown(self.data.raw.get(key, value))}')
            return None
        if positive and value < 1:
            self.error(key, f'"{key}:" must be a positive whole number, not {value}')
            return None
        return value

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(key, f'"{key}:" must be true or false, not {_shown(self.data.raw.get(key, value))}')
            return False
        return value

    def date(self, key: str, required: bool = False) -> Optional[dt.date]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        parsed = _as_date(value)
        if parsed is None:
            self.error(key, f'"{key}:" must be a date written YYYY-MM-DD, not {_shown(self.data.raw.get(key, value))}')
        return parsed

    def slug(self, key: str) -> Optional[str]:
        value = self.text(key)
        if not value:
            return None
        problem = slug_problem(value)
        if problem:
            self.error(key, f'"{key}: {value}" is not a valid slug: it {problem}')
            return None
        return value


def _shown(value: Any) -> str:
    text = str(value)
    return f'"{text[:40]}"' if text else "nothing"


def _as_date(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _mapping(value: Any, path: str, line: int, diags: Diagnostics, what: str) -> Optional[LineDict]:
    if isinstance(value, LineDict):
        return value
    diags.error(path, line, f"{what} must be a mapping of keys and values")
    return None


def _items(value: Any) -> list[tuple[Any, int]]:
    """A list's items with their lines (a single value counts as a list of one)."""
    if isinstance(value, LineList):
        return [(item, value.line_of(i)) for i, item in enumerate(value)]
    return [(value, getattr(value, "line", 0))]


# ---------------------------------------------------------------- config


def load_config(reader: _Reader, base_url: Optional[str] = None) -> Optional[Config]:
    """Read config.yaml; an unusable config stops the build before content is read."""
    diags, path = reader.diags, reader.root / "config.yaml"
    if not path.is_file():
        diags.error("config.yaml", 1, "not found: a site is a folder with config.yaml and content/")
        return None
    text = reader.text(path)
    if text is None:
        return None
    data, problem = load_yaml(text)
    if problem:
        diags.error("config.yaml", problem.line, problem.message)
        return None
    if data is None:
        data = LineDict()
    data = _mapping(data, "config.yaml", 1, diags, "config.yaml")
    if data is None:
        return None
    f = _Fields(data, "config.yaml", diags, "config.yaml", top=True)
    f.check_keys(CONFIG_KEYS)
    title = f.text("title", required=True)
    url = base_url or f.text("base_url") or "/"
    parts = urlsplit(url)
    if base_url is None and url != "/" and (parts.scheme not in ("http", "https") or not parts.netloc):
        f.error("base_url", f'"base_url:" must be an absolute http(s) URL such as https://epaper.example.com/, not "{url}"')
    path_part = parts.path if parts.path.endswith("/") else parts.path + "/"
    if not path_part.startswith("/"):
        path_part = "/" + path_part
    if not url.endswith("/"):
        url += "/"
    language = f.text("language") or "zh-CN"
    if not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", language):
        f.error("language", f'"language:" must be a language tag such as zh-CN or en, not "{language}"')
        language = "zh-CN"
    timezone = f.text("timezone") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        f.error("timezone", f'"timezone:" "{timezone}" is not a known time zone such as Asia/Shanghai')
        timezone = "UTC"
    paginate = f.integer("paginate", positive=True) or 20
    unsafe_html = False
    if "markdown" in data:
        md = _mapping(data["markdown"], "config.yaml", f.line("markdown"), diags, '"markdown:"')
        if md is not None:
            mf = _Fields(md, "config.yaml", diags, '"markdown:"')
            mf.check_keys(("unsafe_html",))
            unsafe_html = mf.boolean("unsafe_html")
    return Config(
        title=title, base_url=url, base_path=path_part, language=language, timezone=timezone,
        paginate=paginate, sections=_declared(f, "sections"), series=_declared(f, "series"),
        unsafe_html=unsafe_html, feed_entries=f.integer("feed_entries", positive=True) or 50,
    )


def _declared(f: _Fields, key: str) -> dict[str, Section]:
    result: dict[str, Section] = {}
    value = f.data.get(key)
    if value is None:
        return result
    if not isinstance(value, list):
        f.error(key, f'"{key}:" must be a list of {{slug: …, name: …}}')
        return result
    for item, line in _items(value):
        entry = _mapping(item, f.path, line, f.diags, f'each of "{key}:"')
        if entry is None:
            continue
        ef = _Fields(entry, f.path, f.diags, f'an entry of "{key}:"')
        ef.check_keys(("slug", "name"))
        slug = ef.slug("slug")
        if "slug" not in entry:
            ef.missing("slug")
        name = ef.text("name", required=True)
        if slug is None:
            continue
        if slug in result:
            ef.error("slug", f'"{slug}" is declared twice in "{key}:"')
            continue
        result[slug] = Section(slug=slug, name=name or slug)
    return result


# ---------------------------------------------------------------- content


def find_editions(reader: _Reader) -> list[Path]:
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


def load_edition(reader: _Reader, folder: Path, renderer: MarkdownRenderer) -> Optional[Edition]:
    """edition.yaml and the articles beside it."""
    diags = reader.diags
    path = folder / "edition.yaml"
    rel = reader.rel(path)
    text = reader.text(path)
    if text is None:
        return None
    data, problem = load_yaml(text)
    if problem:
        diags.error(rel, problem.line, problem.message)
        return None
    data = _mapping(data if data is not None else LineDict(), rel, 1, diags, "edition.yaml")
    if data is None:
        return None
    f = _Fields(data, rel, diags, "an edition", top=True)
    f.check_keys(EDITION_KEYS)
    date = f.date("date", required=True)
    number = f.integer("number", positive=True)
    publish = _publish(f)
    pages = _pages(f)
    files = sorted(p for p in folder.glob("*.md") if p.is_file() or p.is_symlink())
    if not files:
        diags.error(rel, 1, "this edition has no articles: add a .md file beside edition.yaml")
    articles = [a for a in (load_article(reader, md, renderer) for md in files) if a]
    if date is None or pages is None:
        return None
    edition = Edition(source=rel, folder=reader.rel(folder), date=date, number=number,
                      pages=pages, publish=publish, lines=dict(data.lines), articles=articles,
                      unreadable=len(files) - len(articles))
    for page in pages:
        page.edition = edition
    for article in articles:
        article.edition = edition
    return edition


def _publish(f: _Fields) -> Optional[dt.datetime]:
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
    f.error("publish", f'"publish:" must be a date and time such as 2022-11-04 06:00:00+08:00, not {_shown(value)}')
    return None


def _pages(f: _Fields) -> Optional[list[Page]]:
    value = f.data.get("pages")
    if value is None:
        f.missing("pages")
        return None
    if not isinstance(value, list) or not value:
        f.error("pages", '"pages:" must be a list of printed pages such as {number: 1, name: 要闻, section: yaowen}')
        return None
    pages: list[Page] = []
    seen: dict[int, int] = {}
    for item, line in _items(value):
        entry = _mapping(item, f.path, line, f.diags, 'each of "pages:"')
        if entry is None:
            continue
        pf = _Fields(entry, f.path, f.diags, "a page")
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


def split_front_matter(text: str) -> tuple[Optional[str], str, int, Optional[str]]:
    """(front matter, body, first line of body, problem). Front matter sits between '---' lines."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1, ("has no front matter: an article starts with a line '---', "
                               "then its keys (title:, page: …), then another '---'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2, None
    return None, text, 1, "front matter is not closed: add a line '---' after its last key"


def load_article(reader: _Reader, path: Path, renderer: MarkdownRenderer) -> Optional[Article]:
    """One article file: front matter checked for types, body rendered."""
    diags, rel = reader.diags, reader.rel(path)
    text = reader.text(path)
    if text is None:
        return None
    front, body, _body_line, problem = split_front_matter(text)
    if problem or front is None:
        diags.error(rel, 1, problem or "has no front matter")
        return None
    data, yproblem = load_yaml(front, first_line=2)
    if yproblem:
        diags.error(rel, yproblem.line, yproblem.message)
        return None
    data = _mapping(data if data is not None else LineDict(), rel, 1, diags, "the front matter")
    if data is None:
        return None
    f = _Fields(data, rel, diags, "an article", top=True)
    f.check_keys(ARTICLE_KEYS)
    title = f.text("title", required=True)
    page = f.integer("page", required=True, positive=True)
    slug = f.slug("slug") if "slug" in data else _file_slug(f, path)
    kind = f.text("type") or "article"
    if kind not in ARTICLE_TYPES:
        f.error("type", f'"type: {kind}" is not one of {", ".join(ARTICLE_TYPES)}{did_you_mean(kind, ARTICLE_TYPES)}')
        kind = "article"
    corrects = _corrects(f)
    if kind == "correction" and not corrects and "corrects" not in data:
        f.diags.error(rel, f.line("type"), '"type: correction" needs "corrects:" naming the article it corrects '
                      "(DATE/SLUG, or {date: …, page: …, title: …})")
    if kind != "correction" and "corrects" in data:
        f.error("corrects", '"corrects:" is only for "type: correction"')
    article_fields = dict(
        kicker=f.text("kicker"), subtitle=f.text("subtitle"), authors=_authors(f),
        byline=f.text("byline"), dateline=f.text("dateline"), order=f.integer("order"),
        section_slug=f.slug("section"), series_slug=f.slug("series"), type=kind,
        draft=f.boolean("draft"), corrects=corrects, lines=dict(data.lines),
    )
    if not title or page is None or slug is None:
        return None
    try:
        html = renderer.convert(body, dateline=article_fields["dateline"])  # type: ignore[arg-type]
    except Exception as exc:  # Python-Markdown can fail on pathological input
        diags.error(rel, _body_line, f"the Markdown body could not be converted: {exc}")
        return None
    return Article(source=rel, slug=slug, title=title, page_number=page, html=html,
                   summary=summary_of(html), **article_fields)  # type: ignore[arg-type]


def _file_slug(f: _Fields, path: Path) -> Optional[str]:
    slug = path.name[:-3]
    problem = slug_problem(slug)
    if problem:
        f.diags.error(f.path, 1, f'the file name "{path.name}" is not a valid slug: it {problem}; '
                      'add "slug:" to the front matter (for example slug: youdaizheng)')
        return None
    return slug


def _authors(f: _Fields) -> tuple[str, ...]:
    value = f.data.get("authors")
    if value is None:
        return ()
    if isinstance(value, dict):
        f.error("authors", '"authors:" must be a name or a list of names')
        return ()
    names = []
    for item, _line in _items(value) if isinstance(value, list) else [(value, 0)]:
        if isinstance(item, (list, dict)) or item is None:
            f.error("authors", '"authors:" must be a name or a list of names')
            return ()
        names.append(str(item).strip())
    return tuple(n for n in names if n)


def _corrects(f: _Fields) -> tuple[CorrectionTarget, ...]:
    value = f.data.get("corrects")
    if value is None:
        return ()
    targets = []
    for item, line in (_items(value) if isinstance(value, list) else [(value, f.line("corrects"))]):
        line = line or f.line("corrects")
        target = _target(item, line, f)
        if target:
            targets.append(target)
    return tuple(targets)


def _target(item: Any, line: int, f: _Fields) -> Optional[CorrectionTarget]:
    form = ('write "corrects:" as DATE/SLUG (2022-11-03/youdaizheng) '
            "or as {date: 2022-11-03, page: 3, title: 原标题}")
    if isinstance(item, LineDict):
        tf = _Fields(item, f.path, f.diags, '"corrects:"')
        tf.check_keys(("date", "page", "title"))
        date, title = tf.date("date", required=True), tf.text("title", required=True)
        page = tf.integer("page", positive=True)
        if date is None or not title:
            return None
        return CorrectionTarget(line=item.line, date=date, title=title, page=page)
    if isinstance(item, str) and "/" in item:
        day, _, slug = item.strip().rpartition("/")
        date = _as_date(day)
        if date is None or slug_problem(slug):
            f.diags.error(f.path, line, f'"corrects: {item}" is not DATE/SLUG: {form}')
            return None
        return CorrectionTarget(line=line, date=date, slug=slug)
    f.diags.error(f.path, line, f"\"corrects:\" cannot be {_shown(item)}: {form}")
    return None


# ---------------------------------------------------------------- static files


def find_static(reader: _Reader, theme: Path = THEME_DIR) -> dict[str, Path]:
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
              renderer_factory: Callable[[Config], MarkdownRenderer] | None = None) -> Optional[LoadedSite]:
    """The whole load stage: config, then every edition and its articles, then static files."""
    reader = _Reader(root, diags)
    config = load_config(reader, base_url)
    if config is None:
        return None
    renderer = (renderer_factory or _default_renderer)(config)
    editions = [e for e in (load_edition(reader, folder, renderer) for folder in find_editions(reader)) if e]
    return LoadedSite(root=root, config=config, editions=editions, static_files=find_static(reader))


def _default_renderer(config: Config) -> MarkdownRenderer:
    return MarkdownRenderer(unsafe_html=config.unsafe_html, chinese=config.is_chinese)
