"""The persistent build cache in SITE/.epaper-cache/: what the last builds learnt.

It knows each source's stat and content hash with its parsed front matter and
rendered Markdown (write.py keeps, beside it, each output page's render key and
the content hashes of the files in the output folder and its staging twin). It is only ever a shortcut:
safe to delete, and a cache that is corrupt, from another version of epaper or
for other settings is thrown away and rebuilt, never trusted."""
from __future__ import annotations

import contextlib
import hashlib
import io
import operator
import os
import pickle
import re
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from epaper import __version__
from epaper.model import BUILD_STATE
from epaper.output import beside

CACHE_DIR = ".epaper-cache"
FORMAT = 3  # 2: pages of edition.yaml as PageEntry; 3: diagnostics as message ids and arguments


def digest(data: bytes) -> str:
    """A content hash: fast, and long enough that collisions are not a concern."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever epaper's own code or a library it runs changes: a new version never
    trusts an old cache, and neither does a new Markdown, Jinja, Babel, Pillow or PDFium."""
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    h.update(dependency_versions().encode())
    package = Path(__file__).parent.parent  # the whole epaper package
    for path in sorted(package.rglob("*.py")):  # every subpackage: a stage's code shapes the output
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def dependency_versions() -> str:
    """Every installed requirement of epaper with its version ("Jinja2==3.1.6 Markdown==3.10 …"):
    the libraries shape the output as much as our code does (a new PDFium draws other pixels)."""
    try:
        wanted = metadata.requires("epaper") or []
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return ""
    names = sorted({re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0] for req in wanted if "extra ==" not in req})
    versions = []
    for name in names:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}==absent")
    return " ".join(versions)


def _unseen(folders: Folders | None) -> str | None:
    """No stamp (None), and no folders: the load would take what was walked for the whole of content/."""
    if folders is not None:
        folders.clear()
    return None


RACY_NS = 100_000_000  # file times tick coarsely: a file this close to "now" may change unseen


Folders = dict[str, tuple[list[str], list[str], list[str]]]  # folder -> its folders, its links to folders, its files
FileStat = tuple[int, int, int, int]  # a file's mode, size, mtime and ctime (ns): what the load compares


def file_stat(st: os.stat_result) -> FileStat:
    return st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def input_stamp(roots: list[Path], extra: str, seen: dict[str, FileStat] | None = None,
                listing: list[bytes] | None = None, folders: Folders | None = None) -> str | None:
    """A hash of every input file's path, size and mtime (and of `extra`: options, code).
    Equal stamps mean no input changed, so a build can stop before reading anything.
    None when a file was modified so recently that a same-size save could still go
    unnoticed within the clock's tick (git's "racily clean" problem). Each file that is not a
    symbolic link goes into `seen` with its stat, so the load need not stat it again (the
    sources are walked once a build: at 100,000 articles a walk is a sizeable part of an edit).
    `listing` gets what was walked as UTF-8 lines, each ended by LISTING_SEPARATOR: a folder as
    "d PATH", a file as "PATH:SIZE:MTIME:CTIME", or "PATH:racy" when touched within the clock's
    tick; nothing when the walk could not see everything (build.py's quick path compares two).
    One bytes object, made line by line: it loads and saves at once where a dict of 100,000 did
    not, and no list of 100,000 strings stays behind in the build's memory. `folders` gets each
    folder walked with the names in it, as os.walk would give them (the folders it goes into,
    the links to folders it does not, every other name): the load finds the editions in it
    without walking content/ again. Nothing when the walk could not see everything."""
    started = time.time_ns()
    racy_from = started - RACY_NS
    newest = 0
    text: list[str] = []  # the listing's lines, joined and encoded once at the end
    add = text.append
    racy = False
    by_name = operator.attrgetter("name")

    for root in roots:
        add(f"r {root}")
        if root.is_file():
            st = root.stat()
            newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)  # issue 12: ctime too (mtime can be put back)
            if max(st.st_mtime_ns, st.st_ctime_ns) >= racy_from:
                racy = True
                add(f"{root}:racy")
            else:
                add(f"{root}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}")
            continue
        stack = [str(root)]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=by_name)
            except FileNotFoundError:
                if folders is not None and folder != str(root):  # gone since its parent was read
                    _unseen(folders)  # its parent lists it: the load walks for itself
                    folders = None
                continue
            except OSError:  # issue 12: unreadable: no stamp, so the build reads and reports it
                return _unseen(folders)
            dirs: list[str] = []
            links: list[str] = []
            names: list[str] = []
            if folders is not None:
                folders[folder] = (dirs, links, names)
            for entry in entries:
                path = entry.path
                try:
                    if entry.is_dir():
                        if entry.is_symlink():
                            links.append(entry.name)
                        else:
                            stack.append(path)
                            dirs.append(entry.name)
                        add(f"d {path}")
                        continue
                    names.append(entry.name)
                    st = entry.stat()
                except OSError:  # issue 12: a dangling link or a loop: no stamp, the build reports it
                    if entry.name.startswith("."):  # but an editor's .#x.md lock link is never read
                        continue
                    return _unseen(folders)
                mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
                if seen is not None and not entry.is_symlink():
                    seen[path] = (st.st_mode, st.st_size, mtime, ctime)
                if mtime >= racy_from or ctime >= racy_from:  # issue 12: ctime, as above
                    racy = True
                    add(f"{path}:racy")
                else:
                    add(f"{path}:{st.st_size}:{mtime}:{ctime}")
    text.append("")  # each line ended by the separator
    lines = _SEPARATOR_TEXT.join(text).encode("utf-8", "surrogateescape")
    if listing is not None:
        listing.append(lines)
    if racy:
        return None
    h = hashlib.blake2b(f"{code_fingerprint()}\0{extra}\0".encode(), digest_size=16)
    h.update(lines)  # at once: 100,000 updates were a third of the walk
    return h.hexdigest()


