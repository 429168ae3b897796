"""Edit mode of the preview: drawing an article's area on its printed page and saving it.

Everything here is the preview's own (edit.js and two JSON endpoints under /__epaper__/),
never part of the built site. A save writes `area:` as `epaper areas` does, through
epaper/pdf/frontmatter.py (replacing an old value where it stands); the watcher sees the
file change like any editor's save, and the rebuild reloads the page. Only this machine's
pages can save: the Host and Origin checks of the reload socket, and a token the preview
puts in the pages it serves, so a page of another site (or another local server) cannot.
Every refusal is JSON with a message for the editor, never a traceback."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from tornado.ioloop import IOLoop

from epaper.content.load import LoadedSite, load_site
from epaper.errors import Diagnostics
from epaper.model import Article, Page
from epaper.pdf.frontmatter import NotWritten, area_text, set_key, write_key
from epaper.serve.http import Handler, own_origin
from epaper.site.urls import output_file

if TYPE_CHECKING:  # only for annotations: server.py imports this module
    from epaper.serve.server import Preview

EDIT_JS_PATH = "/__epaper__/edit.js"
PAGE_PATH = "/__epaper__/page"
AREA_PATH = "/__epaper__/area"
TOKEN_HEADER = "X-Epaper-Token"
MAX_BODY = 64 * 1024  # a page's worth of boxes is a few hundred bytes
MAX_BOXES = 50

# The editor in the browser: a file of its own, read once, served from memory.
EDIT_JS = Path(__file__).with_name("edit.js").read_text(encoding="utf-8")


class Refused(Exception):
    """A request the editor is told no to: an HTTP status and the message shown."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Change:
    """One article's new area, as asked: its file and its boxes, rounded as `areas` writes them."""

    source: str
    boxes: tuple[tuple[float, float, float, float], ...]
    was: tuple[tuple[float, ...], ...] | None = None  # the boxes the editor started from, if said

    @property
    def value(self) -> str:
        return area_text([list(box) for box in self.boxes])


def new_token() -> str:
    return secrets.token_urlsafe(24)


def parse_box(value: Any) -> tuple[float, float, float, float]:
    """[x, y, w, h] in percent, rounded to two decimals, on the page; Refused(400) otherwise."""
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in value)):
        raise Refused(400, f"a box is [x, y, w, h]: four numbers in percent of the page, not {json.dumps(value)[:60]}")
    x, y, w, h = (round(float(n), 2) for n in value)
    written = area_text([[x, y, w, h]])
    if min(x, y) < 0 or max(x, y) > 100:
        raise Refused(400, f"the box {written} is not on the page: x and y must be between 0 and 100")
    if w <= 0 or h <= 0:
        raise Refused(400, f"the box {written} is not on the page: the width and height must be more than 0")
    if x + w > 100 + 1e-9 or y + h > 100 + 1e-9:
        raise Refused(400, f"the box {written} is not on the page: it goes past the page's right or bottom edge")
    return x, y, w, h


def rounded(box: Any) -> tuple[float, ...]:
    return tuple(round(float(n), 2) for n in box)


def parse_changes(body: bytes) -> list[Change]:
    """The request's {"changes": [{"source": PATH, "area": [[x, y, w, h], …], "was": [...]}, …]}; "was",
    the boxes the page showed (optional), keeps a save from undoing an edit made in the file meanwhile."""
    if len(body) > MAX_BODY:
        raise Refused(413, f"the request is bigger than {MAX_BODY // 1024} KB; save fewer areas at once")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, f"the request is not JSON ({exc})") from None
    changes = data.get("changes") if isinstance(data, dict) else None
    if not isinstance(changes, list) or not changes:
        raise Refused(400, 'the request names no change: send {"changes": [{"source": ..., "area": [...]}]}')
    result = []
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("source"), str) or not change["source"]:
            raise Refused(400, 'a change names no article file ("source")')
        source, area = change["source"], change.get("area")
        if isinstance(area, list) and len(area) == 4 and not any(isinstance(v, list) for v in area):
            area = [area]  # one box, written [x, y, w, h]
        if not isinstance(area, list) or not area:
            raise Refused(400, f"{source}: an area needs at least one box; to take an article's area away, "
                               "delete its area: line in the file")
        if len(area) > MAX_BOXES:
            raise Refused(400, f"{source}: {len(area)} boxes is more than an article is printed in")
        was = change.get("was")
        if was is not None and not (isinstance(was, list) and all(
                isinstance(box, list) and all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in box)
                for box in was)):
            raise Refused(400, f'{source}: "was" is the list of boxes the page showed, not {json.dumps(was)[:60]}')
        started = None if was is None else tuple(rounded(box) for box in was)
        result.append(Change(source, tuple(parse_box(box) for box in area), started))
    if len({c.source for c in result}) != len(result):
        raise Refused(400, "the request names one article twice")
    return result


def content_file(site: Path, source: str) -> Path:
    """The article file a change names, refused unless it is a Markdown file inside content/."""
    path = PurePosixPath(source)
    inside = (not path.is_absolute() and path.parts[:1] == ("content",) and ".." not in path.parts
              and "\\" not in source and "\0" not in source and path.suffix == ".md")
    target = site / Path(*path.parts) if inside else site
    root = os.path.realpath(site / "content")
    if not inside or not os.path.realpath(target).startswith(root + os.sep):
        raise Refused(403, f'"{source[:120]}" is not an article file in content/; only an article\'s area: '
                           "can be written from the preview")
    return target


def load(site: Path) -> LoadedSite:
    """The site as the build loads it (from its cache), or Refused when it does not load."""
    diags = Diagnostics()
    loaded = load_site(site, diags)
    if loaded is None:
        first = diags.errors[0] if diags.errors else "config.yaml cannot be read"
        raise Refused(409, f"the site does not load ({first}); fix that first")
    return loaded


