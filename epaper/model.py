"""Plain data passed between the stages: no behaviour beyond small derived values."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ARTICLE_TYPES = ("article", "note", "brief", "correction")


@dataclass(frozen=True)
class Section:
    """A declared section (or column series: same shape)."""

    slug: str
    name: str


@dataclass
class Config:
    """The site's config.yaml, validated and with defaults filled in."""

    title: str
    base_url: str  # absolute, always ends with "/"
    base_path: str  # the path of base_url: "/" or "/news/"
    language: str
    timezone: str
    paginate: int
    sections: dict[str, Section]
    series: dict[str, Section]
    unsafe_html: bool = False
    feed_entries: int = 50  # entries in each Atom feed
    search: bool = True  # index the articles with Pagefind and show a search page

    @property
    def og_locale(self) -> str:
        """Open Graph's locale form of the language: zh-CN -> zh_CN, en -> en."""
        return self.language.replace("-", "_")

    @property
    def news_language(self) -> str:
        """Google News's code: zh-cn for Simplified Chinese, zh-tw for Traditional, else ISO 639."""
        parts = self.language.lower().split("-")
        if parts[0] == "zh":
            return "zh-tw" if {"tw", "hk", "mo", "hant"} & set(parts[1:]) else "zh-cn"
        return parts[0]

    @property
    def is_chinese(self) -> bool:
        return self.language.lower().startswith("zh")


@dataclass(frozen=True)
class CorrectionTarget:
    """What a correction says it corrects, as written: DATE/SLUG or date+title(+page)."""

    line: int
    date: Optional[dt.date]
    slug: Optional[str] = None
    title: Optional[str] = None
    page: Optional[int] = None

    def describe(self) -> str:
        if self.slug:
            return f"{self.date}/{self.slug}"
        page = f" page {self.page}" if self.page is not None else ""
        return f"{self.date}{page} 《{self.title}》"


@dataclass
class Article:
    """One Markdown file of an edition, loaded and rendered to HTML."""

    source: str  # path relative to the site, POSIX separators
    slug: str
    title: str
    page_number: int
    summary: str
    html: str = ""  # filled in from the cache's HTML store only for pages being rendered
    digest: str = ""  # content hash of the source file
    kicker: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    byline: str = ""
    dateline: str = ""
    order: Optional[int] = None
    section_slug: Optional[str] = None  # as written; resolve fills in the page's
    series_slug: Optional[str] = None
    type: str = "article"
    draft: bool = False
    corrects: tuple[CorrectionTarget, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line
    # Filled in by resolve:
    edition: Optional["Edition"] = field(default=None, repr=False)
    section: Optional[Section] = None
    series: Optional[Section] = None
    originals: list["Article"] = field(default_factory=list, repr=False)
    corrections: list["Article"] = field(default_factory=list, repr=False)
    prev_in_series: Optional["Article"] = field(default=None, repr=False)
    next_in_series: Optional["Article"] = field(default=None, repr=False)
    shown_from: Optional[frozenset[str]] = field(default=None, repr=False)  # pages.py's memo

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def url(self) -> str:
        assert self.edition is not None
        return f"{self.edition.date.isoformat()}/{self.slug}/"

    @property
    def page(self) -> "Page":
        assert self.edition is not None
        return self.edition.page(self.page_number)

    def sort_key(self) -> tuple:
        """Position on its page: ordered ones first, then the rest, then slug."""
        return (self.order is None, self.order or 0, self.slug)


@dataclass
class Page:
    """A printed page (版) of an edition."""

    number: int
    name: str
    section_slug: Optional[str]
    line: int
    articles: list[Article] = field(default_factory=list, repr=False)
    edition: Optional["Edition"] = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.number:02d}"

    @property
    def url(self) -> str:
        assert self.edition is not None
        return f"{self.edition.date.isoformat()}/{self.label}/"


@dataclass
class Edition:
    """One issue of the paper: a folder with edition.yaml and its articles."""

    source: str  # path of edition.yaml relative to the site
    folder: str
    digest: str
    date: dt.date
    number: Optional[int]
    pages: list[Page]
    publish: Optional[dt.datetime] = None  # None: the date at 00:00 in the site's zone
    lines: dict[str, int] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list, repr=False)
    unreadable: int = 0  # article files that failed to load (already reported)

    @property
    def url(self) -> str:
        return f"{self.date.isoformat()}/"

    def page(self, number: int) -> Page:
        for page in self.pages:
            if page.number == number:
                return page
        raise KeyError(number)

    @property
    def corrected(self) -> bool:
        return any(a.corrections for a in self.articles)


@dataclass
class SiteData:
    """Everything resolve hands to render: validated, linked, ordered."""

    config: Config
    editions: list[Edition]  # oldest first
    sections: dict[str, list[Article]]  # index order: newest edition first
    series: dict[str, list[Article]]
    corrections: list[Article]  # newest first
    static_files: dict[str, Path]  # output path -> file
    next_publish: Optional[dt.datetime] = None  # when a left-out future edition falls due