LISTING_SEPARATOR = b"\0"
_SEPARATOR_TEXT = LISTING_SEPARATOR.decode()


@dataclass
class SourceRecord:
    """One article file as last seen: its stat, its hash, and what parsing it gave."""

    size: int
    mtime_ns: int
    sha: str
    fields: dict[str, Any] | None
    diagnostics: list  # list[Diagnostic]
    racy: bool = False  # modified too close to when it was read: check its bytes next time
    ctime_ns: int = 0  # issue 12: the inode's change time, which no tool can put back as it can mtime
    shown: str = ""  # hash of the fields (the body's HTML is not among them): Article.shown

    def __getstate__(self) -> dict[str, Any]:
        """Its fields as parsed: an article made from them shares their dict and adds what the
        build links to it (Article.from_record), which is not the cache's to keep."""
        state = dict(self.__dict__)
        if self.fields is not None and not BUILD_STATE.isdisjoint(self.fields):
            state["fields"] = {k: v for k, v in self.fields.items() if k not in BUILD_STATE}
        return state


@dataclass
class CacheData:
    fingerprint: str
    templates: dict[str, list[str]] = field(default_factory=dict)  # template hash -> templates it uses
    dates: dict[str, str] = field(default_factory=dict)  # formatted dates (see i18n.Locale)
    media: dict[str, Any] = field(default_factory=dict)  # "KIND:PATH" -> images.MediaRecord


