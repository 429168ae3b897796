"""Markdown to HTML: Python-Markdown with tables and footnotes, plus what Chinese
newspapers need (CJK line joining, the dateline in the first paragraph) and what a
public site needs (raw HTML escaped, script URLs dropped) unless the site opts out."""
from __future__ import annotations

import ctypes
import html
import os
import re
import threading
import time
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import ETX, STX, AtomicString

from epaper import catalogs, parallel
from epaper.themes import THEME_DOMAIN, catalog_folders

_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef\U00020000-\U0003134f"
)
# Punctuation Chinese text shares with Western text: joins only next to a CJK character.
_SHARED = "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
_MARK = r"[*_`~]*"  # Markdown emphasis markers may sit between the characters
_JOIN = re.compile(
    rf"(?:(?<=[{_CJK}])({_MARK})\n({_MARK})(?=[{_CJK}{_SHARED}])"
    rf"|(?<=[{_SHARED}])({_MARK})\n({_MARK})(?=[{_CJK}]))"
)
_SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TAG = re.compile(r"<[^>]*>")


def join_cjk_lines(text: str) -> str:
    """Drop a soft line break between two CJK characters (editors wrap long lines)."""
    return _JOIN.sub(lambda m: (m.group(1) or m.group(3) or "") + (m.group(2) or m.group(4) or ""), text)


class _CjkJoin(Treeprocessor):
    """Runs before inline parsing, on each block's raw text; code is left alone."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in ("pre", "code"):
                continue
            if element.text and "\n" in element.text and not isinstance(element.text, markdown.util.AtomicString):
                element.text = join_cjk_lines(element.text)


class _Dateline(Treeprocessor):
    """Prints the dateline (本报讯) at the start of the first paragraph, as papers do."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.dateline = ""

    def run(self, root: etree.Element) -> None:
        if not self.dateline:
            return
        span = etree.Element("span", {"class": "dateline"})
        span.text = self.dateline
        first = next((child for child in root if child.tag != FIGURE_TAG), None)
        if first is not None and first.tag == "p":
            span.tail = " " + (first.text or "")
            first.text = ""
            first.insert(0, span)
        else:
            paragraph = etree.Element("p")
            paragraph.append(span)
            root.insert(list(root).index(first) if first is not None else len(root), paragraph)


class _SafeUrls(Treeprocessor):
    """Removes javascript:, data: and other script-capable URLs from links and images."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is None:
                    continue
                match = _SCHEME.match(html.unescape(value).replace("\t", "").replace("\n", ""))
                if match and match.group(1).lower() not in _SAFE_SCHEMES:
                    element.set(attr, "#")


FIGURE_TAG = "epaper-figure"  # placeholders the render stage replaces with the sized image
_PLACEHOLDER = re.compile(r'<epaper-(figure|img) data-index="(\d+)"></epaper-\1>')


def is_local(src: str) -> bool:
    """An image file beside the article (not a URL, not a root-relative path)."""
    return bool(src) and not _SCHEME.match(src) and not src.startswith(("/", "#", "?"))


class _Figures(Treeprocessor):
    """Images beside the article become placeholders: their size and renditions depend on the
    image files, which the cached HTML of the article's bytes must not hold. A paragraph holding
    only an image becomes a <figure> (the alt text its caption, the title its credit)."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.found: list[tuple[str, str, str, bool]] = []

    def run(self, root: etree.Element) -> None:
        self.found = []
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag != "img" or not is_local(child.get("src", "")):
                    continue
                alone = (parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip()
                         and not (child.tail or "").strip())
                placeholder = etree.Element(FIGURE_TAG if alone else "epaper-img",
                                            {"data-index": str(len(self.found))})
                self.found.append((child.get("src", ""), child.get("alt", ""), child.get("title", ""), alone))
                placeholder.tail = child.tail
                parent.remove(child)
                parent.insert(index, placeholder)
        for parent in list(root.iter()):  # then lift each lone figure out of its paragraph
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and len(child) == 1 and child[0].tag == FIGURE_TAG:
                    figure = child[0]
                    figure.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, figure)


def fill_figures(html_text: str, figure: Callable[[int, bool], str]) -> str:
    """The article's HTML with each placeholder replaced by figure(index, block)."""
    return _PLACEHOLDER.sub(lambda m: figure(int(m.group(2)), m.group(1) == "figure"), html_text)


