"""Render stage: SiteData -> pages, one Jinja2 template per page type.

Each Output records the sources and layouts it was made from, so a later
build (or the dev server) can tell which pages a change touches."""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, Iterator, Optional

import jinja2
from jinja2 import meta
from markupsafe import Markup

from .errors import Diagnostics
from .i18n import Locale
from .load import THEME_DIR
from .model import Article, Edition, Section, SiteData
from .structured import edition_moment, json_for_script, news_article
from .urls import feed_path, output_file, page_count, section_url


@dataclass(frozen=True)
class Output:
    """One file of the site: where it goes, its bytes, and what it depends on."""

    path: str
    content: bytes
    template: str
    sources: frozenset[str]
    layouts: frozenset[str]


@dataclass(frozen=True)
class Pager:
    """Position in a paginated index, with root-relative neighbour URLs."""

    number: int
    total: int
    prev_url: Optional[str]
    next_url: Optional[str]


class TemplateProblem(Exception):
    """A layout failed; carries PATH:LINE for the editor or designer."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line, self.message = path, line, message


class Renderer:
    """Holds the Jinja2 environment of one site: its layouts/ over the default theme's."""

    def __init__(self, root: Path, site: SiteData, theme: Path = THEME_DIR) -> None:
        self.root = root
        self.site = site
        self.config = site.config
        self.locale = Locale(self.config.language)
        self.dirs = [root / "layouts", theme / "layouts"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            site=self.config, t=self.locale.t, url=self.url, abs_url=self.abs_url,
            page_label=lambda n: self.locale.t("page", n=n), locale=self.locale,
        )
        self.env.filters.update(date=self.locale.date, short_date=self.locale.short_date, jsonld=self.jsonld)
        self.env.globals.update(moment=self.moment, feed_path=feed_path)
        self._layouts: dict[str, frozenset[str]] = {}

    def url(self, rel: str) -> str:
        """Root-relative, with base_url's path: works at any depth, 404.html included."""
        return self.config.base_path + rel

    def abs_url(self, rel: str) -> str:
        return self.config.base_url + rel

    def moment(self, article: Article) -> str:
        """An article's publication moment: its edition's 00:00 in the site's timezone."""
        assert article.edition is not None
        return edition_moment(article.edition, self.config).isoformat()

    def jsonld(self, article: Article) -> Markup:
        """NewsArticle JSON-LD, escaped so no title can close the <script> block."""
        return Markup(json_for_script(news_article(article, self.config, self.abs_url)))

    # ------------------------------------------------------------ templates

    def shown(self, filename: Optional[str]) -> str:
        """A template's path as an editor finds it: relative to the site or the package."""
        if not filename:
            return "layouts"
        path = Path(filename)
        for base, prefix in ((self.root, ""), (THEME_DIR.parent.parent, "")):
            try:
                return prefix + path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def layouts_of(self, name: str) -> frozenset[str]:
        """The template and everything it extends or includes, as shown paths."""
        if name not in self._layouts:
            found: set[str] = set()
            pending = [name]
            while pending:
                current = pending.pop()
                source, filename, _ = self.env.loader.get_source(self.env, current)  # type: ignore[union-attr]
                if self.shown(filename) in found:
                    continue
                found.add(self.shown(filename))
                ast = self.env.parse(source)
                pending.extend(t for t in meta.find_referenced_templates(ast) if t)
            self._layouts[name] = frozenset(found)
        return self._layouts[name]

    def render(self, path: str, template: str, sources: set[str], **context: Any) -> Output:
        canonical = context.pop("canonical_url", None)
        rel_url = path[: -len("index.html")] if path.endswith("index.html") else path
        context.setdefault("canonical", self.abs_url(canonical if canonical is not None else rel_url))
        context.setdefault("current_url", rel_url)
        try:
            html = self.env.get_template(template).render(**context)
            layouts = self.layouts_of(template)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(self.shown(exc.filename), exc.lineno or 1, f"template syntax error: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem("layouts", 1, f"template not found: {exc.name}")
        except Exception as exc:  # an error raised while a layout runs
            filename, line = self._template_frame(exc)
            raise TemplateProblem(filename, line, f"error while rendering /{rel_url}: {exc}")
        return Output(path=path, content=html.encode("utf-8"), template=template,
                      sources=frozenset(sources | {"config.yaml"}), layouts=layouts)

    def _template_frame(self, exc: BaseException) -> tuple[str, int]:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if any(frame.filename.startswith(str(d)) for d in self.dirs):
                return self.shown(frame.filename), frame.lineno or 1
        return "layouts", 1


# ------------------------------------------------------------------ pages


def render_site(root: Path, site: SiteData, diags: Diagnostics) -> list[Output]:
    """Every page of the site; a layout error is reported once, as PATH:LINE."""
    renderer = Renderer(root, site)
    outputs: list[Output] = []
    try:
        for output in _pages(renderer, site):
            outputs.append(output)
    except TemplateProblem as problem:
        diags.error(problem.path, problem.line, problem.message)
        return []
    return outputs


def _pages(r: Renderer, site: SiteData) -> Iterator[Output]:
    editions = site.editions
    latest = editions[-1] if editions else None
    yield _edition(r, site, latest, "index.html", canonical=latest.url if latest else "")
    for i, edition in enumerate(editions):
        yield _edition(r, site, edition, output_file(edition.url))
        for j, page in enumerate(edition.pages):
            yield r.render(
                output_file(page.url), "page.html", {edition.source} | {a.source for a in page.articles},
                edition=edition, page=page,
                prev_page=edition.pages[j - 1] if j > 0 else None,
                next_page=edition.pages[j + 1] if j + 1 < len(edition.pages) else None,
            )
        for j, article in enumerate(edition.articles):
            related = article.corrections + article.originals + [
                a for a in (article.prev_in_series, article.next_in_series) if a]
            yield r.render(
                output_file(article.url), "article.html",
                {article.source, edition.source} | {a.source for a in related},
                article=article, edition=edition, page=article.page,
                prev_article=edition.articles[j - 1] if j > 0 else None,
                next_article=edition.articles[j + 1] if j + 1 < len(edition.articles) else None,
            )
    for kind, groups, declared in (("sections", site.sections, site.config.sections),
                                   ("series", site.series, site.config.series)):
        for slug, members in groups.items():
            yield from _index(r, kind, declared[slug], members)
    yield from _feeds(r, site)
    yield r.render("corrections/index.html", "corrections.html",
                   {a.source for a in site.corrections}, corrections=site.corrections)
    yield r.render("archive/index.html", "archive.html", {e.source for e in editions},
                   years=_archive(editions))
    yield r.render("404.html", "404.html", set(), canonical_url="404.html")


def _edition(r: Renderer, site: SiteData, edition: Optional[Edition], path: str,
             canonical: Optional[str] = None) -> Output:
    if edition is None:
        return r.render(path, "edition.html", set(), edition=None, prev_edition=None, next_edition=None)
    editions = site.editions
    i = editions.index(edition)
    sources = {edition.source} | {a.source for a in edition.articles}
    context: dict[str, Any] = dict(
        edition=edition,
        prev_edition=editions[i - 1] if i > 0 else None,
        next_edition=editions[i + 1] if i + 1 < len(editions) else None,
    )
    if canonical is not None:
        context["canonical_url"] = canonical
    return r.render(path, "edition.html", sources, **context)


def _index(r: Renderer, kind: str, group: Section, members: list[Article]) -> Iterator[Output]:
    per_page = r.config.paginate
    total = page_count(len(members), per_page)
    template = "section.html" if kind == "sections" else "series.html"
    for n in range(1, total + 1):
        chunk = members[(n - 1) * per_page: n * per_page]
        pager = Pager(n, total,
                      section_url(group.slug, n - 1, kind) if n > 1 else None,
                      section_url(group.slug, n + 1, kind) if n < total else None)
        yield r.render(output_file(section_url(group.slug, n, kind)), template,
                       {a.source for a in chunk}, group=group, kind=kind, articles=chunk, pager=pager)


def _feeds(r: Renderer, site: SiteData) -> Iterator[Output]:
    """Atom feeds: the whole paper, each section, and the corrections; newest entries first."""
    newest = [a for e in reversed(site.editions) for a in e.articles]
    feeds = [(feed_path(), site.config.title, "", newest)]
    for slug, members in site.sections.items():
        name = site.config.sections[slug].name
        feeds.append((feed_path("sections", slug), f"{site.config.title} · {name}", f"sections/{slug}/", members))
    feeds.append((feed_path("corrections"), f"{site.config.title} · {r.locale.t('corrections')}", "corrections/",
                  site.corrections))
    for path, title, home, members in feeds:
        entries = members[: site.config.feed_entries]
        updated = (r.moment(entries[0]) if entries else "1970-01-01T00:00:00+00:00")
        yield r.render(path, "atom.xml", {a.source for a in entries}, feed_title=title, feed_path=path,
                       home_path=home, entries=entries, updated=updated)


def _archive(editions: list[Edition]) -> list[tuple[int, list[tuple[int, list[Edition]]]]]:
    """Years newest first, each with its months newest first, each with its editions."""
    newest = sorted(editions, key=lambda e: e.date, reverse=True)
    years = []
    for year, in_year in groupby(newest, key=lambda e: e.date.year):
        months = [(month, list(in_month)) for month, in_month in groupby(in_year, key=lambda e: e.date.month)]
        years.append((year, months))
    return years
