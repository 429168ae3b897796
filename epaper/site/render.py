"""Render stage: a page's Job through its Jinja2 template (one per page type).

The site's layouts/ override the default theme's file by file. A page's render
key covers everything it is made from (its sources' hashes, its templates'
hashes, the settings and epaper's own code), so an unchanged key means the live
page is still right."""
from __future__ import annotations

import hashlib
import traceback
import types
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.runtime import Context, missing
from markupsafe import Markup

from epaper import catalogs
from epaper import messages as M
from epaper.content.markup import fill_figures
from epaper.errors import Text
from epaper.model import Article, Picture, SiteData
from epaper.output.cache import FragmentStore, RenderMemory, code_fingerprint, digest
from epaper.site.i18n import Locale, install_quick_gettext
from epaper.site.jobs import Job
from epaper.site.pages import Sources
from epaper.site.partials import IncludeMemo, KeptTemplate
from epaper.site.qr import qr_svg
from epaper.site.structured import edition_moment, json_for_script, news_article
from epaper.site.urls import SitePaths, feed_path, nav_url
from epaper.themes import THEME_DIR, THEME_DOMAIN, catalog_folders

_PLAIN_CALLABLES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)


class _Environment(jinja2.Environment):
    """Jinja's Environment, a template's globals one plain dict. Jinja lays them over the
    environment's in a ChainMap, so that globals changed after a template is loaded still show;
    but each context made (every include and import) copies them, and each import asks which of
    them the page has that the imported layout lacks: a ChainMap answers in Python. The renderer
    sets every global before it loads a template, never after (as Jinja advises)."""

    include_memo: IncludeMemo | None = None

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class _Context(Context):
    """Jinja's Context, calling a layout's plain functions (`url()`, `asset()`, `qr_svg()`...) directly.
    Jinja's own `call` asks each callee, every time, whether it wants the context, the eval
    context or the environment passed (four attribute lookups, two of them failing): with about
    a hundred calls a page, a tenth of a page's render. A function or method marked to want one
    (jinja2.pass_context..., as `_()` and `gettext()` are), a macro or a class goes through
    Jinja's `call` as before."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's names)
        quick = getattr(__obj, "epaper_gettext", None)  # `_()` and `gettext()` (i18n.install_quick_gettext)
        if quick is not None and __self._quick_gettext(__obj, quick, kwargs):
            return quick(__self, *args, **kwargs)
        if type(__obj) in _PLAIN_CALLABLES and getattr(__obj, "jinja_pass_arg", None) is None:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja's call: a StopIteration must not end a loop of the layout's
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)

    def _quick_gettext(__self, __obj: Callable[..., Any], quick: Callable[..., Any],  # noqa: N805
                       kwargs: dict[str, Any]) -> bool:
        """Whether calling `__obj` comes to calling `quick` with this context: the quick gettext
        reads nothing of its context but whether it autoescapes, and `_` calls whatever `gettext`
        is where it is called. Jinja's call would first make a context with the loop's and the
        block's variables (a loop's `_()` made one each time): looked up here instead, as that
        context would resolve `gettext` (the block's variables over the loop's over the page's).
        False (and the variables left for Jinja's call) when `gettext` is another function there."""
        if __obj is not quick:
            current = kwargs.get("_block_vars", {}).get("gettext", missing)
            if current is missing:
                current = kwargs.get("_loop_vars", {}).get("gettext", missing)
            if current is missing:
                current = __self.resolve_or_missing("gettext")
            if current is not quick:
                return False
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        return True


def _pct(value: float) -> str:
    """A percentage for CSS, short and the same on every machine: 12.5%, 33.333%."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def filesize(size: int) -> str:
    """A download's size as readers read it: 12 KB (at least 1), 1.5 MB."""
    if size < 1048576:
        return f"{max(1, round(size / 1024))} KB"
    return f"{round(size / 1048576, 1)} MB"


def catalog_mistake(mistake: catalogs.Mistake) -> Text:
    """What an editor reads about a site catalog that would break its pages."""
    if mistake.kind == "unreadable":
        return M.CATALOG_UNREADABLE(line=repr(mistake.text))
    return M.CATALOG_MISFIT(msgid=mistake.text, detail=mistake.detail, names=", ".join(mistake.names) or "-")


class TemplateProblem(Exception):
    """A layout failed; carries PATH:LINE for the editor or designer."""

    def __init__(self, path: str, line: int, text: Text) -> None:
        super().__init__(path, line, text)  # all three, so it survives pickling from a worker
        self.path, self.line, self.text = path, line, text


class Renderer:
    """Holds the Jinja2 environment of one site: its layouts/ over the default theme's."""

    def __init__(self, root: Path, site: SiteData, theme: Path = THEME_DIR,
                 memory: RenderMemory | None = None, assets: dict[str, str] | None = None,
                 listed: Sources | None = None) -> None:
        self.root = root
        self.config = site.config
        self.dirs = [root / "layouts", theme / "layouts"]
        self.catalogs = catalog_folders(root, theme)  # the theme's words in the paper's language
        for po in catalogs.catalog_files(self.config.language, THEME_DOMAIN, self.catalogs[:1]):  # the site's
            for mistake in catalogs.mistakes(po):
                raise TemplateProblem(self.shown(str(po)), mistake.line, catalog_mistake(mistake))
        translations = catalogs.load(self.config.language, THEME_DOMAIN, self.catalogs)
        self.locale = Locale(self.config.language, memory.dates if memory else None, translations)
        if memory:
            memory.bytecode.mkdir(parents=True, exist_ok=True)
        self.env = _Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(memory.bytecode)) if memory else None,
            # One renderer a build: a template is read once, not stat-ed again at each include of
            # each page (44,000 stat calls for 3,000 pages, a twentieth of a cold build's CPU).
            auto_reload=False,
            cache_size=-1,  # a plain dict of the layouts (a few dozen): no LRU list kept at each include
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],  # do: lists of links joined by `names`
        )
        self.env.context_class = _Context
        self.env.template_class = KeptTemplate  # included layouts that read little kept between pages (partials.py)
        self.env.include_memo = IncludeMemo(self.env)
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        install_quick_gettext(self.env, translations)
        self.bodies: dict[str, str] = {}  # article digest -> its Markdown HTML, for the pages being rendered
        # template hash -> templates it uses
        self.references: dict[str, list[str]] = memory.references if memory else {}
        self.env.globals.update(
            site=self.config, url=self.url, abs_url=self.abs_url, page_label=self.locale.page, locale=self.locale,
            moment=self.moment, feed_path=feed_path, asset=self.asset, paths=SitePaths(), qr_svg=qr_svg,
            list_items=self.list_items,
        )
        self.env.filters.update(date=self.locale.date, short_date=self.locale.short_date, jsonld=self.jsonld,
                                body=self.body, srcset=self.srcset, pct=_pct, filesize=filesize,
                                names=self.locale.names)
        self._layouts: dict[str, dict[str, str]] = {}
        self.assets = assets  # static path -> its fingerprinted output path (None: names as they are)
        # The catalogs' bytes too: an edited .po re-renders every page that shows its words.
        words = [f"{self.shown(str(po))}={digest(po.read_bytes())}"  # where epaper is installed changes nothing
                 for po in catalogs.catalog_files(self.config.language, THEME_DOMAIN, self.catalogs)]
        settings = f"{code_fingerprint()} {self.config!r} {sorted((assets or {}).items())!r} {words!r}"
        self.settings = hashlib.blake2b(settings.encode(), digest_size=16).hexdigest()
        # An article in a list shows its fields, never its body: its token is their hash (Article.shown),
        # and only the pages showing its body (Job.needs_html) have its bytes' hash too (key()).
        self.digests = {a.source: a.shown for e in site.editions for a in e.articles}
        self.digests.update({e.source: e.digest for e in site.editions})
        self.digests.update(site.media)  # scans, photos and PDFs: a changed image re-renders its pages
        self._tokens = _Tokens(self.digests, site.unloaded)
        self._layout_tokens: dict[str, str] = {}
        self.fragments: FragmentStore | None = memory.fragments if memory else None
        self._list_sources = listed if listed is not None else Sources()  # an article's files as lists show it
        self._inputs: dict[str, list[str] | None] = {}  # list item template -> the variables it reads

    def url(self, rel: str) -> str:
        """Root-relative, with base_url's path: works at any depth, 404.html included."""
        return self.config.base_path + rel

    def abs_url(self, rel: str) -> str:
        return self.config.base_url + rel

    def asset(self, rel: str) -> str:
        """The URL of a static file by its name in static/: fingerprinted for CSS and JS."""
        if self.assets is None:
            return self.url(rel)
        if rel not in self.assets:
            raise KeyError(f"asset('{rel}'): no such file in static/ or the theme's static/")
        return self.url(self.assets[rel])

    def moment(self, article: Article) -> str:
        """An article's publication moment: its edition's 00:00 in the site's timezone."""
        assert article.edition is not None
        return edition_moment(article.edition, self.config).isoformat()

    def jsonld(self, article: Article) -> Markup:
        """NewsArticle JSON-LD, escaped so no title can close the <script> block."""
        return Markup(json_for_script(news_article(article, self.config, self.abs_url)))

    def body(self, article: Article, figure: Callable[..., str]) -> Markup:
        """The article's HTML with its images in place, each through the layout's `figure` macro
        (the cached HTML holds placeholders: sizes and renditions depend on the image files)."""

        def one(index: int, block: bool) -> str:
            if index >= len(article.figures):
                return ""
            item = article.figures[index]
            picture = article.pictures.get(item.src)
            return "" if picture is None else str(figure(picture, item.caption, item.credit, block=block))

        return Markup(fill_figures(self.bodies.get(article.digest, ""), one))

    def srcset(self, picture: Picture) -> str:
        """'URL 800w, URL 1600w': every rendition of a picture, narrowest first."""
        return ", ".join(f"{self.url(r.path)} {r.width}w" for r in picture.renditions)

    # ------------------------------------------------------------ templates

    def shown(self, filename: str | None) -> str:
        """A template's path as an editor finds it: relative to the site or the package."""
        if not filename:
            return "layouts"
        path = Path(filename).resolve()
        for base in (self.root.resolve(), THEME_DIR.parent.parent.resolve()):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def layouts_of(self, name: str) -> dict[str, str]:
        """The template and everything it extends or includes: shown path -> content hash."""
        if name not in self._layouts:
            found: dict[str, str] = {}
            pending = [name]
            try:
                while pending:
                    current = pending.pop()
                    optional = current.startswith("?")  # {% include "…" ignore missing %}
                    current = current.removeprefix("?")
                    try:
                        source, filename, _ = self.env.loader.get_source(self.env, current)  # type: ignore[union-attr]
                    except jinja2.TemplateNotFound:
                        if not optional:
                            raise
                        found[f"(none) {current}"] = ""  # a site adding it later re-renders its pages
                        continue
                    shown = self.shown(filename)
                    if shown in found:
                        continue
                    sha = found[shown] = digest(source.encode("utf-8"))
                    if sha not in self.references:
                        ast = self.env.parse(source, name=current, filename=filename)
                        wanted_if_there = {n.template.value for n in ast.find_all(jinja2.nodes.Include)
                                           if n.ignore_missing and isinstance(n.template, jinja2.nodes.Const)}
                        self.references[sha] = [f"?{t}" if t in wanted_if_there else t
                                                for t in meta.find_referenced_templates(ast) if t]
                        self.references[sha] += _list_item_templates(ast)
                    pending.extend(self.references[sha])
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateProblem(self.shown(exc.filename), exc.lineno or 1,
                                      M.TEMPLATE_SYNTAX(detail=exc.message or "")) from exc
            except jinja2.TemplateNotFound as exc:
                raise TemplateProblem("layouts", 1, M.TEMPLATE_NOT_FOUND(name=str(exc.name))) from exc
            self._layouts[name] = found
        return self._layouts[name]

    @jinja2.pass_context
    def list_items(self, context: Context, name: str, articles: Iterable[Article], **flags: object) -> Markup:
        """`{% for item in articles %}{% include name %}{% endfor %}`, with `flags` as variables
        of each item too, as the includes would render it. When the template reads nothing else
        than these, the site's settings and the layouts' globals, each item's HTML is kept
        between builds under a key of what it is made from: a new edition shifts every index
        page of the archive by its articles, so they all render again, and the twenty items on
        each, two thirds of an index page's time, are ones an earlier build rendered."""
        template = self.env.get_template(name)
        listed = list(articles)
        store = self.fragments
        keys, group = self._list_keys(context, name, listed, flags) if store is not None else ([None] * len(listed), "")
        kept = store.get_many([key for key in keys if key is not None]) if store is not None else {}
        parts = []
        for article, key in zip(listed, keys, strict=True):
            html = kept.get(key) if key is not None else None
            if html is None:
                variables = {**flags, "item": article}
                html = "".join(template.root_render_func(template.new_context(context.get_all(), True, variables)))
                if key is not None and store is not None:
                    store.put(key, html, digest(f"{group}\0{article.source}".encode()))
            parts.append(html)
        return Markup("".join(parts))

    def _list_keys(self, context: Context, name: str, articles: list[Article],
                   flags: dict[str, object]) -> tuple[list[str | None], str]:
        """Each list item's key: everything it is made from (what the plan says an article in a
        list is made from, pages.Sources), hashed. None when the template reads more than its
        article, plain values and globals (a site's layout may): then it is rendered each time.
        And what the items are items of but their articles (the store's group of an item, with its
        article's file): the settings and layouts too, so that builds of other settings sharing
        the cache (a preview's base_url) keep theirs; older settings' rows are the oldest anyway."""
        if name not in self._inputs:
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            ast = self.env.parse(source, name=name, filename=filename)
            self._inputs[name] = (None if list(meta.find_referenced_templates(ast)) or _list_item_templates(ast)
                                  else sorted(meta.find_undeclared_variables(ast)))  # globals left out
        names = self._inputs[name]
        unkept: tuple[list[str | None], str] = ([None] * len(articles), "")
        if names is None or any(context.resolve_or_missing(global_) is not value  # a page's variable hides it
                                for global_, value in self.env.globals.items()):
            return unkept
        parts = [f"{self.settings}\0{name}\0{self._layout_token(name)}"]
        for var in names:
            if var == "item":
                continue
            value = flags[var] if var in flags else context.resolve_or_missing(var)
            if value is jinja2.runtime.missing:
                parts.append(f"{var}-")
            elif value is None or type(value) in (bool, int, str):
                parts.append(f"{var}={value!r}")
            else:
                return unkept
        common = "\0".join(parts)
        group = common
        if "item" not in names:  # the same for every article
            return [hashlib.blake2b(common.encode(), digest_size=16).hexdigest()] * len(articles), group
        tokens, made_from, made_from_known = self._tokens, self._list_sources.of, self._list_sources.known
        keys: list[str | None] = []
        for article in articles:
            if not made_from_known(article) and (not isinstance(article, Article) or article.edition is None):
                # not one of the site's (those added.py lists without loading them are known)
                keys.append(None)
                continue
            item = "".join(map(tokens.__getitem__, made_from(article)))  # sorted already
            keys.append(hashlib.blake2b(f"{common}\0item:{item}".encode(), digest_size=16).hexdigest())
        return keys, group

    def key(self, job: Job) -> str:
        """Everything the page is made from, hashed: same key, same bytes. (150,000 pages at
        100,000 articles: each part is a string at hand, the layouts' as one hash of them.)"""
        layouts = self._layout_tokens.get(job.template) or self._layout_token(job.template)
        parts = [self.settings, "\0", job.path, "\0", job.template, "\0", job.extra, "\0", layouts]
        parts += map(self._tokens.__getitem__, job.sources)  # sorted already (Job)
        if job.needs_html:
            parts += [f"{a.source}#body={a.digest}\0" for a in job.needs_html]
        return hashlib.blake2b("".join(parts).encode(), digest_size=16).hexdigest()

    def _layout_token(self, template: str) -> str:
        """The template and everything it uses, each file with its hash, hashed."""
        if template not in self._layout_tokens:
            files = "".join(f"{p}={h}\0" for p, h in sorted(self.layouts_of(template).items()))
            self._layout_tokens[template] = hashlib.blake2b(files.encode(), digest_size=16).hexdigest()
        return self._layout_tokens[template]

    def render(self, job: Job) -> bytes:
        context = dict(job.context)
        canonical = context.pop("canonical_url", None)
        rel_url = job.path[: -len("index.html")] if job.path.endswith("index.html") else job.path
        context.setdefault("canonical", self.abs_url(canonical if canonical is not None else rel_url))
        context.setdefault("current_url", rel_url)
        # What the masthead marks, and so part of its key (partials.py), where current_url is every page's own.
        context.setdefault("nav_url", nav_url(rel_url))
        try:
            html = self.env.get_template(job.template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(self.shown(exc.filename), exc.lineno or 1,
                                  M.TEMPLATE_SYNTAX(detail=exc.message or "")) from exc
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem("layouts", 1, M.TEMPLATE_NOT_FOUND(name=str(exc.name))) from exc
        except Exception as exc:  # an error raised while a layout runs
            filename, line = self._template_frame(exc)
            raise TemplateProblem(filename, line, M.TEMPLATE_FAILED(url=rel_url, detail=str(exc))) from exc
        return html.encode("utf-8")

    def _template_frame(self, exc: BaseException) -> tuple[str, int]:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if any(frame.filename.startswith(str(d)) for d in self.dirs):
                return self.shown(frame.filename), frame.lineno or 1
        return "layouts", 1


class _Tokens(dict[str, str]):
    """A source's part of a render key, `SOURCE=HASH\0`, made the first time it is wanted."""

    def __init__(self, digests: dict[str, str], unloaded: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.digests = digests
        self.unloaded = unloaded  # SiteData.unloaded

    def __missing__(self, source: str) -> str:
        found = self.digests.get(source)
        if found is None:
            found = self.unloaded.get(source, "") if self.unloaded is not None else ""
        token = self[source] = f"{source}={found}\0"
        return token


def _list_item_templates(ast: jinja2.nodes.Template) -> list[str]:
    """The templates a layout renders through `list_items("NAME", …)`: its page depends on them."""
    return [call.args[0].value for call in ast.find_all(jinja2.nodes.Call)
            if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "list_items"
            and call.args and isinstance(call.args[0], jinja2.nodes.Const) and isinstance(call.args[0].value, str)]
