"""Make Pagefind's bundle byte-identical for identical pages, and its metadata small.

Pagefind 1.5 writes the values of a filter, and the filters in its metadata file, in
the order of a Rust HashMap, which differs from run to run; every other file of the
bundle is already stable. This module sorts them, renames the two kinds of files by
their new content hash (Pagefind's client fetches them by the names it is given and
checks nothing else) and points the entry file at the new metadata file.

The metadata file, which every search downloads whole for every shard, costs about 11
bytes a page, 8 of them Pagefind's hash ids and the date sort; compact_pages gives the
pages short ids that carry their shard and their place in date order instead.

The files are gzip'd "pagefind_dcd" + CBOR; a minimal CBOR codec for the types Pagefind
writes is enough. A file that does not round-trip byte for byte is left as it is."""
from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class Raw:
    """A CBOR item kept as its bytes (floats, simple values, tags)."""

    def __init__(self, data: bytes) -> None:
        self.data = data


def _head(data: bytes, i: int) -> tuple[int, int, int]:
    """(major type, argument, next offset)."""
    first = data[i]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, i + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise ValueError("indefinite lengths are not used by Pagefind")
    return major, int.from_bytes(data[i + 1: i + 1 + size], "big"), i + 1 + size


def decode(data: bytes, i: int = 0) -> tuple[Any, int]:
    major, arg, j = _head(data, i)
    if major == 0:
        return arg, j
    if major == 1:
        return -1 - arg, j
    if major == 2:
        return data[j: j + arg], j + arg
    if major == 3:
        return data[j: j + arg].decode("utf-8"), j + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, j = decode(data, j)
            items.append(item)
        return items, j
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, j = decode(data, j)
            value, j = decode(data, j)
            pairs.append((key, value))
        return dict(pairs) if all(isinstance(k, str) for k, _ in pairs) else pairs, j
    if major == 7:
        extra = {25: 2, 26: 4, 27: 8}.get(data[i] & 31, 0)
        return Raw(data[i: i + 1 + extra]), i + 1 + extra
    raise ValueError(f"CBOR major type {major} is not used by Pagefind")


def _encode_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, fmt, limit in ((24, ">B", 1 << 8), (25, ">H", 1 << 16), (26, ">I", 1 << 32), (27, ">Q", 1 << 64)):
        if arg < limit:
            return bytes([major << 5 | info]) + struct.pack(fmt, arg)
    raise ValueError("integer too large")


def encode(item: Any) -> bytes:
    if isinstance(item, Raw):
        return item.data
    if isinstance(item, bool) or item is None:
        raise ValueError("unexpected simple value")
    if isinstance(item, int):
        return _encode_head(0, item) if item >= 0 else _encode_head(1, -1 - item)
    if isinstance(item, bytes):
        return _encode_head(2, len(item)) + item
    if isinstance(item, str):
        raw = item.encode("utf-8")
        return _encode_head(3, len(raw)) + raw
    if isinstance(item, list):
        return _encode_head(4, len(item)) + b"".join(encode(x) for x in item)
    if isinstance(item, dict):
        return _encode_head(5, len(item)) + b"".join(encode(k) + encode(v) for k, v in item.items())
    raise ValueError(f"cannot encode {type(item).__name__}")


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError("not a Pagefind file")
    body = data[len(SIGNATURE):]
    item, end = decode(body)
    if end != len(body) or encode(item) != body:
        raise ValueError("does not round-trip")
    return item


def _write(item: Any) -> bytes:
    return gzip.compress(SIGNATURE + encode(item), compresslevel=9, mtime=0)


def _short(content: bytes, length: int) -> str:
    return hashlib.sha256(content).hexdigest()[:length]