# What each inline pattern (Python-Markdown's and the footnotes extension's) needs in a text
# before it can match anything there.
_PATTERN_NEEDS = MappingProxyType({
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[",), "reference": ("[",), "link": ("[",),
    "image_link": ("[",), "image_reference": ("[",), "short_reference": ("[",), "short_image_ref": ("[",),
    "autolink": ("<",), "automail": ("<",), "linebreak": ("  \n",), "html": ("<",), "entity": ("&",),
    "not_strong": ("*", "_"), "em_strong": ("*",), "em_strong2": ("_",),
})


class _PlainTextFirst(InlineProcessor):
    """Python-Markdown's inline step, told first which texts no pattern can match: most
    paragraphs of a Chinese article hold no Markdown syntax, and trying its sixteen patterns on
    each of them, one after another, was half of the Markdown time. Such a text is passed over
    as an AtomicString (the inline step's own way to leave a text alone) and is a plain
    string again after. A pattern this table does not know turns the shortcut off."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        patterns = self.md.inlinePatterns
        names = [name for name in _PATTERN_NEEDS if name in patterns]
        if len(names) != len(patterns):  # one it does not know
            return super().run(tree, ancestors)
        needs = {STX, ETX, *(need for name in names for need in _PATTERN_NEEDS[name])}
        syntax = re.compile("|".join(re.escape(need) for need in sorted(needs)))
        passed: list[tuple[etree.Element, str]] = []
        for element in tree.iter():
            for part in ("text", "tail"):
                value = getattr(element, part)
                if value and type(value) is str and not syntax.search(value):
                    setattr(element, part, AtomicString(value))
                    passed.append((element, part))
        try:
            return super().run(tree, ancestors)
        finally:
            for element, part in passed:
                value = getattr(element, part)
                if isinstance(value, AtomicString):
                    setattr(element, part, str(value))


# The block processors Python-Markdown runs (with tables and footnotes) before it takes a block
# as a paragraph, and what a block needs for any of them to take it: a line starting (after up to
# three spaces) with # = - _ * + > or [ (headers, rules, lists, quotes, footnote and link
# definitions), a | (tables), a first line indented or numbered "1." (code, lists), an empty start.
_BLOCKS_BEFORE_PARAGRAPH = ("empty", "indent", "code", "table", "hashheader", "setextheader", "hr", "olist",
                            "ulist", "quote", "footnote", "reference")
_NOT_PLAIN_START = re.compile(r"[ \n]|[ ]{0,3}(?:\d+\.|[#=\-_*+>\[])")  # matched at the block's start
_NOT_PLAIN_LINE = re.compile(r"\n[ ]{0,3}[#=\-_*+>\[]")  # searched: a literal first, found at C speed


class _PlainParagraph(BlockProcessor):
    """Python-Markdown's paragraph, told first: a block that none of the processors before the
    paragraph can take is a paragraph, and asking each of them in turn (twelve, two of which
    search the block for a definition and put it back) was a third of a Chinese article's
    Markdown time. A processor this list does not know (an extension) turns the shortcut off."""

    def __init__(self, parser: BlockParser) -> None:
        super().__init__(parser)
        self.known: bool | None = None  # whether the processors are those _BLOCKS_BEFORE_PARAGRAPH names

    def test(self, parent: etree.Element, block: str) -> bool:
        if self.known is None:
            processors = self.parser.blockprocessors
            names = ["plain_paragraph", *_BLOCKS_BEFORE_PARAGRAPH, "paragraph"]
            self.known = len(processors) == len(names) and all(
                name in processors and processors.get_index_for_name(name) == i for i, name in enumerate(names))
        return (self.known and bool(block) and "|" not in block and _NOT_PLAIN_START.match(block) is None
                and _NOT_PLAIN_LINE.search(block) is None)

    def run(self, parent: etree.Element, blocks: list[str]) -> bool | None:
        return self.parser.blockprocessors["paragraph"].run(parent, blocks)


class _NewspaperExtension(Extension):
    def __init__(self, unsafe_html: bool) -> None:
        super().__init__()
        self.unsafe_html = unsafe_html

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - API name
        # Priority 25: after block parsing, before 'inline' (20) turns text into elements.
        md.treeprocessors.register(_CjkJoin(md), "cjk_join", 25)
        md.treeprocessors.register(_Figures(md), "figures", 15)  # after 'inline' made the <img>s
        md.treeprocessors.register(_Dateline(md), "dateline", 5)
        md.treeprocessors.register(_PlainTextFirst(md), "inline", 20)  # in place of Python-Markdown's own
        md.parser.blockprocessors.register(_PlainParagraph(md.parser), "plain_paragraph", 110)  # before them all
        if not self.unsafe_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.treeprocessors.register(_SafeUrls(md), "safe_urls", 4)


TIME_LIMIT = 10.0  # seconds one article's Markdown may take; a normal one takes milliseconds


class MarkdownTooSlow(Exception):
    """An article's Markdown took longer than TIME_LIMIT (Python-Markdown is quadratic in some
    inputs: 50,000 "[" would stall a build, and `serve`, for many minutes)."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"rendering it took more than {limit:g} seconds (thousands of \"[\" or links in one "
                         "paragraph?); split it into paragraphs or remove the stray brackets")


class _Interrupt(BaseException):
    """Raised inside the rendering thread by the watchdog; a BaseException, so no library
    code's `except Exception` swallows it."""


class _Watchdog:
    """One thread per process that interrupts renderings past their deadline: a signal would
    work only in the main thread, but `serve` renders in another one. The interrupt is an
    exception set asynchronously in the rendering thread, so pure-Python code stops at once."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked worker: no thread, maybe a held lock

    def _reset(self) -> None:
        self.lock = threading.Lock()
        self.deadlines: dict[int, float] = {}  # thread id -> monotonic deadline
        self.fired: set[int] = set()
        self.started = False

    def _start(self) -> None:
        if not self.started:
            self.started = True
            # Fork-safe: a forked worker starts without it and resets this state (see __init__).
            parallel.mark_fork_safe(threading.Thread(target=self._run, name="epaper-markdown-watchdog",
                                                     daemon=True)).start()

    def _run(self) -> None:
        while True:
            time.sleep(0.05)
            now = time.monotonic()
            with self.lock:
                for ident, deadline in list(self.deadlines.items()):
                    if deadline <= now:
                        del self.deadlines[ident]
                        self.fired.add(ident)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                                   ctypes.py_object(_Interrupt))

    @contextmanager
    def limit(self, seconds: float) -> Iterator[None]:
        ident = threading.get_ident()
        with self.lock:
            self._start()
            self.deadlines[ident] = time.monotonic() + seconds
        try:
            yield
        finally:
            with self.lock:
                self.deadlines.pop(ident, None)
                if ident in self.fired:  # fired as the rendering ended: drop it if not yet raised
                    self.fired.discard(ident)
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)


_WATCHDOG = _Watchdog()


def footnote_backlink(language: str, site: Path) -> str:
    """The title of a footnote's link back to the text, `{}` for its number, in the paper's
    language: a theme word like the layouts', from the same catalogs (a site's own first)."""
    # A site catalog with mistakes is left out here: the render stage names them with PATH:LINE.
    folders = [f for f in catalog_folders(site)
               if not any(catalogs.mistakes(po) for po in catalogs.catalog_files(language, THEME_DOMAIN, [f]))]
    translations = catalogs.load(language, THEME_DOMAIN, folders)
    text = str(translations.gettext("Back to the text of note %(n)s"))
    return text.replace("{", "{{").replace("}", "}}") % {"n": "{}"}


class MarkdownRenderer:
    """One reusable Markdown instance per build: creating one per article is slow."""

    def __init__(self, unsafe_html: bool = False, backlink: str = "Back to the text of note {}") -> None:
        self._options = (unsafe_html, backlink)
        self._md: markdown.Markdown | None = None
        self._make()

    def _make(self) -> None:
        unsafe_html, backlink = self._options
        self._md = markdown.Markdown(
            extensions=["tables", "footnotes", _NewspaperExtension(unsafe_html)],
            extension_configs={"footnotes": {"BACKLINK_TITLE": backlink}},
            output_format="html",
        )
        self._dateline: _Dateline = self._md.treeprocessors["dateline"]  # type: ignore[assignment]
        self._figures: _Figures = self._md.treeprocessors["figures"]  # type: ignore[assignment]

    def convert(self, text: str, dateline: str = "") -> str:
        """The body's HTML; MarkdownTooSlow past TIME_LIMIT seconds."""
        assert self._md is not None
        self._md.reset()
        self._dateline.dateline = dateline
        try:
            with _WATCHDOG.limit(TIME_LIMIT):
                return self._md.convert(text)
        except _Interrupt:
            self._make()  # the interrupted instance may be half-way through its state
            raise MarkdownTooSlow(TIME_LIMIT) from None

    @property
    def figures(self) -> list[tuple[str, str, str, bool]]:
        """(src, alt, title, alone in its paragraph) of each local image of the last conversion."""
        return list(self._figures.found)


def summary_of(html_text: str, limit: int = 120) -> str:
    """Plain text of the first paragraph, cut at `limit` characters with an ellipsis."""
    match = re.search(r"<p>(.*?)</p>", html_text, re.S)
    text = html.unescape(_TAG.sub("", match.group(1) if match else html_text))
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
