"""One article file: front matter checked for types, body rendered to HTML.

A pure function of the file's bytes, so the result can be cached by content hash
and computed in a worker process."""
from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from epaper import messages as M
from epaper.content.fields import (
    Fields,
    as_date,
    items_with_lines,
    media_path,
    shown,
    slug_problem,
    yaml_mapping,
)
from epaper.content.markup import MarkdownRenderer, summary_of
from epaper.content.reader import decode
from epaper.content.typography import check as check_typography
from epaper.content.yamlutil import LineDict
from epaper.errors import Diagnostic, Diagnostics, Text, did_you_mean
from epaper.model import ARTICLE_TYPES, Area, Article, CorrectionTarget, Figure, Typography

ARTICLE_KEYS = (
    "title", "slug", "kicker", "subtitle", "authors", "byline", "dateline", "page", "order",
    "section", "series", "type", "corrects", "draft", "image", "caption", "credit", "area",
)


def split_front_matter(text: str) -> tuple[str | None, str, int, Text | None]:
    """(front matter, body, first line of body, problem). Front matter sits between '---' lines."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1, M.NO_FRONT_MATTER()
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2, None
    return None, text, 1, M.UNCLOSED_FRONT_MATTER()


def parse_article(rel: str, data: bytes, renderer: MarkdownRenderer,
                  typography: Typography | None = None) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """(the Article's fields, or None when unusable; the file's diagnostics, with the typography
    warnings when `typography` is given)."""
    diags = Diagnostics()
    text = decode(rel, data, diags)
    if text is None:
        return None, diags.items
    front, body, body_line, problem = split_front_matter(text)
    if problem or front is None:
        diags.error(rel, 1, problem or M.NO_FRONT_MATTER())
        return None, diags.items
    meta = yaml_mapping(front, rel, diags, M.WHAT_FRONT_MATTER(), first_line=2)
    if meta is None:
        return None, diags.items
    if typography is not None:
        diags.extend(check_typography(rel, text, typography))
    f = Fields(meta, rel, diags, M.WHAT_ARTICLE(), top=True)
    f.check_keys(ARTICLE_KEYS)
    title = f.text("title", required=True)
    page = f.integer("page", required=True, positive=True)
    slug = f.slug("slug") if "slug" in meta else _file_slug(f, rel.rsplit("/", 1)[-1])
    kind = f.text("type") or "article"
    if kind not in ARTICLE_TYPES:
        f.error("type", M.BAD_TYPE(kind=kind, types=", ".join(ARTICLE_TYPES),
                                   suggestion=did_you_mean(kind, ARTICLE_TYPES)))
        kind = "article"
    corrects = _corrects(f)
    if kind == "correction" and not corrects and "corrects" not in meta:
        diags.error(rel, f.line("type"), M.CORRECTION_NEEDS_TARGET())
    if kind != "correction" and "corrects" in meta:
        f.error("corrects", M.CORRECTS_ONLY_CORRECTIONS())
    areas = _areas(f)
    fields: dict[str, Any] = dict(
        source=rel, slug=slug, title=title, page_number=page,
        kicker=f.text("kicker"), subtitle=f.text("subtitle"), authors=_authors(f),
        byline=f.text("byline"), dateline=f.text("dateline"), order=f.integer("order"),
        section_slug=f.slug("section"), series_slug=f.slug("series"), type=kind,
        draft=f.boolean("draft"), corrects=corrects, image=_image(f), caption=f.text("caption"),
        credit=f.text("credit"), lines=_lines(meta.lines),
        areas=tuple(a for a in areas if not a.page), jumps=tuple(a for a in areas if a.page),
    )
    if (fields["caption"] or fields["credit"]) and not fields["image"] and "image" not in meta:
        key = "caption" if fields["caption"] else "credit"
        diags.warning(rel, f.line(key), M.NO_IMAGE_FOR_CAPTION(key=key))
    if not title or page is None or slug is None:
        return None, diags.items
    try:
        fields["html"] = renderer.convert(body, dateline=fields["dateline"])
    except Exception as exc:  # Python-Markdown can fail on pathological input
        diags.error(rel, body_line, M.MARKDOWN_FAILED(detail=str(exc)))
        return None, diags.items
    fields["figures"] = _figures(rel, body, body_line, renderer.figures, diags)
    fields["summary"] = summary_of(fields["html"])
    return _without_defaults(fields), diags.items


def _image(f: Fields) -> str:
    value = f.text("image")
    if value and media_path("", value) is None:
        f.error("image", M.IMAGE_OUTSIDE(value=value))
        return ""
    return value


def _figures(rel: str, body: str, body_line: int, found: list[tuple[str, str, str, bool]],
             diags: Diagnostics) -> tuple[Figure, ...]:
    """The body's local images, each with the line it is written on."""
    lines = body.split("\n")
    figures = []
    for src, caption, credit, block in found:
        line = next((body_line + i for i, text in enumerate(lines) if f"]({src}" in text), None)
        if line is None:  # a reference-style image: its definition names the file
            line = next((body_line + i for i, text in enumerate(lines) if src in text), body_line)
        if media_path("", src) is None:
            diags.error(rel, line, M.FIGURE_OUTSIDE(src=src))
        figures.append(Figure(src, caption, credit, line, block))
    return tuple(figures)


_NUMBER = (int, float)


