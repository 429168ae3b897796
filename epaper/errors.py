"""Diagnostics for people: every problem is one `PATH:LINE: message` line.

The build collects all of them before stopping, so an editor fixes a whole
evening's mistakes in one pass instead of one per run.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. Ordered by path, then line, for stable output."""

    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.message}"


@dataclass
class Diagnostics:
    """A collector passed down the pipeline; no stage raises on a content error."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, max(1, int(line or 1)), message))

    def warning(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, max(1, int(line or 1)), message, warning=True))

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
    """A wrong command line or output folder: exit status 2, not a content error."""


def did_you_mean(name: object, candidates: Iterable[str]) -> str:
    """Return ' (did you mean "x"?)' for the closest candidate, or ''."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(str(name), pool, n=1, cutoff=0.6)
    return f' (did you mean "{matches[0]}"?)' if matches else ""


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The n closest candidates, best first; empty when nothing is near."""
    return difflib.get_close_matches(name, sorted(set(candidates)), n=n, cutoff=0.3)