_ALLOWED = frozenset({
    ("builtins", name) for name in ("dict", "list", "set", "frozenset", "tuple", "str", "int", "bool", "bytes")
} | {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timezone"),
    ("datetime", "timedelta"), ("epaper.output.cache", "SourceRecord"),
    ("epaper.output.cache", "CacheData"), ("epaper.model", "CorrectionTarget"), ("epaper.errors", "Diagnostic"),
    ("epaper.errors", "Text"),
    ("epaper.model", "Area"), ("epaper.model", "PageEntry"), ("epaper.model", "Figure"),
    ("epaper.images", "MediaRecord"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
})


class _Unpickler(pickle.Unpickler):
    """Loads only epaper's own plain data: a tampered cache cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the cache")


@dataclass
class RenderMemory:
    """What rendering keeps between builds: where Jinja puts its bytecode, which templates
    each template uses (by its hash) and the dates it has formatted (see i18n.Locale)."""

    bytecode: Path
    references: dict[str, list[str]]
    dates: dict[str, str]
    fragments: FragmentStore | None = None  # list items rendered by earlier builds


class BuildCache:
    """Reads the cache at the start of a build and writes it back, atomically, at the end.

    The stages see it through a few methods: the load stage's source and media records and the
    HTML store, `render_memory()` for the renderer and `folder_for()` for the image renditions."""

    def __init__(self, root: Path, settings: str, every_record: bool = True, early: EarlyRecords | None = None) -> None:
        """`every_record` False: no record is read until asked for by folder (`folders()`), and
        saving writes those folders only (the quick path of build.py). `early`: the records
        read already (RecordStore.start)."""
        self.folder = root / CACHE_DIR
        self.path = self.folder / "cache.pickle"
        self.discarded: str | None = None  # why an existing cache was not used
        self.data = self._read()
        self.html = HtmlStore(self.folder, f"{settings} {code_fingerprint()}")
        self.records = RecordStore(self.folder, records_key(settings))
        # rel -> record; load.py replaces it
        self.sources: dict[str, SourceRecord] = self.records.load(early) if every_record else {}
        self.sources_changed = False
        self.changed: set[str] | None = None  # the files whose records the load made anew or let go (None: unknown)
        self.fragments = FragmentStore(self.folder)
        self.some: dict[str, dict[str, SourceRecord]] | None = None if every_record else {}  # folder -> records
        self.touched: set[str] = set()  # folders of `some` whose records changed: saved, the others not

    def folders(self, wanted: list[str]) -> dict[str, dict[str, SourceRecord]] | None:
        """The records of these edition folders (relative to the site), read now and saved with
        the cache, changed or not; None when any is missing or the store is not this build's."""
        assert self.some is not None, "only a cache opened without every record reads folders"
        missing = [folder for folder in wanted if folder not in self.some]
        if missing:
            found = self.records.load_folders(missing)
            if found is None:
                return None
            self.some.update(found)
        return {folder: self.some[folder] for folder in wanted}

    def render_memory(self) -> RenderMemory:
        """The renderer's memory, shared with this cache: what rendering adds is saved with it."""
        return RenderMemory(self.folder / "jinja", self.data.templates, self.data.dates, self.fragments)

    def folder_for(self, use: str) -> Path:
        """A folder of the cache for one use ("images": the renditions)."""
        return self.folder / use

    def _fresh(self) -> CacheData:
        return CacheData(fingerprint=code_fingerprint())

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
        return data

    def save(self) -> None:
        """Write to a temporary file and rename: a killed build leaves the old cache whole."""
        if self.some is not None:  # some folders only: nothing is pruned, what the others need stays
            if self.sources_changed:
                self.html.flush()
                self.records.save_folders({folder: self.some[folder] for folder in self.touched})
            self.fragments.flush()
        elif self.sources_changed:
            self.html.save(self.sources.values())
            self.records.save(self.sources, self.changed)
        if self.some is None:
            self.fragments.save(len(self.sources))
        self.html.close()
        self.records.close()
        self.fragments.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self.data.fingerprint = code_fingerprint()
        try:
            beside.put(self.path, f"epaper-cache {FORMAT} {code_fingerprint()}\n".encode() + _pickled(self.data))
        except OSError as exc:  # issue 12: a full disk's write() names no file: name it, leave no part
            raise OSError(exc.errno, exc.strerror, exc.filename or str(self.path)) from exc


def _group(blob: bytes) -> dict[str, SourceRecord]:
    """One row of the record store: a folder's records, checked to be nothing else."""
    group = _Unpickler(io.BytesIO(blob)).load()
    if not isinstance(group, dict) or not all(isinstance(r, SourceRecord) for r in group.values()):
        raise pickle.UnpicklingError("not a folder of records")
    return group


@dataclass
class EarlyRecords:
    """The record store's first rows as RecordStore.start() unpickled them, and its reading of the
    others, open until load() has read them or the build lets them go (close())."""

    key: str
    db: sqlite3.Connection | None
    rows: Iterator[tuple[str, bytes]] | None = None
    groups: dict[str, dict[str, SourceRecord]] = field(default_factory=dict)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db, self.rows = None, None


class RecordStore:
    """The content files' SourceRecords in SQLite, one row an edition folder (a pickled dict of its
    files' records): an edit's build rewrites its folder's row, where one pickle of the whole cache
    made every build write the records of the whole archive again (100 MB at 100,000 articles).
    Rows are keyed by epaper's code and the parse settings; any other key or any damage, and the
    records are parsed again, never trusted."""

    def __init__(self, folder: Path, key: str) -> None:
        self.path = folder / "records.sqlite"
        self.key = key
        self.loaded: dict[str, dict[str, SourceRecord]] = {}  # folder -> its records as read
        self.trusted = False  # the rows on disk are of this key (else all are written again)
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = _wal_database(self.path, "CREATE TABLE IF NOT EXISTS meta (key TEXT)",
                                     "CREATE TABLE IF NOT EXISTS records (folder TEXT PRIMARY KEY, blob BLOB)")
        return self._db

    def start(self, until: Callable[[], bool], every: int = 50) -> EarlyRecords | None:
        """The rows unpickled one after the other until `until()` says stop (asked every `every`
        rows): what load() would do first, done while the build's stamp is taken in another
        process (build.py); load() goes on from there, in the same reading of the store. None
        when the rows are not ours or cannot be read."""
        if not self.path.exists():
            return None
        try:
            db = sqlite3.connect(self.path, timeout=60)  # its own: load() goes on reading with it
        except sqlite3.DatabaseError:
            return None
        early = EarlyRecords(self.key, db)
        try:
            if db.execute("SELECT key FROM meta").fetchall() != [(self.key,)]:
                early.close()
                return None
            early.rows = db.execute("SELECT folder, blob FROM records ORDER BY folder")
            for done, (folder, blob) in enumerate(early.rows, start=1):
                early.groups[folder] = _group(blob)
                if done % every == 0 and until():
                    break
        except Exception:  # damaged or busy: load() reads them all again, and says so
            early.close()
            return None
        return early

    def load(self, early: EarlyRecords | None = None) -> dict[str, SourceRecord]:
        """Every record on disk, by file (relative to the site); none when they are not ours.
        `early`: the rows start() read, some of them unpickled already, when of this store's key."""
        if not self.path.exists():
            return {}
        found: dict[str, SourceRecord] = {}
        try:
            rows: Iterable[tuple[str, bytes]]
            if early is not None and early.key == self.key and early.rows is not None:
                for folder, group in early.groups.items():  # the first rows, read already
                    self.loaded[folder] = group
                    found.update(group)
                rows = early.rows
            else:
                db = self._connect()
                if db.execute("SELECT key FROM meta").fetchall() != [(self.key,)]:
                    return {}
                rows = db.execute("SELECT folder, blob FROM records ORDER BY folder")
            for folder, blob in rows:
                group = _group(blob)
                self.loaded[folder] = group
                found.update(group)
        except sqlite3.DatabaseError as exc:
            self.close()
            if early is not None:
                early.close()  # before its files may go
            if damaged(exc):
                remove_database(self.path)
            self.loaded = {}
            return {}
        except Exception:  # a damaged row: parse everything again rather than trust any of it
            self.loaded = {}
            return {}
        finally:
            self.close()  # opened again to save: the tools beside the build (areas, import) only read
            if early is not None:
                early.close()
        self.trusted = True
        return found

    def load_folders(self, folders: list[str]) -> dict[str, dict[str, SourceRecord]] | None:
        """The records of these folders alone; None when one has no row or the rows are not ours."""
        if not self.path.exists():
            return None
        found: dict[str, dict[str, SourceRecord]] = {}
        try:
            db = self._connect()
            if db.execute("SELECT key FROM meta").fetchall() != [(self.key,)]:
                return None
            for folder in folders:
                row = db.execute("SELECT blob FROM records WHERE folder = ?", (folder,)).fetchone()
                if row is None:
                    return None
                found[folder] = _group(row[0])
        except Exception:  # damaged or busy: the full build reads (and mends) them all
            return None
        finally:
            self.close()
        return found

    def save_folders(self, groups: dict[str, dict[str, SourceRecord]]) -> None:
        """Write these folders' rows again, leaving every other row as it is."""
        try:
            db = self._connect()
            with db:
                if db.execute("SELECT key FROM meta").fetchall() != [(self.key,)]:
                    return  # another build wrote rows of another key since: they are not ours to mix
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)",
                               ((f, _pickled(groups[f], memo=True)) for f in sorted(groups)))
        except sqlite3.DatabaseError as exc:
            self.close()
            if damaged(exc):
                remove_database(self.path)

    def save(self, records: dict[str, SourceRecord], files: Collection[str] | None = None) -> None:
        """Write the folders whose records changed (all of them when the rows were not ours) and
        forget the folders that are gone, in one transaction. `files`, when the caller knows them,
        are the only files whose records may differ from those read (made anew, or gone): only
        their folders are looked at (at 100,000 articles comparing every folder took 0.2 s)."""
        old = self.loaded if self.trusted else {}
        if files is not None and self.trusted:
            by_folder: dict[str, list[str]] = {}
            for rel in files:
                by_folder.setdefault(rel.rpartition("/")[0], []).append(rel)
            groups = dict(old)
            changed, gone = [], []
            for folder, mine in by_folder.items():
                group = {rel: records[rel] for rel in old.get(folder, {}) if rel in records}
                group.update((rel, records[rel]) for rel in mine if rel in records)
                if group:
                    groups[folder] = group
                    changed.append(folder)
                elif groups.pop(folder, None) is not None:
                    gone.append(folder)
        else:
            groups = {}
            for rel, record in records.items():
                groups.setdefault(rel.rpartition("/")[0], {})[rel] = record
            changed = [folder for folder, group in groups.items() if not _same_group(group, old.get(folder))]
            gone = [folder for folder in old if folder not in groups]
        try:
            db = self._connect()
            with db:
                if not self.trusted:
                    db.execute("DELETE FROM meta")
                    db.execute("DELETE FROM records")
                    db.execute("INSERT INTO meta VALUES (?)", (self.key,))
                db.executemany("DELETE FROM records WHERE folder = ?", ((f,) for f in gone))
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)",
                               ((f, _pickled(groups[f], memo=True)) for f in sorted(changed)))
        except sqlite3.DatabaseError as exc:
            self.close()
            if damaged(exc):  # the next build parses everything again
                remove_database(self.path)
            return  # busy past the timeout: the rows stay as another build left them, each still true
        self.loaded, self.trusted = groups, True

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _same_group(group: dict[str, SourceRecord], old: dict[str, SourceRecord] | None) -> bool:
    """The same files with the very records read at start (a re-parsed file has a new one)."""
    return old is not None and len(old) == len(group) and all(old.get(rel) is r for rel, r in group.items())


