"""Write stage: bring the staging folder to the new site, then swap it in.

OutputWriter is the one thing the build writes through: `put` a file's bytes or `keep`
the live one, then `finish`. It joins the three parts of the output side, each in its own
module: the record of what was built (record.py), the staging folder with its links and
exclusive writes (staging.py), and the atomic swap (swap.py). Search and hosting read its
plain manifests (`live`, `manifest`), never its folders."""
from __future__ import annotations

import datetime as dt
import enum
import errno
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from epaper import messages as M
from epaper.errors import Diagnostic, UsageError
from epaper.output import beside
from epaper.output.cache import digest
from epaper.output.record import (
    GONE,
    BuildRecord,
    Manifest,
    Tree,
    changes_to,
    inode,
    mark_writing,
    read_record,
    record_path,
    write_record,
)
from epaper.output.staging import StagingFolder, scan, sha_of
from epaper.output.swap import recover, staging_dir, swap

MIN_FREE = 2**20  # free bytes a build wants on the output's disk before it starts writing, at least


class Change(enum.Enum):
    """What placing a file did to the output, compared with the live site."""

    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class WriteReport:
    """Which output files this build added, changed, kept and removed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # in the order they were kept, not sorted
    removed: list[str] = field(default_factory=list)
    swapped: bool = False

    def changes(self, base_url: str) -> list[str]:
        """'added|changed|removed URL' lines, the URLs a CDN must purge or fetch."""
        lines = []
        for kind, paths in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            for path in sorted(paths):
                url = path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path
                lines.append(f"{kind} {base_url}{url}")
        return lines

    def add(self, path: str, change: Change) -> None:
        {Change.ADDED: self.added, Change.CHANGED: self.changed, Change.UNCHANGED: self.unchanged}[change].append(path)


def check_output_dir(out: Path, site: Path) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    out, site = out.resolve(), site.resolve()
    if out == site or out in site.parents:
        raise UsageError(M.OUT_IS_SITE(out=str(out)))
    for part in ("content", "layouts", "static", ".epaper-cache"):
        if out == site / part or (site / part) in out.parents:
            raise UsageError(M.OUT_IN_SITE_PART(out=str(out), part=part))
    if out.exists() and not out.is_dir():
        raise UsageError(M.OUT_IS_FILE(out=str(out)))
    if out.is_dir() and any(out.iterdir()) and not (out / "404.html").exists():
        raise UsageError(M.OUT_NOT_OURS(out=str(out)))


class OutputWriter:
    """One build's writes: `put` a page's bytes or `keep` the live one, then `finish`."""

    def __init__(self, out: Path, state_folder: Path) -> None:
        self.out = out.absolute()
        self.record_path = record_path(state_folder, self.out)
        recover(self.out, staging_dir(self.out))
        record = read_record(self.record_path)
        self.renders = record.renders
        self.stamp = record.stamp
        self.next_change = record.next_change
        self.warnings: list[Diagnostic] = record.warnings
        self.written_before = record.written
        self.base = record.base  # the record's base file, for writing the next as changes to it
        # A live folder on record always has every hash (only a staging tree may lack some).
        self.live = cast("Manifest | None", record.manifest_of(self.out) if self.out.is_dir() else {})
        if self.live is None:
            self.renders = {}  # the live folder is unknown: its pages must all be rendered again
        staging = staging_dir(self.out)
        spare = record.manifest_of(staging) if staging.is_dir() else {}
        self.cold = not self.out.exists()
        # A twin only where the staging folder starts empty: one holding a site already (the
        # output deleted by hand) is the output after the swap, and a twin would hold only what
        # this build wrote, though recorded as the whole site.
        self.folder = StagingFolder(staging, spare, self.out.parent / f".{self.out.name}.staging.twin"
                                    if self.cold and not spare else None)
        self.manifest: Manifest = {}
        self.report = WriteReport()
        self._begun = False
        self._names: tuple[int, set[str]] | None = None  # _built_names()

    @property
    def staging(self) -> Path:
        return self.folder.path

    def up_to_date(self, stamp: str | None, now: dt.datetime) -> bool:
        """True when no input changed since the last build and no edition has fallen due."""
        return (stamp is not None and self.live is not None and self.out.is_dir() and self.stamp == stamp
                and (self.next_change is None or now < self.next_change))

    def unchanged(self, path: str, key: str) -> bool:
        """True when the live page was rendered from exactly these inputs."""
        return self.live is not None and path in self.live and self.renders.get(path) == key

    def check_room(self) -> None:
        """Refuse to start writing when the output's disk cannot hold what this build will likely
        write (what the last build wrote, at least MIN_FREE; unchanged files are hard links and
        take no room): failing halfway would only fill the disk for nothing. An OSError(ENOSPC)
        naming the folder, as a full disk would."""
        needed = max(MIN_FREE, self.written_before)
        try:
            free = shutil.disk_usage(self.out.parent).free
        except OSError:
            return  # no answer from the file system: writing will tell
        if free < needed:
            raise OSError(errno.ENOSPC, f"{_mib(free)} free, a build here needs about {_mib(needed)}",
                          str(self.out.parent))

    def begin(self) -> None:
        """Forget the staging folder's manifest before touching it: a kill then leaves it unknown."""
        if self._begun:
            return
        self._begun = True
        beside.remove_leftovers(self.record_path)  # a build of this output killed writing its record left them
        mark_writing(self.record_path, inode(self.out) if self.live is not None and self.out.is_dir() else -1)
        self.folder.prepare()

    def put(self, path: str, content: bytes) -> None:
        self.begin()
        self.record(path, *self.place(path, content))

    def place(self, path: str, content: bytes) -> tuple[str, Change]:
        """Write one file into the staging folder if it differs there; its hash and the change.
        Touches no state of the writer, so worker processes can place files side by side."""
        sha = digest(content)
        previous = self.live.get(path) if self.live is not None else sha_of(self.out / path)
        change = Change.ADDED if previous is None else Change.CHANGED if previous != sha else Change.UNCHANGED
        if not self.folder.holds(path, sha):
            self.folder.place(path, content, self.out / path if previous == sha else None)
        return sha, change

    def record(self, path: str, sha: str, change: Change) -> None:
        self.manifest[path] = sha
        self.report.add(path, change)

    def keep(self, path: str) -> None:
        """The live page is still right: the staging folder gets the same file."""
        self.begin()
        assert self.live is not None, "keep() needs a live folder on record"
        sha = self.live[path]
        self.manifest[path] = sha
        self.report.unchanged.append(path)
        if not self.folder.holds(path, sha):
            self.folder.link(path, self.out / path)

    def keep_all(self, paths: list[str]) -> None:
        """keep() each of these, in one loop: the quick path keeps 150,000 files at 100,000 articles."""
        if not paths:
            return
        self.begin()
        assert self.live is not None, "keep_all() needs a live folder on record"
        shas = list(map(self.live.__getitem__, paths))
        self.manifest.update(zip(paths, shas, strict=True))
        self.report.unchanged.extend(paths)
        for path in self.folder.lacking(paths, shas):
            self.folder.link(path, self.out / path)

    def foreign(self) -> list[str]:
        """Top-level names in the live output that no build made (a CNAME put there by hand):
        the staging folder never has them, so they would come and go with every swap; they
        leave the site, with a warning saying where such a file belongs (static/)."""
        built = self._built_names()  # the manifest has a path for every file of the site
        found = [name for name in _top_level(self.out) if name not in built]
        if found and self.live is not None:  # what the last build made and this one does not (an edition taken out)
            made = _top_names(self.live)
            found = [name for name in found if name not in made]
        return sorted(found)

    def _built_names(self) -> set[str]:
        """The top-level names of the manifest's files, worked out once for foreign() and finish()
        (250,000 paths at 100,000 articles): the manifest only grows, so its size tells."""
        if self._names is None or self._names[0] != len(self.manifest):
            self._names = (len(self.manifest), _top_names(self.manifest))
        return self._names[1]

    def finish(self, renders: dict[str, str], stamp: str | None = None,
               next_change: dt.datetime | None = None,
               warnings: list[Diagnostic] | None = None) -> WriteReport:
        """Remove what the new site no longer has, swap the folders, remember both manifests."""
        self.begin()
        spare = self.folder.spare if self.folder.spare is not None else {}
        for path in sorted(spare.keys() - self.manifest.keys(), reverse=True):  # views: no set of 150,000
            self.folder.remove(path)
        for name in set(_top_level(self.staging)) - self._built_names():  # foreign: never published
            self.folder.remove_tree(name)
        live: Tree = dict(self.live) if self.live is not None else scan(self.out)
        self.report.removed = sorted(live.keys() - self.manifest.keys())
        for category in (self.report.added, self.report.changed):  # unchanged: as kept (250,000 at 100,000 articles)
            category.sort()
        written = _size(self.staging, self.report.added + self.report.changed)
        changes: dict[int, dict[str, str | None | tuple[str]]] | None = None  # to the record's base
        if self.out.is_dir() and self.live is not None and self.manifest == self.live:
            trees: dict[int, Tree] = {inode(self.out): _tree(self.live), inode(self.staging): _tree(self.manifest)}
            before = self._base_changes(inode(self.out))
            changes = {folder: before for folder in trees} if before is not None else None
        else:
            live_folder = inode(self.out)  # the staging folder's after the swap
            swap(self.staging, self.out)
            self.report.swapped = True
            trees = {inode(self.out): _tree(self.manifest)}
            twin = self.folder.twin
            if twin is not None and not self.staging.exists():
                twin.rename(self.staging)
                trees[inode(self.staging)] = _tree(self.manifest)  # a copy: the record keeps its own
            elif self.staging.is_dir():
                trees[inode(self.staging)] = live  # hashes unknown (None) when the live folder was not on record
                before = self._base_changes(live_folder)
                if before is not None:
                    made: dict[str, str | None | tuple[str]] = {
                        path: self.manifest[path] for path in self.report.added + self.report.changed}
                    made.update((path, GONE) for path in self.report.removed)
                    changes = {inode(self.out): changes_to(self._base_tree(), before, made), live_folder: before}
        write_record(self.record_path, BuildRecord(trees, renders, stamp, next_change, warnings or [], written),
                     self.base, changes)
        return self.report

    def _base_changes(self, folder: int) -> dict[str, str | None | tuple[str]] | None:
        """The live folder's files as the record read them, as changes to its base's (record.py's
        delta), when the live folder was on record."""
        if self.base is None or self.live is None:
            return None
        return self.base.changes.get(folder)

    def _base_tree(self) -> Tree:
        assert self.base is not None
        return self.base.tree


def _tree(files: Mapping[str, str | None]) -> Tree:
    """A copy of a folder's files for the record."""
    return dict(files)


def _top_level(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder)]
    except OSError:
        return []


def _top_names(manifest: Mapping[str, str]) -> set[str]:
    """The names directly in the output folder that a manifest's files use."""
    return {path.split("/", 1)[0] for path in manifest}


def _size(folder: Path, paths: list[str]) -> int:
    """The bytes of these files of a folder (the ones this build wrote)."""
    total = 0
    base = f"{folder}{os.sep}"  # names joined as strings: 5,000 paths a new edition at 100,000 articles
    for path in paths:
        try:
            total += os.stat(base + path).st_size
        except OSError:
            continue
    return total


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"
