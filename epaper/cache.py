"""The persistent build cache in SITE/.epaper-cache/: what the last builds learnt.

It knows each source's stat and content hash with its parsed front matter and
rendered Markdown, each output page's render key, and the content hashes of the
files in the output folder and its staging twin. It is only ever a shortcut:
safe to delete, and a cache that is corrupt, from another version of epaper or
for other settings is thrown away and rebuilt, never trusted."""
from __future__ import annotations

import hashlib
import io
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from . import __version__

CACHE_DIR = ".epaper-cache"
FORMAT = 1


def digest(data: bytes) -> str:
    """A content hash: fast, and long enough that collisions are not a concern."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever epaper's own code changes: a new version never trusts an old cache."""
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass
class SourceRecord:
    """One article file as last seen: its stat, its hash, and what parsing it gave."""

    size: int
    mtime_ns: int
    sha: str
    fields: Optional[dict[str, Any]]
    diagnostics: list  # list[Diagnostic]


@dataclass
class OutputState:
    """For one output folder: render keys of its pages, and the manifest of each tree."""

    renders: dict[str, str] = field(default_factory=dict)  # output path -> render key
    trees: dict[int, dict[str, str]] = field(default_factory=dict)  # folder inode -> {path: content hash}


@dataclass
class CacheData:
    fingerprint: str
    settings: str  # what parsing depends on besides the bytes (Markdown options)
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    outputs: dict[str, OutputState] = field(default_factory=dict)  # absolute output folder -> state


_ALLOWED = {
    ("builtins", name) for name in ("dict", "list", "set", "frozenset", "tuple", "str", "int", "bool", "bytes")
} | {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timezone"),
    ("datetime", "timedelta"), ("epaper.cache", "SourceRecord"), ("epaper.cache", "OutputState"),
    ("epaper.cache", "CacheData"), ("epaper.model", "CorrectionTarget"), ("epaper.errors", "Diagnostic"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
}


class _Unpickler(pickle.Unpickler):
    """Loads only epaper's own plain data: a tampered cache cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the cache")


class BuildCache:
    """Reads the cache at the start of a build and writes it back, atomically, at the end."""

    def __init__(self, root: Path, settings: str) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / "cache.pickle"
        self.settings = settings
        self.discarded: Optional[str] = None  # why an existing cache was not used
        self.data = self._read()

    def _fresh(self) -> CacheData:
        return CacheData(fingerprint=code_fingerprint(), settings=self.settings)

    def _read(self) -> CacheData:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return self._fresh()
        try:
            header, _, body = raw.partition(b"\n")
            if header != f"epaper-cache {FORMAT} {code_fingerprint()}".encode():
                self.discarded = "it was written by another version of epaper"
                return self._fresh()
            data = _Unpickler(io.BytesIO(body)).load()
            if not isinstance(data, CacheData):
                raise pickle.UnpicklingError("not a cache")
        except Exception:  # any damage at all: rebuild rather than trust it
            self.discarded = "it was damaged"
            return self._fresh()
        if data.settings != self.settings:
            data.sources = {}  # Markdown options changed: every article must be parsed again
        return data

    def output(self, out: Path) -> OutputState:
        return self.data.outputs.setdefault(str(out.absolute()), OutputState())

    def save(self) -> None:
        """Write to a temporary file and rename: a killed build leaves the old cache whole."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self.data.fingerprint = code_fingerprint()
        self.data.settings = self.settings
        temporary = self.folder / f"cache.pickle.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(f"epaper-cache {FORMAT} {code_fingerprint()}\n".encode())
            pickle.dump(self.data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path)