def find_article(loaded: LoadedSite, source: str) -> tuple[Article, Page]:
    for edition in loaded.editions:
        for article in edition.articles:
            if article.source == source:
                page = next((p for p in edition.pages if p.number == article.page_number), None)
                if page is None:
                    raise Refused(409, f"{source} is on page {article.page_number}, which its edition "
                                       f"{edition.source} does not list")
                if not (page.scan or page.pdf):
                    raise Refused(409, f"{source} is on page {page.number}, which has no scan or PDF to draw on")
                return article, page
    raise Refused(404, f"{source} is not an article of this site (no edition folder lists it, or it does "
                       "not load: see the build's errors)")


def page_of(loaded: LoadedSite, file: str) -> dict[str, Any]:
    """The printed page served as FILE and its articles, drafts included, with their areas."""
    for edition in loaded.editions:
        for page in edition.pages:
            if output_file(page.url) == file:
                articles = sorted((a for a in edition.articles if a.page_number == page.number),
                                  key=lambda a: a.sort_key())
                return {"ok": True, "date": edition.date.isoformat(), "page": page.number,
                        "articles": [{"source": a.source, "slug": a.slug, "title": a.title, "draft": a.draft,
                                      "areas": [[b.x, b.y, b.w, b.h] for b in a.areas]} for a in articles]}
    raise Refused(404, f"no printed page of this site is served as {file[:120]}")


def save(preview: Preview, changes: list[Change]) -> list[dict[str, str]]:
    """Check every change, then write each article's area: (nothing is written if one is refused)."""
    site = preview.site
    targets = [content_file(site, c.source) for c in changes]
    loaded = load(site)
    for change in changes:
        article, _ = find_article(loaded, change.source)
        if article.jumps:  # writing its boxes here would drop those it has on other pages
            pages = ", ".join(str(n) for n in article.continued_on)
            raise Refused(409, f"{change.source}: its area: also lists boxes on page {pages}; the editor "
                               "would drop them, so change this article's area: in the file")
        now = tuple(rounded((b.x, b.y, b.w, b.h)) for b in article.areas)
        if change.was is not None and change.was != now:
            shown = area_text([list(b) for b in now]) if now else "none"
            raise Refused(409, f"{change.source}: its area: changed in the file since the page was loaded "
                               f"(it is now {shown}); reload the page and draw again")
    for change, target in zip(changes, targets, strict=True):  # every file can take its line: then write
        _write(change, target, dry_run=True)
    saved = []
    for change, target in zip(changes, targets, strict=True):
        _write(change, target)
        preview.log(f"{dt.datetime.now():%H:%M:%S} {change.source}: area: {change.value} (drawn in the preview)")
        saved.append({"source": change.source, "area": change.value})
    return saved


def _write(change: Change, target: Path, dry_run: bool = False) -> None:
    """Write the change's area: (dry run: only see that the file can take it), a failure as the
    editor's message."""
    try:
        if dry_run:
            set_key(target.read_bytes(), "area", change.value)
        else:
            write_key(target, "area", change.value, replace=True)
    except NotWritten as exc:
        raise Refused(409, f"{change.source}: area: {change.value} not written: the file {exc}") from None
    except OSError as exc:
        raise Refused(500, f"{change.source} cannot be written: {exc.strerror or exc}") from None


class EditHandler(Handler):
    """The endpoints' checks: this machine's Host, this server's Origin and the page's token."""

    def prepare(self) -> None:
        try:
            refusal = self.preview.refuse(self.request.headers.get("Host"))
            if refusal:
                raise Refused(*refusal)
            origin = self.request.headers.get("Origin")
            if (origin is not None or self.request.method == "POST") and not own_origin(self.preview, origin):
                raise Refused(403, f"epaper serve: refused a request from a page of {origin or 'no origin'}; "
                                   "only the preview's own pages can edit areas")
            token = self.request.headers.get(TOKEN_HEADER, "")
            if not secrets.compare_digest(token.encode(), self.preview.edit_token.encode()):
                raise Refused(403, "epaper serve: the request has not this preview's edit token; "
                                   "reload the page (was the preview restarted?)")
        except Refused as refused:
            self.deny(refused)

    def deny(self, refused: Refused) -> None:
        self.set_status(refused.status)
        self.reply({"ok": False, "error": refused.message})

    def reply(self, data: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.reply({"ok": False, "error": f"{status_code} {self._reason}"})


class PageHandler(EditHandler):
    """GET ?file=OUTPUT_FILE: the printed page's articles and their areas, for the editor's list."""

    async def get(self) -> None:
        file = self.get_query_argument("file", "")
        try:
            site = self.preview.site
            found = await IOLoop.current().run_in_executor(None, lambda: page_of(load(site), file))
        except Refused as refused:
            return self.deny(refused)
        self.reply(found)


class AreaHandler(EditHandler):
    """POST {"changes": [...]}: write each article's area: and say what was written."""

    async def post(self) -> None:
        try:
            kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                raise Refused(415, "send the areas as JSON (Content-Type: application/json)")
            changes = parse_changes(self.request.body)
            preview = self.preview
            saved = await IOLoop.current().run_in_executor(None, lambda: _locked_save(preview, changes))
        except Refused as refused:
            return self.deny(refused)
        self.reply({"ok": True, "saved": saved})


def _locked_save(preview: Preview, changes: list[Change]) -> list[dict[str, str]]:
    with preview.edit_lock:  # two saves at once: one after the other
        return save(preview, changes)


class EditScriptHandler(Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.finish(EDIT_JS)