def _areas(f: Fields) -> tuple[Area, ...]:
    """area: [x, y, w, h] in percent of the page, or a list of such boxes; a box printed on
    another page of the edition (an article continued there) is {page: N, box: [x, y, w, h]}."""
    value = f.data.get("area")
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        f.error("area", M.AREA_FORM())
        return ()
    listed = all(isinstance(v, (list, dict)) for v in value)
    boxes = items_with_lines(value) if listed else [(value, f.line("area"))]
    areas = []
    for box, line in boxes:
        line = line or f.line("area")
        page = 0
        if isinstance(box, dict):
            other, box = _other_page(f, box, line)
            if other is None:
                continue
            page = other
        if (not isinstance(box, list) or len(box) != 4
                or not all(isinstance(n, _NUMBER) and not isinstance(n, bool) and math.isfinite(n) for n in box)):
            f.diags.error(f.path, line, M.AREA_FORM_NOT(value=shown(box)))
            continue
        x, y, w, h = (float(n) for n in box)
        written = "[" + ", ".join(str(n) for n in box) + "]"
        problem: Text | None = None
        if min(x, y) < 0 or max(x, y) > 100:
            problem = M.BOX_XY()
        elif w <= 0 or h <= 0:
            problem = M.BOX_SIZE()
        elif x + w > 100 + 1e-9:
            problem = M.BOX_RIGHT(value=f"{x + w:g}")
        elif y + h > 100 + 1e-9:
            problem = M.BOX_BOTTOM(value=f"{y + h:g}")
        if problem:
            f.diags.error(f.path, line, M.AREA_OFF_PAGE(box=written, problem=problem))
            continue
        areas.append(Area(x, y, w, h, line, page))
    return tuple(areas)


def _other_page(f: Fields, item: dict[str, Any], line: int) -> tuple[int | None, Any]:
    """The page number and box of an `area:` box printed on another page, {page: N, box: [...]};
    (None, None) after an error. Whether page N exists is resolve's to say (it knows the edition)."""
    keys = set(item)
    if keys != {"page", "box"}:
        f.diags.error(f.path, line, M.JUMP_FORM(value=shown(item)))
        return None, None
    page = item["page"]
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        f.diags.error(f.path, line, M.JUMP_PAGE_NUMBER(value=shown(page)))
        return None, None
    return page, item["box"]


def _file_slug(f: Fields, name: str) -> str | None:
    slug = name[:-3]
    problem = slug_problem(slug)
    if problem:
        f.diags.error(f.path, 1, M.BAD_FILE_SLUG(name=name, problem=problem))
        return None
    return slug


def _authors(f: Fields) -> tuple[str, ...]:
    value = f.data.get("authors")
    if value is None:
        return ()
    if isinstance(value, dict):
        f.error("authors", M.AUTHORS_FORM())
        return ()
    names = []
    for item, _line in items_with_lines(value) if isinstance(value, list) else [(value, 0)]:
        if isinstance(item, (list, dict)) or item is None:
            f.error("authors", M.AUTHORS_FORM())
            return ()
        names.append(str(item).strip())
    return tuple(n for n in names if n)


def _corrects(f: Fields) -> tuple[CorrectionTarget, ...]:
    value = f.data.get("corrects")
    if value is None:
        return ()
    targets = []
    for item, line in (items_with_lines(value) if isinstance(value, list) else [(value, f.line("corrects"))]):
        line = line or f.line("corrects")
        target = _target(item, line, f)
        if target:
            targets.append(target)
    return tuple(targets)


def _target(item: Any, line: int, f: Fields) -> CorrectionTarget | None:
    if isinstance(item, LineDict):
        tf = Fields(item, f.path, f.diags, M.WHAT_KEY(key="corrects"))
        tf.check_keys(("date", "page", "title"))
        date, title = tf.date("date", required=True), tf.text("title", required=True)
        page = tf.integer("page", positive=True)
        if date is None or not title:
            return None
        return CorrectionTarget(line=item.line, date=date, title=title, page=page)
    if isinstance(item, str) and "/" in item:
        day, _, slug = item.strip().rpartition("/")
        date = as_date(day)
        if date is None or slug_problem(slug):
            f.diags.error(f.path, line, M.CORRECTS_NOT_DATE_SLUG(value=item))
            return None
        return CorrectionTarget(line=line, date=date, slug=slug)
    f.diags.error(f.path, line, M.CORRECTS_CANNOT_BE(value=shown(item)))
    return None


def _lines(lines: Mapping[Any, int]) -> dict[str, int]:
    """Each front-matter key's line, the keys interned: every article of an archive has the same
    few keys, which the build cache then stores once a row instead of once an article."""
    return {sys.intern(key) if isinstance(key, str) else key: line for key, line in lines.items()}


# Article's fields that have a plain default (a class attribute of the dataclass).
_DEFAULTS = MappingProxyType({f.name: f.default for f in dataclasses.fields(Article)
                             if f.default is not dataclasses.MISSING})


def _without_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ from Article's defaults: an article made from them
    (Article.from_record) reads the rest from its class. Most articles have no kicker, series,
    photo, areas…: half the entries of every record, in the cache and in memory, were defaults."""
    return {key: value for key, value in fields.items()
            if key not in _DEFAULTS or type(value) is not type(_DEFAULTS[key]) or value != _DEFAULTS[key]}
