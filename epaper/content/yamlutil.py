"""Safe YAML with line numbers, so every wrong value is reported at its key's line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


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


@dataclass(frozen=True)
class YamlProblem:
    """A YAML syntax problem at a line of the text that was parsed (1-based)."""

    line: int
    message: str


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, YamlProblem | None]:
    """Parse YAML safely; lines in the result are shifted so that text line 1 is first_line."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and mark.index >= len(text.rstrip()):
            # Hit the end: an unclosed bracket or quote. Point where it opened, or at the last line.
            mark = exc.context_mark or mark
        line = (mark.line + first_line) if mark else first_line
        line = min(line, first_line + max(0, text.rstrip().count("\n")))
        parts = [p for p in (exc.context, exc.problem) if p]
        message = "; ".join(parts) or "not valid YAML"
        return None, YamlProblem(line, f"YAML syntax error: {message}")
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark else first_line
        return None, YamlProblem(line, f"YAML syntax error: {exc}")
    except RecursionError:
        return None, YamlProblem(first_line, "YAML nested too deeply")
    if first_line != 1:
        _shift(data, first_line - 1, set())
    return data, None


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
