"""The shape of the site as the last full build saw it, for the next build's quick path.

Which input files there were and their stats; which article files there are, with their hashes
then (of the bytes and of the fields) and the page of each published one; the links between
articles of different editions (series neighbours, corrections); the articles whose bodies a
page other than their own shows; and the articles the search index holds. With it, a build
after an edit of article bodies alone needs no other record (build.py's quick path). One file
per output folder beside the output's record, in marshal (plain dicts, tuples, strings and bytes;
the cache folder is the site's own, as for record.py): anything unexpected in it means no
shape, and a full build, never a wrong one."""
from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from pathlib import Path

from epaper.output import beside
from epaper.output.cache import LISTING_SEPARATOR

FORMAT = 5  # 2: the listing as bytes; 3: a head (key, number of files) before the rest; 4: the listing next;
# 5: the ledger last (added.py)

Links = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # previous and next in series, originals, corrections


@dataclass
class Shape:
    """See the module's docstring; `key` is the code and the options it holds for."""

    key: str
    listing: bytes  # the input files as the stamp listed them (cache.input_stamp)
    articles: dict[str, tuple[str, str, str]]  # article file -> (its page or "", its hash, its fields' hash)
    links: dict[str, Links] = field(default_factory=dict)  # article file -> its links to others ("": none)
    elsewhere: frozenset[str] = frozenset()  # article files whose body a page besides their own shows
    indexed: list[tuple[str, str]] = field(default_factory=list)  # (article page, month) in the search index
    sources: int = 0  # content files of the site (the fragment store keeps a few times as many items)
    pages: int = 0  # pages of the site
    ledger: bytes = b""  # what the indexes list, encoded (added.py), read as it is and kept so


def shape_path(state_folder: Path, out: Path) -> Path:
    """One shape per output folder, named after its absolute path."""
    key = hashlib.blake2b(str(out.absolute()).encode(), digest_size=8).hexdigest()
    return state_folder / f"shape-{key}.marshal"


def read_shape(path: Path, key: str | None = None, files: int | None = None) -> Shape | None:
    """The shape kept at `path`. With `key` (the code and options now) and `files` (how many
    lines the stamp's listing has now), the file's head is checked first and the rest not read
    when they differ: a shape of other code, or of a site with another number of files (one
    added or removed, as a new edition is: a full build), is no use, and the rest is 30 MB at
    100,000 articles."""
    try:
        with path.open("rb") as stream:
            head = marshal.load(stream)
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                return None
            if (key is not None and head.get("key") != key) or (files is not None and head.get("files") != files):
                return None
            listing = marshal.load(stream)
            state = marshal.load(stream)
            kept = stream.read()  # the ledger, kept as it is
        if not isinstance(listing, bytes) or not isinstance(state["articles"], dict):
            return None
        return Shape(key=head["key"], listing=listing, articles=state["articles"], links=state["links"],
                     elsewhere=frozenset(state["elsewhere"]), indexed=state["indexed"], sources=state["sources"],
                     pages=state["pages"], ledger=kept)
    except Exception:  # missing, damaged or of another version: a full build
        return None


def has_ledger(path: Path, key: str) -> bool:
    """Whether the shape kept at `path`, of `key`, has a ledger (added.py): its head alone."""
    try:
        with path.open("rb") as stream:
            head = marshal.load(stream)
        return isinstance(head, dict) and head.get("format") == FORMAT and head.get("key") == key and bool(
            head.get("ledger"))
    except Exception:  # missing or damaged: none
        return False


def read_listing(path: Path, key: str) -> bytes | None:
    """The input files as the build that made the live output listed them, from the shape kept at
    `path` when it is of `key` (the code and options now): its head and listing alone (8 MB at
    100,000 articles, where the whole shape is 30)."""
    try:
        with path.open("rb") as stream:
            head = marshal.load(stream)
            if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("key") != key:
                return None
            listing = marshal.load(stream)
        return listing if isinstance(listing, bytes) else None
    except Exception:  # missing or damaged: no such build on record
        return None


def encode_shape(shape: Shape) -> bytes:
    """The shape as write_shape keeps it (a full build works it out while Pagefind runs)."""
    head = {"format": FORMAT, "key": shape.key, "files": lines(shape.listing), "ledger": bool(shape.ledger)}
    return marshal.dumps(head) + marshal.dumps(shape.listing) + marshal.dumps({
        "articles": shape.articles,
        "links": shape.links, "elsewhere": sorted(shape.elsewhere), "indexed": shape.indexed,
        "sources": shape.sources, "pages": shape.pages,
    }) + shape.ledger


def write_shape(path: Path, data: bytes) -> None:
    """A shape's bytes (encode_shape), written whole to a temporary file and renamed: a killed
    build leaves the old one or none. A full build stages them (beside.stage) while Pagefind
    runs and places them (beside.place) once its output is in."""
    beside.put(path, data)


def lines(listing: bytes) -> int:
    """How many files (and folders) a listing names: a shape taken with another number is no use."""
    return listing.count(LISTING_SEPARATOR) + 1 if listing else 0


def forget_shape(path: Path) -> None:
    """Before a build changes the output: if it fails halfway, the next one is a full build."""
    path.unlink(missing_ok=True)
