"""Render stage helper: an included layout's HTML kept while the pages render, when it reads
nothing but what its key holds. The masthead is the same on every page of an edition (its date,
number and page count, the site's sections), yet it was rendered again on each of them: a
tenth of an article page's time, over a second of CPU in a cold build of 10,000 articles.

A layout is kept when it can only depend on the variables it names: it imports, extends and
defines nothing (no blocks or macros, no `self`), includes only layouts like it (by name: their
variables are then its own), changes nothing ({% do %}, append() and the like) and uses no
global, filter or function that reads more than its arguments (`list_items()` reads the whole
page, `body` the bodies being rendered, `random` is random; named anywhere, as map("random")).
Its key is then the value of each variable it names, globals included (a page's variable may
hide one; `_` reads `gettext`), as the page's context has it: text, whole numbers and truth
values as they are, other plain values by their repr (0.0 and -0.0, one moment in two zones),
the site's model (an edition, a page, an article: frozen, never changed by a layout) as itself,
a global by name when it is the global. Anything else (a list, a namespace, the loop) renders
the layout as usual. A layout whose keys never repeat (an article's list item) is soon rendered
as usual too. Same input, same bytes: what is kept is exactly what rendering it again would give."""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from types import CodeType
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.runtime import Context, missing
from jinja2.utils import concat
from markupsafe import Markup

from epaper.model import (
    Area,
    Article,
    CorrectionTarget,
    Download,
    Edition,
    Figure,
    Page,
    PageEntry,
    Picture,
    Rendition,
    Section,
)

# Globals and filters that read more than their arguments, or are random.
IMPURE = frozenset({"list_items", "body", "random", "lipsum"})
_STRUCTURE = (nodes.Extends, nodes.Block, nodes.Macro, nodes.CallBlock, nodes.Import, nodes.FromImport)
_EXACT = frozenset({str, Markup, int, bool, type(None)})  # equal values render the same
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime, dt.time)
# The site's model as the build resolved it: frozen, shared by every page, never changed by a layout.
MODEL = (Edition, Page, Article, Section, PageEntry, Picture, Rendition, Download, Figure, Area, CorrectionTarget)
# Methods that change what they are called on: a layout calling one is not kept.
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "add",
                       "discard", "sort", "reverse", "popitem", "__setitem__", "__delitem__"})
KEPT = 128  # renderings kept per process (an edition's pages render one after the other)
TRIAL = 200  # lookups after which a layout whose keys rarely repeat is rendered as usual
MIN_HITS = 0.1  # the share of those that must have been found


class IncludeMemo:
    """The kept renderings of one Jinja environment's included layouts (a forked worker has its own copy)."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment
        self.kept: OrderedDict[tuple[Any, ...], tuple[str, dict[str, Any], tuple[Any, ...]]] = OrderedDict()

    def names(self, name: str | None, within: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
        """The variables a layout reads, sorted, when it can be kept; else None. What it includes
        by name is read too: those layouts' variables are its own."""
        loader = self.environment.loader
        if name is None or loader is None or name in within:  # an include of itself
            return None
        try:
            source, filename, _ = loader.get_source(self.environment, name)
            ast = self.environment.parse(source, name=name, filename=filename)
        except (jinja2.TemplateError, OSError):
            return None
        if any(True for _ in ast.find_all(_STRUCTURE)) or _changes_something(ast):
            return None
        loaded = {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
        if "self" in loaded:  # the blocks of whatever extends it: no variable names them
            return None
        # Jinja's undeclared variables leave the globals out; a page's variable may hide one.
        wanted = set(meta.find_undeclared_variables(ast)) | (loaded & self.environment.globals.keys())
        if "_" in wanted:
            wanted.add("gettext")  # `_` calls whatever `gettext` is where it is called
        named = {n.name for n in ast.find_all(nodes.Filter)} | {n.name for n in ast.find_all(nodes.Test)}
        named |= {n.value for n in ast.find_all(nodes.Const) if isinstance(n.value, str)}  # map("random")
        if (named | wanted) & IMPURE:
            return None
        for include in ast.find_all(nodes.Include):
            if not (isinstance(include.template, nodes.Const) and isinstance(include.template.value, str)
                    and include.with_context):
                return None
            included = self.names(include.template.value, within | {name})
            if included is None:
                return None
            wanted.update(included)
        return tuple(sorted(wanted))

    def wrap(self, template: jinja2.Template) -> None:
        """Have `template` kept between renderings, if it can be."""
        names = self.names(template.name)
        if names is not None:
            template.root_render_func = _Kept(self, template.name or "", names, template.root_render_func)


class _Kept:
    """A layout's render function (`root_render_func`), looking in the memo first."""

    def __init__(self, memo: IncludeMemo, name: str, names: tuple[str, ...],
                 render: Callable[[Context], Iterator[str]]) -> None:
        self.memo, self.name, self.names, self.render = memo, name, names, render
        self.globals = memo.environment.globals
        self.lookups = self.hits = 0
        self.on = True

    def key(self, context: Context) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        """(the key, the objects it names by identity) or None: a value it cannot hold."""
        parts: list[Any] = [self.name]
        pinned: list[Any] = []
        globals_ = self.globals
        for name in self.names:
            value = context.resolve_or_missing(name)
            if value is missing:
                parts.append(missing)
            elif name in globals_ and value is globals_[name]:
                parts.append(name)
            elif type(value) in _EXACT:
                parts.append((type(value), value))  # True and 1 are equal, their renderings not
            elif isinstance(value, _PLAIN):
                parts.append((type(value), repr(value)))  # 0.0 == -0.0; a moment in two zones
            elif isinstance(value, MODEL):
                parts.append(id(value))
                pinned.append(value)  # its id stays its own while kept
            else:
                return None
        return tuple(parts), tuple(pinned)

    def __call__(self, context: Context) -> Iterator[str]:
        found = self.key(context) if self.on else None
        if found is None:
            yield from self.render(context)
            return
        key, pinned = found
        kept = self.memo.kept
        self.lookups += 1
        hit = kept.get(key)
        if hit is not None:
            self.hits += 1
            kept.move_to_end(key)
            html, exported, _ = hit
            _export(context, exported)
            yield html
            return
        if self.lookups >= TRIAL and self.hits < MIN_HITS * self.lookups:
            self.on = False  # its keys rarely repeat: the lookups cost more than they save
        html = concat(self.render(context))
        exported = {name: context.vars[name] for name in context.exported_vars}
        if all(isinstance(value, _PLAIN) for value in exported.values()):
            kept[key] = (html, exported, pinned)
            if len(kept) > KEPT:
                kept.popitem(last=False)
        yield html


def _changes_something(ast: nodes.Template) -> bool:
    """Whether a layout may change an object ({% do %}, a call of append() or the like): kept, it
    would change it once where rendering it again would each time."""
    return any(True for _ in ast.find_all(nodes.ExprStmt)) or any(
        isinstance(call.node, nodes.Getattr) and call.node.attr in _MUTATORS for call in ast.find_all(nodes.Call))


def _export(context: Context, exported: dict[str, Any]) -> None:
    """What the layout's top-level {% set %} left in its context, as rendering it would."""
    if exported:
        context.vars.update(exported)
        context.exported_vars.update(exported)


class KeptTemplate(jinja2.Template):
    """Jinja's Template, its render function looking in the environment's memo (`include_memo`)
    when the layout can be kept."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        memo: IncludeMemo | None = getattr(environment, "include_memo", None)
        if memo is not None:
            memo.wrap(template)
        return template
