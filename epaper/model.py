"""Plain data passed between the stages: no behaviour beyond small derived values."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTICLE_TYPES = ("article", "note", "brief", "correction")


def article_url(edition_url: str, slug: str) -> str:
    """An article's URL: its edition's and its slug (Article.url; the quick path makes an
    edition's URL once for all its articles)."""
    return f"{edition_url}{slug}/"


@dataclass(frozen=True)
class Section:
    """A declared section (or column series: same shape)."""

    slug: str
    name: str


@dataclass(frozen=True)
class Typography:
    """config.yaml's `typography:`: which copy-editing rules check, build and fix apply."""

    check: bool = True  # check and build warn about what `fix` would change
    space_between_cjk_and_latin: bool = False  # print style: 7月, iPhone手机; true: 7 月, iPhone 手机
    fullwidth: bool = True  # half-width ,:;!?() in Chinese text become ，：；！？（）
    quotes: bool = True  # "中文" becomes “中文”
    no_space_fullwidth: bool = True  # no space beside full-width punctuation and quotes
    halfwidth_word: bool = True  # full-width letters and digits (ＡＢＣ１２３) become half-width
    halfwidth_punctuation: bool = True  # full-width punctuation in English text becomes half-width

    @property
    def key(self) -> str:
        """What a file's typography warnings depend on besides its bytes (the cache's settings)."""
        return " ".join(f"{name}={int(value)}" for name, value in vars(self).items())


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
    typography: Typography = field(default_factory=Typography)
    cn_number: str = ""  # 国内统一连续出版物号, normalized: CN 32-0001 (a /class suffix kept as written)
    publisher: str = ""  # 主办单位, shown in the masthead

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
    date: dt.date | None
    slug: str | None = None
    title: str | None = None
    page: int | None = None

    def describe(self) -> str:
        if self.slug:
            return f"{self.date}/{self.slug}"
        page = f" page {self.page}" if self.page is not None else ""
        return f"{self.date}{page} 《{self.title}》"


@dataclass(frozen=True)
class Area:
    """A box on a page scan, in percent of the page's width and height, and its line; `page`
    names another page of the edition for the part of an article continued there (0: its own)."""

    x: float
    y: float
    w: float
    h: float
    line: int = 0
    page: int = 0

    def overlaps(self, other: Area) -> bool:
        """True when the two boxes share some surface (touching edges do not count)."""
        return (min(self.x + self.w, other.x + other.w) - max(self.x, other.x) > 1e-6
                and min(self.y + self.h, other.y + other.h) - max(self.y, other.y) > 1e-6)


@dataclass(frozen=True)
class Figure:
    """An image a Markdown body shows (![caption](src "credit")), in the order written."""

    src: str  # as written, relative to the article's folder
    caption: str
    credit: str
    line: int
    block: bool = True  # alone in its paragraph (a <figure>), else an image inside the text


@dataclass(frozen=True)
class Rendition:
    """One derived image file in the output: a width of a source image."""

    path: str  # in the output folder, e.g. media/3f2a…-800.jpg
    width: int
    height: int
    source: str  # the source image, relative to the site
    sha: str  # the source's content hash
    format: str  # JPEG or PNG


@dataclass(frozen=True)
class Picture:
    """A source image as the site shows it: its size (upright) and its renditions, narrowest first."""

    source: str
    sha: str  # the source's content hash
    width: int
    height: int
    renditions: tuple[Rendition, ...]
    thumb: Rendition
    zoom: tuple[Rendition, ...] = ()  # wider levels for the zoomable page only (never in srcset)

    @property
    def levels(self) -> tuple[Rendition, ...]:
        """Every width the zoom viewer may load, narrowest first: it loads the widest only when zoomed in."""
        return self.renditions + self.zoom

    @property
    def src(self) -> Rendition:
        """The rendition for browsers without srcset, and for Open Graph: the widest."""
        return self.renditions[-1]


@dataclass(frozen=True)
class Download:
    """A file copied as is into the output (a page's PDF), or made by the build and kept in its
    cache (the edition's pages joined into one PDF: `cached` is that file)."""

    path: str
    source: str
    sha: str
    size: int
    cached: str = ""  # the sealed file in .epaper-cache to publish; empty: copy `source` from the site


@dataclass(eq=False)
class ArticleLinks:
    """What the stages work out about an article beyond its own file, kept apart from the
    parsed record: its edition (load), section, series, photos, corrections and neighbours
    (resolve). Written by load and resolve only; read by everything after."""

    edition: Edition | None = None
    section: Section | None = None
    series: Section | None = None
    originals: list[Article] = field(default_factory=list)
    corrections: list[Article] = field(default_factory=list)
    prev_in_series: Article | None = None
    next_in_series: Article | None = None
    lead: Picture | None = None  # the lead photo, probed
    pictures: dict[str, Picture] = field(default_factory=dict)  # figure src -> picture


# What Article.from_record adds to an article's parsed fields: the build's, not the parse's.
BUILD_STATE = frozenset({"digest", "shown", "links"})


@dataclass(frozen=True, eq=False)
class Article:
    """One Markdown file of an edition as parsed (frozen: the cache's record, never changed by a
    later stage), with its `links` to the rest of the site, which load and resolve fill in."""

    source: str  # path relative to the site, POSIX separators
    slug: str
    title: str
    page_number: int
    summary: str
    digest: str = ""  # content hash of the source file
    shown: str = ""  # hash of its parsed fields, everything but the body: what a list of articles shows
    kicker: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    byline: str = ""
    dateline: str = ""
    order: int | None = None
    section_slug: str | None = None  # as written; resolve fills in the page's
    series_slug: str | None = None
    type: str = "article"
    draft: bool = False
    corrects: tuple[CorrectionTarget, ...] = ()
    image: str = ""  # the lead photo, as written in front matter
    caption: str = ""
    credit: str = ""
    areas: tuple[Area, ...] = ()  # where it is printed on its page's scan
    jumps: tuple[Area, ...] = ()  # its boxes on other pages of the edition ("continued on page N")
    figures: tuple[Figure, ...] = ()  # images in its Markdown body
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line
    links: ArticleLinks = field(default_factory=ArticleLinks, repr=False)

    @classmethod
    def from_record(cls, fields: dict[str, Any], digest: str, shown: str = "") -> Article:
        """An article from its cached parsed fields, without running __init__: a big archive
        loads every article on every build, and this is many times faster. The fields are the
        parser's own (a test keeps their names those of the dataclass), and their very dict
        becomes the article's: at 100,000 articles a copy of each was 80 MB. What the build adds
        (BUILD_STATE) is left out when the cache stores the fields again (SourceRecord)."""
        article = object.__new__(cls)
        fields["digest"] = digest
        fields["shown"] = shown
        fields["links"] = ArticleLinks()
        fields.setdefault("lines", {})
        object.__setattr__(article, "__dict__", fields)
        return article

    # The links, read as the article's own attributes (layouts say article.section).
    @property
    def edition(self) -> Edition | None:
        return self.links.edition

    @property
    def section(self) -> Section | None:
        return self.links.section

    @property
    def series(self) -> Section | None:
        return self.links.series

    @property
    def originals(self) -> list[Article]:
        return self.links.originals

    @property
    def corrections(self) -> list[Article]:
        return self.links.corrections

    @property
    def prev_in_series(self) -> Article | None:
        return self.links.prev_in_series

    @property
    def next_in_series(self) -> Article | None:
        return self.links.next_in_series

    @property
    def lead(self) -> Picture | None:
        return self.links.lead

    @property
    def pictures(self) -> dict[str, Picture]:
        return self.links.pictures

    @property
    def media(self) -> frozenset[str]:
        """The image files its lead photo and body show, relative to the site."""
        found = {p.source for p in self.pictures.values()}
        if self.lead:
            found.add(self.lead.source)
        return frozenset(found)

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def url(self) -> str:
        assert self.edition is not None
        return article_url(self.edition.url, self.slug)

    @property
    def page(self) -> Page:
        assert self.edition is not None
        return self.edition.page(self.page_number)

    @property
    def continued_on(self) -> list[int]:
        """The other pages its area lists boxes on, in page order: "continued on page N"."""
        return sorted({box.page for box in self.jumps})

    def boxes_on(self, number: int) -> list[Area]:
        """Its boxes printed on page `number` of its edition, another than its own: the part
        continued there, which that page draws as hotspots too."""
        return [box for box in self.jumps if box.page == number]

    def sort_key(self) -> tuple:
        """Position on its page: ordered ones first, then the rest, then slug."""
        return (self.order is None, self.order or 0, self.slug)


@dataclass(frozen=True)
class PageEntry:
    """A printed page as edition.yaml lists it, with the lines of its keys (cached as parsed)."""

    number: int
    name: str
    section_slug: str | None
    line: int
    scan: str = ""
    scan_line: int = 0
    pdf: str = ""
    pdf_line: int = 0


@dataclass(eq=False)
class PageLinks:
    """What load and resolve work out about a printed page: its edition, its articles, its
    image and its PDF as probed."""

    edition: Edition | None = None
    articles: list[Article] = field(default_factory=list)
    continued: list[Article] = field(default_factory=list)  # articles of other pages continued on this one
    picture: Picture | None = None  # the scan (or the PDF drawn as one), probed
    download: Download | None = None  # the PDF


@dataclass(frozen=True, eq=False)
class Page:
    """A printed page (版) of an edition, as edition.yaml lists it, with its `links`."""

    number: int
    name: str
    section_slug: str | None
    line: int
    scan: str = ""  # the printed page's image, as written in edition.yaml
    scan_line: int = 0
    pdf: str = ""  # the printed page as PDF, as written
    pdf_line: int = 0
    links: PageLinks = field(default_factory=PageLinks, repr=False)

    @classmethod
    def of_entry(cls, entry: PageEntry) -> Page:
        return cls(**vars(entry))

    @property
    def edition(self) -> Edition | None:
        return self.links.edition

    @property
    def articles(self) -> list[Article]:
        return self.links.articles

    @property
    def continued(self) -> list[Article]:
        """The articles of other pages whose area lists a box on this one, in edition order:
        the page draws and lists their continued part too."""
        return self.links.continued

    @property
    def picture(self) -> Picture | None:
        return self.links.picture

    @property
    def download(self) -> Download | None:
        return self.links.download

    @property
    def media(self) -> frozenset[str]:
        return frozenset(m.source for m in (self.picture, self.download) if m is not None)

    @property
    def label(self) -> str:
        return f"{self.number:02d}"

    @property
    def url(self) -> str:
        assert self.edition is not None
        return f"{self.edition.date.isoformat()}/{self.label}/"


@dataclass(eq=False)
class EditionLinks:
    """What load and resolve work out about an edition: its articles (the published ones, once
    resolve has left out drafts)."""

    articles: list[Article] = field(default_factory=list)
    download: Download | None = None  # its pages' PDFs joined (the build's join step)


@dataclass(frozen=True, eq=False)
class Edition:
    """One issue of the paper: a folder with edition.yaml, as parsed, with its `links`."""

    source: str  # path of edition.yaml relative to the site
    folder: str
    digest: str
    date: dt.date
    number: int | None
    pages: list[Page]
    publish: dt.datetime | None = None  # None: the date at 00:00 in the site's zone
    lines: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0  # article files that failed to load (already reported)
    links: EditionLinks = field(default_factory=EditionLinks, repr=False)

    @property
    def articles(self) -> list[Article]:
        return self.links.articles

    @property
    def download(self) -> Download | None:
        return self.links.download

    @property
    def pdf_key(self) -> str:
        """The whole-edition PDF in SiteData.media: pages showing its link re-render when it changes."""
        return f"{self.source}#pdf"

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
    media: dict[str, str] = field(default_factory=dict)  # image or PDF file -> content hash
    next_publish: dt.datetime | None = None  # when a left-out future edition falls due
    # The hashes of the files of editions a new edition's build lists without loading them (added.py)
    unloaded: Mapping[str, str] | None = None