def stabilize(bundle: Path) -> None:
    """Sort the filter files and the metadata file of a Pagefind bundle folder in place."""
    try:
        renamed: dict[str, str] = {}
        writes: dict[Path, bytes] = {}
        removes: list[Path] = []
        for path in sorted((bundle / "filter").glob("*.pf_filter")):
            item = _read(path)
            if isinstance(item, list) and len(item) == 2 and isinstance(item[1], list):
                item[1] = sorted(item[1], key=lambda pair: encode(pair[0]))
            content = _write(item)
            old = path.name[: -len(".pf_filter")]
            lang, _, digest = old.rpartition("_")
            new = f"{lang}_{_short(content, len(digest))}"
            removes.append(path)
            writes[bundle / "filter" / f"{new}.pf_filter"] = content
            renamed[old] = new
        entry_path = bundle / "pagefind-entry.json"
        entry = entry_path.read_text(encoding="utf-8")
        for path in sorted(bundle.glob("pagefind.*.pf_meta")):
            content = _write(_sort_filters(_read(path), renamed))
            old = path.name[len("pagefind."): -len(".pf_meta")]
            lang, _, digest = old.rpartition("_")
            new = f"{lang}_{_short(content, len(digest))}"
            removes.append(path)
            writes[bundle / f"pagefind.{new}.pf_meta"] = content
            entry = entry.replace(json.dumps(old), json.dumps(new))
        writes[entry_path] = entry.encode("utf-8")
    except (OSError, ValueError, IndexError, TypeError, KeyError):
        return  # an unknown layout (another Pagefind version): left as Pagefind wrote it
    for path in removes:
        path.unlink()
    for path, content in writes.items():
        path.write_bytes(content)


def _sort_filters(item: Any, renamed: dict[str, str]) -> Any:
    """Point [name, hash] pairs at the renamed filter files and sort such lists by name."""
    if isinstance(item, list):
        items = [_sort_filters(x, renamed) for x in item]
        pairs = [x for x in items if isinstance(x, list) and len(x) == 2 and isinstance(x[1], str)]
        if items and len(pairs) == len(items) and any(x[1] in renamed for x in pairs):
            items = sorted(([x[0], renamed.get(x[1], x[1])] for x in pairs), key=lambda x: encode(x[0]))
        return items
    if isinstance(item, dict):
        return {k: _sort_filters(v, renamed) for k, v in item.items()}
    return item


KEY_LENGTH = 4  # hex digits of the bundle's pages' hash in each compact page id
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int) -> str:
    text = ""
    while True:
        n, digit = divmod(n, 36)
        text = _DIGITS[digit] + text
        if not n:
            return text


def compact_pages(bundle: Path, tag: str) -> None:
    """Give every page of a bundle a short id that says where it is and how new it is, and drop
    the date sort from the metadata file: the two largest parts of the file every search
    downloads, per page. Pagefind names a page by a 7-digit hash of its content (unique within one
    index only) and keeps, for a data-pagefind-sort, every page's place in date order; together
    about 8 of the 11 bytes a page costs in the compressed metadata. The new id is
    `LANG_TAG-KEYRANK` (`LANG_KEYRANK` for the fresh shard, `tag` ""): TAG the shard's name (the
    search page tells merged shards' pages apart by it), KEY the first KEY_LENGTH hex digits of a
    hash of all the bundle's page ids (so a page's fragment file is named anew whenever any page
    of its shard changes: a browser's cached fragment is never another version's), RANK the
    page's place in date order in base 36 (oldest 0), which is what "newest first" sorts by.
    Pages whose metadata lists no date sort are ranked in Pagefind's order. All or nothing: on a
    layout this code does not know, the bundle is left as Pagefind wrote it. Run stabilize()
    after it (the metadata's name)."""
    renames: list[tuple[Path, Path]] = []
    writes: dict[Path, bytes] = {}
    try:
        for path in sorted(bundle.glob("pagefind.*.pf_meta")):
            item = _read(path)
            pages, sorts = item[1], item[4]
            order = next((list(ranked) for name, ranked in sorts if name == "date"), list(range(len(pages))))
            if sorted(order) != list(range(len(pages))):
                raise ValueError("the date sort does not list every page once")
            key = hashlib.sha256("\n".join(sorted(page[0] for page in pages)).encode()).hexdigest()[:KEY_LENGTH]
            for rank, index in enumerate(order):
                page = pages[index]
                lang, _, _ = page[0].rpartition("_")
                new = f"{lang}_{tag}-{key}{_base36(rank)}" if tag else f"{lang}_{key}{_base36(rank)}"
                old_file = bundle / "fragment" / f"{page[0]}.pf_fragment"
                if not old_file.is_file():
                    raise ValueError(f"no fragment {old_file.name}")
                renames.append((old_file, bundle / "fragment" / f"{new}.pf_fragment"))
                page[0] = new
            item[4] = []
            writes[path] = _write(item)
    except (OSError, ValueError, IndexError, TypeError, KeyError):
        return
    for old_file, new_file in renames:
        old_file.rename(new_file)
    for path, content in writes.items():
        path.write_bytes(content)