def _pickled(data: object, memo: bool = False) -> bytes:
    """Plain data of the cache, pickled for _Unpickler. Without `memo` every object is written
    out each time it is met (far less memory for big plain data); with it, an object met again is
    a reference, and reads back as one object: a row's records then share their keys' strings,
    which were a third of the records' memory."""
    handle = io.BytesIO()
    pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = not memo
    pickler.dump(data)
    return handle.getvalue()


class HtmlStore:
    """Rendered Markdown by content hash, in SQLite: a build reads back only the articles whose
    pages it renders, instead of loading every article's HTML at start. Each row carries the
    hash of its HTML (issue 12): a damaged row is parsed again, never published."""

    def __init__(self, folder: Path, settings: str) -> None:
        self.path = folder / "html.sqlite"
        self.settings = settings
        self.pending: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = sqlite3.connect(self.path, timeout=60)  # parse workers write side by side
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("DROP TABLE IF EXISTS html")  # rows of before issue 12, without a hash
                self._db.execute("CREATE TABLE IF NOT EXISTS html2 (digest TEXT, settings TEXT, html TEXT, "
                                 "sha TEXT, PRIMARY KEY (digest, settings))")
            except sqlite3.DatabaseError as exc:
                if self._db is not None:
                    self._db.close()
                    self._db = None
                if not damaged(exc):  # busy (another build of this site holds it): do without, keep it
                    raise
                remove_database(self.path)  # damaged: start again
                self._db = sqlite3.connect(self.path)
                self._db.execute("CREATE TABLE html2 (digest TEXT, settings TEXT, html TEXT, "
                                 "sha TEXT, PRIMARY KEY (digest, settings))")
        return self._db

    def put(self, digest_: str, html: str) -> None:
        self.pending[digest_] = html

    def get_many(self, digests: list[str]) -> dict[str, str]:
        """HTML for these content hashes; a missing one is simply absent (the caller re-parses)."""
        found = {d: self.pending[d] for d in digests if d in self.pending}
        wanted = [d for d in dict.fromkeys(digests) if d not in found]
        try:
            db = self._connect()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute("SELECT digest, html, sha FROM html2 WHERE settings = ? "
                                  f"AND digest IN ({marks})", [self.settings, *chunk])
                found.update((d, h) for d, h, sha in rows if _html_sha(d, self.settings, h) == sha)
        except sqlite3.DatabaseError:
            pass
        return found

    def flush(self) -> None:
        """Store the HTML parsed so far, so the build need not hold it all in memory."""
        if not self.pending:
            return
        try:
            db = self._connect()
            with db:
                db.executemany("INSERT OR REPLACE INTO html2 VALUES (?, ?, ?, ?)",
                               ((d, self.settings, h, _html_sha(d, self.settings, h))
                                for d, h in self.pending.items()))
        except sqlite3.DatabaseError:
            return  # kept in `pending`, still readable by this build
        self.pending.clear()

    def save(self, sources: Collection[SourceRecord]) -> None:
        """Store new HTML and, once a tenth of it is garbage, forget what no source has any more
        (not on every build: pruning reads every row, an edit's rebuild need not). The sources'
        hashes are gathered only then (at 100,000 articles, 0.07 s a build): until the rows are a
        tenth more than the sources, they are a tenth more than their distinct bodies too."""
        self.flush()
        try:
            db = self._connect()
            (rows,) = db.execute("SELECT COUNT(*) FROM html2").fetchone()
            if rows <= len(sources) * 1.1 + 100:
                return
            keep = {source.sha for source in sources}
            if rows <= len(keep) * 1.1 + 100:
                return
            with db:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (digest TEXT PRIMARY KEY)")
                db.execute("DELETE FROM keep")
                db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((d,) for d in keep))
                db.execute("DELETE FROM html2 WHERE settings != ? OR digest NOT IN (SELECT digest FROM keep)",
                           [self.settings])
        except sqlite3.DatabaseError as exc:
            if damaged(exc):
                self.close()
                remove_database(self.path)

    def prepare(self) -> None:
        """Make the database and its write-ahead log before parse workers open it side by side:
        two of them making it at once, one is told it is locked, and its share of the HTML is
        parsed again when its pages are rendered."""
        with contextlib.suppress(sqlite3.DatabaseError):  # busy: the workers try themselves
            self._connect()
        self.close()  # SQLite connections must not cross a fork

    def forked(self) -> HtmlStore:
        """A store for a worker process: SQLite connections must not cross a fork."""
        return HtmlStore(self.path.parent, self.settings)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> HtmlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        """Closed however the work ends: a worker that failed must not leave its connection (and
        its WAL read lock) to the garbage collector."""
        self.close()


