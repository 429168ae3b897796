"""A page to make, as the plan hands it to the renderer: plain data, no behaviour."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from epaper.model import Article


@dataclass(slots=True)
class Job:
    """One page to make: where it goes, from which template, with what, depending on what.
    (Slots: a big archive has 150,000 of them, each a dict of attributes less.)"""

    path: str
    template: str
    sources: Collection[str]  # kept as a sorted tuple: a set of them is 3 to 5 times the memory
    extra: str = ""  # what else shapes the page beyond its sources' contents
    context: dict[str, Any] = field(default_factory=dict, repr=False)
    needs_html: tuple[Article, ...] = field(default=(), repr=False)  # articles whose body it shows
    origin: str = ""  # what an editor would call its source, for messages

    def __post_init__(self) -> None:
        self.sources = tuple(sorted(self.sources))  # every caller passes a set: no duplicates to drop
