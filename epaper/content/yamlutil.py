"""Safe YAML with line numbers, so every wrong value is reported at its key's line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from epaper import messages as M
from epaper.errors import Text


class LineDict(dict):
    """A mapping that remembers the line of each key and the raw text of each scalar."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.raw: dict[Any, str] = {}
        self.duplicates: list[tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence that remembers the line of each item."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~10x faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader building LineDict/LineList; never constructs arbitrary objects."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[tuple[int, Text]] = []  # (0-based line, message): values that are no value


class Invalid(str):
    """A scalar YAML could not make into a value (2023-02-29): kept as its text, its problem
    already reported, so the checks of the key don't report it a second time."""


MAX_VALUES = 10_000  # aliases may expand a document to this many values, no more
SHOWN = 60  # characters of a value shown in a message


def short(text: str) -> str:
    """A value as shown in a message: at most SHOWN characters."""
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date or time, or Invalid with a problem for one that cannot exist (2022-11-31,
    +25:00): Python's ValueError would otherwise end the whole run as an internal error."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        reason = str(exc)
        if "timedelta" in reason:
            reason = "a time zone offset is less than 24 hours"
        loader.problems.append((node.start_mark.line, M.NOT_A_DATE(value=short(node.value), reason=reason)))
        return Invalid(node.value)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain word, not a list or mapping", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in result:
            result.duplicates.append((key, line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
        if isinstance(value_node, yaml.ScalarNode):
            result.raw[key] = value_node.value
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList()
    result.line = node.start_mark.line + 1
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.lines.append(child.start_mark.line + 1)
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _TooBig(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _check_size(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand past MAX_VALUES values (a "billion laughs":
    400 bytes that every later step, stringifying or caching it, would expand to gigabytes).
    Each node's expanded size is counted once (Python's integers don't overflow); a document
    long only because it is written out long is no bomb. The line is that of the top-level
    key or item holding the biggest expansion."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a recursive alias counts once while being counted
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = []
        total = 1 + sum(size(child) for child in children)
        sizes[id(node)] = total
        return total

    total = size(root)
    if total <= MAX_VALUES or total <= 2 * len(sizes):
        return
    if isinstance(root, yaml.MappingNode):
        parts = [(k.start_mark.line, sizes[id(k)] + sizes[id(v)]) for k, v in root.value]
    elif isinstance(root, yaml.SequenceNode):
        parts = [(v.start_mark.line, sizes[id(v)]) for v in root.value]
    else:
        parts = []
    biggest = max((count for _, count in parts), default=0)
    raise _TooBig(next((line for line, count in parts if count == biggest), root.start_mark.line))


@dataclass(frozen=True)
class YamlProblem:
    """A YAML syntax problem at a line of the text that was parsed (1-based)."""

    line: int
    text: Text

    @property
    def message(self) -> str:
        """The English text (the commands that only need to know that a file parses)."""
        return str(self.text)


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, YamlProblem | None]:
    """Parse YAML safely; lines in the result are shifted so that text line 1 is first_line.
    Any problem, even of a single value, gives no data: see load_yaml_values to keep it."""
    data, problems = load_yaml_values(text, first_line)
    return (None, problems[0]) if problems else (data, None)


def load_yaml_values(text: str, first_line: int = 1) -> tuple[Any, list[YamlProblem]]:
    """Parse YAML safely: (data, problems). A syntax error gives no data and one problem; an
    impossible value (2022-11-31) a problem of its own while the rest of the data is kept, so
    every other mistake of the file is reported too."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and "*" in text:  # only an alias (*name) makes a document more than its text
            _check_size(node)
        data = loader.construct_document(node) if node is not None else None
    except _TooBig as exc:
        line = exc.line + first_line
        return None, [YamlProblem(line, M.YAML_ALIASES(limit=f"{MAX_VALUES:,}"))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and mark.index >= len(text.rstrip()):
            # Hit the end: an unclosed bracket or quote. Point where it opened, or at the last line.
            mark = exc.context_mark or mark
        line = (mark.line + first_line) if mark else first_line
        line = min(line, first_line + max(0, text.rstrip().count("\n")))
        parts = [p for p in (exc.context, exc.problem) if p]
        return None, [YamlProblem(line, M.YAML_SYNTAX(detail="; ".join(parts) if parts else M.NOT_YAML()))]
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark else first_line
        return None, [YamlProblem(line, M.YAML_SYNTAX(detail=str(exc)))]
    except RecursionError:
        return None, [YamlProblem(first_line, M.YAML_TOO_DEEP())]
    finally:
        loader.dispose()
    if first_line != 1:
        _shift(data, first_line - 1, set())
    return data, [YamlProblem(line + first_line, text) for line, text in loader.problems]


def _shift(node: Any, by: int, seen: set[int]) -> None:
    if id(node) in seen:  # YAML anchors can share nodes
        return
    seen.add(id(node))
    if isinstance(node, LineDict):
        node.line += by
        node.lines = {k: v + by for k, v in node.lines.items()}
        node.duplicates = [(k, v + by) for k, v in node.duplicates]
        for value in node.values():
            _shift(value, by, seen)
    elif isinstance(node, LineList):
        node.line += by
        node.lines = [v + by for v in node.lines]
        for value in node:
            _shift(value, by, seen)
