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
import os
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 2  # 2: the listing as bytes

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


def shape_path(state_folder: Path, out: Path) -> Path:
    """One shape per output folder, named after its absolute path."""
    key = hashlib.blake2b(str(out.absolute()).encode(), digest_size=8).hexdigest()
    return state_folder / f"shape-{key}.marshal"


def read_shape(path: Path) -> Shape | None:
    try:
        state = marshal.loads(path.read_bytes())
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            return None
        if not isinstance(state["listing"], bytes) or not isinstance(state["articles"], dict):
            return None
        return Shape(key=state["key"], listing=state["listing"], articles=state["articles"], links=state["links"],
                     elsewhere=frozenset(state["elsewhere"]), indexed=state["indexed"], sources=state["sources"],
                     pages=state["pages"])
    except Exception:  # missing, damaged or of another version: a full build
        return None


def write_shape(path: Path, shape: Shape) -> None:
    """Written whole to a temporary file and renamed: a killed build leaves the old one or none."""
    data = marshal.dumps({
        "format": FORMAT, "key": shape.key, "listing": shape.listing, "articles": shape.articles,
        "links": shape.links, "elsewhere": sorted(shape.elsewhere), "indexed": shape.indexed,
        "sources": shape.sources, "pages": shape.pages,
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def forget_shape(path: Path) -> None:
    """Before a build changes the output: if it fails halfway, the next one is a full build."""
    path.unlink(missing_ok=True)
