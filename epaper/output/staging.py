"""The staging folder: where the next site is put together, file by file, beside the live one.

The two folders are kept as a pair (double buffering): the staging folder holds the site
of the build before last, and its manifest says what is in it, so a build only writes what
differs. Files are never modified in place (always written to a temporary name and
renamed), which makes hard links between the two folders safe: an unchanged page is a hard
link to the live file and keeps its modification time, so rsync and CDN uploads see nothing
new. Where no file is there yet one is created with O_EXCL, never through an existing name."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from epaper.output.cache import digest
from epaper.output.record import Tree


class StagingFolder:
    """One build's view of the staging folder: what it held before (`spare`) and the writes."""

    def __init__(self, path: Path, spare: Tree | None, twin: Path | None) -> None:
        self.path = path
        self.spare = spare  # its files as recorded; None: unknown (it is emptied before use)
        # A first build (no output yet) also links every file it writes into a twin of the
        # staging folder, which becomes the next staging folder: the first incremental build
        # then has its twin ready instead of linking the whole site file by file.
        self.twin = twin
        self._folders: dict[str, None] = {}  # folders made lately (see _folder)

    def prepare(self) -> None:
        """Empty it if its contents are unknown; start the twin of a first build afresh."""
        if self.spare is None and self.path.exists():
            shutil.rmtree(self.path)
            self.spare = {}
        self.path.mkdir(parents=True, exist_ok=True)
        if self.twin is not None:
            if self.twin.exists():
                shutil.rmtree(self.twin)  # left by a first build that was killed
            self.twin.mkdir()

    def holds(self, path: str, sha: str) -> bool:
        """True when the staging folder already has these bytes at `path`."""
        return self.spare is not None and self.spare.get(path) == sha

    def lacking(self, paths: list[str], shas: list[str]) -> list[str]:
        """The paths whose bytes (`shas`) the staging folder does not hold: holds() for many at
        once (250,000 kept files at 100,000 articles)."""
        if self.spare is None:
            return paths
        has = self.spare.get
        return [path for path, sha in zip(paths, shas, strict=True) if has(path) != sha]

    def _fresh(self, path: str) -> bool:
        return self.spare is not None and path not in self.spare  # no file there yet

    def place(self, path: str, content: bytes, live_copy: Path | None) -> None:
        """Put `content` at `path`: a hard link to `live_copy` (the same bytes, live) when there
        is one and the file system allows, else written."""
        target = safe_join(self.path, path)
        fresh = self._fresh(path)
        if not (live_copy is not None and _link(live_copy, target, fresh, self._folders)):
            _write(target, content, fresh, self._folders)
        if self.twin is not None:
            _link(target, self.twin / path, True, self._folders)

    def link(self, path: str, live_copy: Path) -> None:
        """The live file is still right: the staging folder gets the same file."""
        target = safe_join(self.path, path)
        fresh = self._fresh(path)
        if not _link(live_copy, target, fresh, self._folders):
            _write(target, live_copy.read_bytes(), fresh, self._folders)

    def remove(self, path: str) -> None:
        """Delete one file, and the folders it leaves empty."""
        _remove(self.path, path)

    def remove_tree(self, name: str) -> None:
        """Delete a file or folder directly in the staging folder that no build made."""
        target = safe_join(self.path, name)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


def safe_join(root: Path, rel: str) -> Path:
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        raise ValueError(f"refusing to write outside the output folder: {rel}")
    return root / rel


def sha_of(path: Path) -> str | None:
    """A regular file's content hash, or None."""
    try:
        return digest(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def scan(root: Path) -> dict[str, str | None]:
    """The files of a folder we have no record of (their hashes unknown)."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): None for p in root.rglob("*") if p.is_file()}


RECENT_FOLDERS = 1024  # folders _folder remembers


def _folder(path: Path, known: dict[str, None]) -> None:
    """mkdir -p, remembering the folders made lately: files placed one after the other in one
    folder (images, search chunks) ask once. Only lately: most pages have a folder of their own,
    and remembering every one held 300,000 names at 100,000 articles (staging and its twin)."""
    name = str(path)
    if name not in known:
        path.mkdir(parents=True, exist_ok=True)
        known[name] = None
        if len(known) > RECENT_FOLDERS:
            del known[next(iter(known))]


def _write(target: Path, content: bytes, fresh: bool, known: dict[str, None]) -> None:
    """Write the staging copy of a file. Where no file is there yet it is created directly
    (O_EXCL: never through an existing name); otherwise it is written beside and renamed
    over, so the old inode, which may be the live file's hard link, is never modified."""
    try:
        _write_file(target, content, fresh, known)
    except OSError as exc:  # a full disk's write() names no file: name it
        raise OSError(exc.errno, exc.strerror, exc.filename or str(target)) from exc


def _write_all(descriptor: int, content: bytes) -> None:
    """All of `content` to a descriptor, without a file object (os.fdopen asks the file whether
    it is a terminal and what it is: two system calls more for each of 15,000 pages)."""
    view = memoryview(content)
    while view:
        written = os.write(descriptor, view)
        if written <= 0:  # a regular file writes something or raises (ENOSPC); never loop on nothing
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def _write_file(target: Path, content: bytes, fresh: bool, known: dict[str, None]) -> None:
    _folder(target.parent, known)
    if fresh:
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            pass
        else:
            try:
                _write_all(descriptor, content)
            finally:
                os.close(descriptor)
            return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
    os.replace(temporary, target)


def _link(source: Path, target: Path, fresh: bool, known: dict[str, None]) -> bool:
    """Hard-link source to target (replacing it); False when the file system can't."""
    try:
        _folder(target.parent, known)
        if fresh:
            try:
                os.link(source, target)
                return True
            except FileExistsError:
                pass
        temporary = target.with_name(f".{target.name}.{os.getpid()}.lnk")
        if temporary.exists():
            temporary.unlink()
        os.link(source, temporary)
        os.replace(temporary, target)
        if temporary.exists():  # rename() does nothing when both names are links to one file
            temporary.unlink()
        return True
    except OSError:
        return False


def _remove(root: Path, rel: str) -> None:
    path = root / rel
    try:
        path.unlink()
    except FileNotFoundError:
        return
    parent = path.parent
    while parent != root:
        try:
            parent.rmdir()  # only when empty
        except OSError:
            break
        parent = parent.parent