class FragmentStore:
    """Rendered pieces of pages by a key of everything they are made from, in SQLite: the items
    of the section and series indexes (render.py's `list_item`). A new edition shifts every
    index page of the archive by its articles, so every index page renders again, but each
    item on it is one a build rendered before. Each row carries the hash of its key and HTML,
    as the HTML store's do: a damaged row is rendered again, never published.

    Rows are never wrong, only unused (an edited article's old item). Each row names what it is
    an item of (its group: the settings, the list's template and variables, and the article):
    once there are more than `KEEP` times as many rows as the site has content files, the rows a
    newer row of their group replaced go first (the items of an article's earlier fields), then
    the oldest written (those of earlier settings or layouts among them). Not the oldest alone:
    an old article's item, looked up by every new edition and never written again, is older
    than the items of every edit since, and the added path (added.py) must find the items of the
    articles it does not load."""

    KEEP = 3

    def __init__(self, folder: Path) -> None:
        self.path = folder / "fragments.sqlite"
        self.pending: dict[str, tuple[str, str]] = {}  # rendered by this process, not yet written: (HTML, group)
        self._db: sqlite3.Connection | None = None
        self._broken = False  # unreadable this build (busy or damaged): render everything

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = _wal_database(
                self.path, "DROP TABLE IF EXISTS fragments",  # the rows before groups
                "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, html TEXT, sha TEXT, grp TEXT)")
        return self._db

    def get_many(self, keys: list[str]) -> dict[str, str]:
        """The fragments stored under these keys; one never stored, or whose row is damaged, is
        absent (the caller renders it)."""
        found = {k: self.pending[k][0] for k in keys if k in self.pending}
        wanted = [k for k in dict.fromkeys(keys) if k not in found]
        if not wanted or self._broken:
            return found
        try:
            db = self._connect()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = db.execute(f"SELECT key, html, sha FROM items WHERE key IN ({','.join('?' * len(chunk))})",
                                  chunk)
                found.update((k, h) for k, h, sha in rows if _fragment_sha(k, h) == sha)
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
        return found

    def put(self, key: str, html: str, group: str = "") -> None:
        """`group`: what the item is an item of, across settings and layouts (see the class)."""
        self.pending[key] = (html, group)

    def flush(self) -> None:
        """Write what was rendered so far: a cold build of a big archive need not hold every item
        in memory, and worker processes write theirs side by side (SQLite waits its turn)."""
        if self._broken or not self.pending:
            return
        try:
            db = self._connect()
            with db:
                db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)",
                               ((k, h, _fragment_sha(k, h), g) for k, (h, g) in sorted(self.pending.items())))
            self.pending.clear()
        except sqlite3.DatabaseError as exc:
            self._failed(exc)

    def save(self, files: int) -> None:
        """Write what is left; then, past KEEP rows a content file, forget the rows a newer one of
        their group replaced, then the oldest, if still past it."""
        self.flush()
        if self._broken or not self.path.exists():
            return
        try:
            db = self._connect()
            with db:
                (rows,) = db.execute("SELECT COUNT(*) FROM items").fetchone()
                wanted = self.KEEP * files + 1000
                if rows > wanted:
                    db.execute("DELETE FROM items WHERE grp != '' AND rowid NOT IN "
                               "(SELECT MAX(rowid) FROM items WHERE grp != '' GROUP BY grp)")
                    (rows,) = db.execute("SELECT COUNT(*) FROM items").fetchone()
                if rows > wanted:
                    db.execute("DELETE FROM items WHERE rowid IN "
                               "(SELECT rowid FROM items ORDER BY rowid LIMIT ?)", (rows - wanted,))
        except sqlite3.DatabaseError as exc:
            self._failed(exc)

    def prepare(self) -> None:
        """Make the database and its write-ahead log before worker processes open it side by side:
        two of them making it at once, one is told it is locked, and its items would be lost."""
        if self._broken:
            return
        try:
            self._connect()
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
        self.close()  # SQLite connections must not cross a fork

    def forked(self) -> FragmentStore:
        """A store for a worker process: SQLite connections must not cross a fork."""
        return FragmentStore(self.path.parent)

    def _failed(self, exc: sqlite3.DatabaseError) -> None:
        """Busy past the timeout or damaged: this build does without; a damaged file goes."""
        self.close()
        self._broken = True
        if damaged(exc):
            remove_database(self.path)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def records_key(settings: str) -> str:
    """What the record store's rows are of: the cache's format, epaper's code, the parse settings."""
    return f"{FORMAT} {code_fingerprint()} {settings}"


def _wal_database(path: Path, *schema: str) -> sqlite3.Connection:
    """An SQLite file in write-ahead-log mode (readers beside one writer: workers, another build
    of the site saving), its tables made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA journal_mode=WAL")
    for statement in schema:
        db.execute(statement)
    return db


def remove_database(path: Path) -> None:
    """A damaged SQLite file and its write-ahead log: a log left behind would be replayed into
    the fresh database made under the same name."""
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)


def damaged(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file itself is broken (to be deleted and made again), as opposed to
    busy or locked by another build of the same site (to be left alone: it is that build's too)."""
    if isinstance(exc, sqlite3.OperationalError):
        return exc.sqlite_errorname in {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
    return True


def _fragment_sha(key: str, html: str) -> str:
    """The check of one FragmentStore row: its key and its HTML, hashed together."""
    return digest(f"{key}\0{html}".encode())


def _html_sha(digest_: str, settings: str, html: str) -> str:
    """The check of one HtmlStore row: its key and its HTML, hashed together."""
    return digest(f"{digest_}\0{settings}\0{html}".encode())
