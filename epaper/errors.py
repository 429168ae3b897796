"""Diagnostics for people: every problem is one `PATH:LINE: message [ID]` line.

The build collects all of them before stopping, so an editor fixes a whole
evening's mistakes in one pass instead of one per run.

A diagnostic keeps its message id and arguments, not its text: the text is made when it is
shown, in the editor's language (the `messages` gettext catalog, msgctxt = the id, msgid = the
English template), so one build's diagnostics print in Chinese for a Chinese paper and in English
with `--messages en`. Every message is declared once, in epaper/messages.py.
"""
from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from gettext import NullTranslations
from typing import Union

from epaper import catalogs

Arg = Union[str, int, "Text"]
Plain = tuple | list  # a Text as marshal-able nested tuples (the build record keeps warnings so)


@dataclass(frozen=True)
class Message:
    """One kind of diagnostic (or a part of one): a stable id and its English template with
    {named} fields. Called with the fields' values it gives the Text to report."""

    id: str
    template: str
    section: str = ""  # the docs/errors.md heading it is listed under

    def __call__(self, **args: Arg) -> Text:
        return Text(self.id, self.template, tuple(sorted(args.items())))


@dataclass(frozen=True)
class Text:
    """A message id with its arguments: rendered in a language only when shown. The English
    template travels with it, so a Text read back from a cache or record needs no lookup."""

    id: str
    template: str
    args: tuple[tuple[str, Arg], ...] = ()

    def render(self, translations: NullTranslations | None = None) -> str:
        """The text in the catalog's language; the English template when a translation is
        missing or does not fit the fields (a broken catalog never hides the diagnostic)."""
        values = {k: v.render(translations) if isinstance(v, Text) else v for k, v in self.args}
        template = translations.pgettext(self.id, self.template) if translations is not None else self.template
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.template.format(**values)

    def __str__(self) -> str:
        return self.render()

    def plain(self) -> Plain:
        return (self.id, self.template, tuple((k, v.plain() if isinstance(v, Text) else v) for k, v in self.args))

    @classmethod
    def from_plain(cls, plain: Plain) -> Text:
        """Back from plain(), or from its JSON (where the tuples became lists)."""
        id_, template, args = plain
        return cls(id_, template, tuple((k, cls.from_plain(v) if isinstance(v, (tuple, list)) else v)
                                        for k, v in args))


# The parts every diagnostic line may use; the rest are in epaper/messages.py.
WARNING_LABEL = Message("P001", "warning: {message}", "Parts of messages")
DID_YOU_MEAN = Message("P002", ' (did you mean "{name}"?)', "Parts of messages")


@functools.total_ordering
@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place. Ordered by path, then line, then English text, for stable output."""

    path: str
    line: int
    text: Text
    warning: bool = False

    @property
    def id(self) -> str:
        return self.text.id

    @property
    def message(self) -> str:
        """The English text, without the id."""
        return self.text.render()

    def _key(self) -> tuple[str, int, str, bool]:
        return (self.path, self.line, self.message, self.warning)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self._key() < other._key()

    def shown(self, translations: NullTranslations | None = None, ids: bool = True) -> str:
        """`PATH:LINE: message [ID]`, a warning's message marked as such, in the catalog's language."""
        body = self.text.render(translations)
        if self.warning:
            body = WARNING_LABEL(message=body).render(translations)
        return f"{self.path}:{self.line}: {body}" + (f" [{self.id}]" if ids else "")

    def __str__(self) -> str:
        """English and without the id: what tests and internal errors compare. What an editor
        reads goes through shown(), with the id and in the editor's language."""
        return self.shown(ids=False)


def messages_translations(language: str) -> NullTranslations:
    """The diagnostics' catalog for a language tag. Chinese in traditional script (zh-TW, zh-HK)
    falls back to the simplified catalog until a zh_Hant one exists: Chinese an editor can read
    beats English. English (and any language without a catalog) gets the templates themselves."""
    if catalogs.catalog_file(catalogs.PACKAGE_LOCALES, language, "messages") is None \
            and language.lower().startswith("zh"):
        language = "zh-Hans"
    return catalogs.load(language, "messages")


@dataclass
class Diagnostics:
    """A collector passed down the pipeline; no stage raises on a content error."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, text: Text) -> None:
        self.items.append(Diagnostic(path, max(1, int(line or 1)), text))

    def warning(self, path: str, line: int, text: Text) -> None:
        self.items.append(Diagnostic(path, max(1, int(line or 1)), text, warning=True))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return sorted({d for d in self.items if not d.warning})

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted({d for d in self.items if d.warning})

    def has_errors(self) -> bool:
        return any(not d.warning for d in self.items)


class BuildError(Exception):
    """Raised at the end of a stage that found content errors; carries them all."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


class UsageError(Exception):
    """A wrong command line or output folder: exit status 2, not a content error. It carries a
    message id's Text, so the command prints it in the editor's language."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))  # English: what logs and tests compare
        self.text = text

    def shown(self, translations: NullTranslations | None = None) -> str:
        """'epaper: message [ID]' in the catalog's language."""
        return f"epaper: {self.text.render(translations)} [{self.text.id}]"


def count(number: int, one: Message, many: Message) -> Text:
    """'1 page' or '{count} pages': English needs both forms (Chinese translates both alike)."""
    return one() if number == 1 else many(count=number)


def did_you_mean(name: object, candidates: Iterable[str]) -> Arg:
    """' (did you mean "x"?)' for the closest candidate, in the reader's language, or ''."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(str(name), pool, n=1, cutoff=0.6)
    return DID_YOU_MEAN(name=matches[0]) if matches else ""


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The n closest candidates, best first; empty when nothing is near."""
    return difflib.get_close_matches(name, sorted(set(candidates)), n=n, cutoff=0.3)
