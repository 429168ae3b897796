"""Typed access to YAML values: each wrong value is reported at its key's line."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import reprlib
from typing import Any
from urllib.parse import unquote

from epaper import messages as M
from epaper.content.yamlutil import Invalid, LineDict, LineList, load_yaml_values, short
from epaper.errors import Arg, Diagnostics, Text, did_you_mean

SLUG = re.compile(r"^[a-z0-9-]+$")


def slug_problem(slug: str) -> Text | None:
    """Why `slug` is not a safe URL segment, or None when it is."""
    if not SLUG.match(slug):
        return M.SLUG_CHARACTERS()
    if slug.isdigit():
        return M.SLUG_DIGITS()
    if not slug.strip("-"):  # "-" and "--" are no names; "-" also reads as an option on a command line
        return M.SLUG_NO_LETTER()
    return None


def media_path(folder: str, written: str) -> str | None:
    """The site-relative path of a file an edition names (a scan, a PDF, a photo), or None
    when the name would leave the edition's folder or is a URL."""
    name = unquote(written.strip())
    if not name or name.startswith(("/", "#")) or "\\" in name or ":" in name.split("/")[0] or "\0" in name:
        return None
    rel = posixpath.normpath(f"{folder}/{name}" if folder else name)
    if rel.startswith("../") or rel in ("..", ".") or (folder and not rel.startswith(folder + "/")):
        return None
    return rel


class Fields:
    """Typed access to one YAML mapping, reporting wrong values at their key's line."""

    def __init__(self, data: LineDict, path: str, diags: Diagnostics, what: Text, top: bool = False) -> None:
        self.data, self.path, self.diags, self.what, self.top = data, path, diags, what, top

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def error(self, key: str, text: Text) -> None:
        self.diags.error(self.path, self.line(key), text)

    def missing(self, key: str) -> None:
        # A whole file missing a key is reported at line 1; a nested entry at its own line.
        line = 1 if self.top else self.data.line
        self.diags.error(self.path, self.line(key) if key in self.data else line, M.NEEDS_KEY(what=self.what, key=key))

    def check_keys(self, known: tuple[str, ...]) -> None:
        for key, line in self.data.duplicates:
            self.diags.error(self.path, line, M.KEY_TWICE(key=key))
        for key in self.data:
            if key not in known:
                self.diags.warning(self.path, self.line(key),
                                   M.UNKNOWN_KEY(key=key, suggestion=did_you_mean(key, known)))

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key)
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, (list, dict)):
            self.error(key, M.NOT_TEXT(key=key, kind=M.KIND_LIST() if isinstance(value, list) else M.KIND_MAPPING()))
            return ""
        # A scalar where text is expected (title: 2022, title: yes) is its text as written.
        return str(self.data.raw.get(key, value)).strip()

    def integer(self, key: str, required: bool = False, positive: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, M.NOT_WHOLE_NUMBER(key=key, value=shown(self.data.raw.get(key, value))))
            return None
        if positive and value < 1:
            self.error(key, M.NOT_POSITIVE(key=key, value=value))
            return None
        return value

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(key, M.NOT_BOOLEAN(key=key, value=shown(self.data.raw.get(key, value))))
            return False
        return value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        parsed = as_date(value)
        if parsed is None and not isinstance(value, Invalid):  # Invalid: reported while parsing
            self.error(key, M.NOT_DATE(key=key, value=shown(self.data.raw.get(key, value))))
        return parsed

    def slug(self, key: str) -> str | None:
        value = self.text(key)
        if not value:
            return None
        problem = slug_problem(value)
        if problem:
            self.error(key, M.BAD_SLUG(key=key, value=value, problem=problem))
            return None
        return value


def shown(value: Any) -> Arg:
    """A value quoted for a message, shortened: a list is never stringified whole."""
    text = reprlib.repr(value) if isinstance(value, (list, dict)) else str(value)
    return f'"{short(text)}"' if text else M.NOTHING()


def as_date(value: Any) -> dt.date | None:
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


def as_mapping(value: Any, path: str, line: int, diags: Diagnostics, what: Text) -> LineDict | None:
    if isinstance(value, LineDict):
        return value
    diags.error(path, line, M.NOT_MAPPING(what=what))
    return None


def items_with_lines(value: Any) -> list[tuple[Any, int]]:
    """A list's items with their lines (a single value counts as a list of one)."""
    if isinstance(value, LineList):
        return [(item, value.line_of(i)) for i, item in enumerate(value)]
    return [(value, getattr(value, "line", 0))]



def yaml_mapping(text: str, rel: str, diags: Diagnostics, what: Text, first_line: int = 1) -> LineDict | None:
    """YAML text that must be a mapping (empty counts as an empty one), or None after reporting why."""
    data, problems = load_yaml_values(text, first_line=first_line)
    for problem in problems:  # an impossible date is reported here, and the other keys still checked
        diags.error(rel, problem.line, problem.text)
    if problems and data is None:
        return None
    return as_mapping(data if data is not None else LineDict(), rel, 1, diags, what)
