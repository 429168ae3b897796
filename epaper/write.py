"""Write stage: bring the staging folder beside the output to the new site, then
swap the two with one atomic rename, so readers never see a half-written site and
a failed or killed build leaves the previous output byte for byte.

The two folders are kept as a pair (double buffering): the staging folder holds
the site of the build before last, with a manifest of its files' hashes, so a
build only writes what differs from it. Files are never modified in place (always
written to a temporary name and renamed), which makes hard links between the two
folders safe: an unchanged page is a hard link to the live file and keeps its
modification time, so rsync and CDN uploads see nothing new."""
from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import hashlib
import marshal
import os
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from .cache import digest
from .errors import Diagnostic, UsageError

_RENAME_EXCHANGE = 2
STATE_FORMAT = 1


@dataclass
class WriteReport:
    """Which output files this build added, changed, kept and removed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
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


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def check_output_dir(out: Path, site: Path) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    out, site = out.resolve(), site.resolve()
    if out == site or out in site.parents:
        raise UsageError(f"--out {out} would replace the site folder itself; choose a folder inside it, like public/")
    for part in ("content", "layouts", "static", ".epaper-cache"):
        if out == site / part or (site / part) in out.parents:
            raise UsageError(f"--out {out} is inside the site's {part}/ folder; choose another folder, like public/")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "404.html").exists():
        raise UsageError(f"--out {out} is not empty and does not look like an epaper output (no 404.html); "
                         "refusing to replace it: remove it or choose another folder")


class OutputWriter:
    """One build's writes: `put` a page's bytes or `keep` the live one, then `finish`."""

    def __init__(self, out: Path, state_folder: Path) -> None:
        self.out = out.absolute()
        self.staging = staging_dir(self.out)
        key = hashlib.blake2b(str(self.out).encode(), digest_size=8).hexdigest()
        self.state_path = state_folder / f"output-{key}.marshal"
        self._recover()
        state = self._read_state()
        trees: dict[int, dict[str, str]] = state.get("trees", {})
        self.renders: dict[str, str] = state.get("renders", {})
        self.stamp: Optional[str] = state.get("stamp")
        self.next_change = state.get("next_change")
        self.warnings: list = state.get("warnings", [])
        self.live: Optional[dict[str, str]] = trees.get(_inode(self.out)) if self.out.is_dir() else {}
        self.spare: Optional[dict[str, str]] = trees.get(_inode(self.staging)) if self.staging.is_dir() else {}
        if self.live is None:
            self.renders = {}  # the live folder is unknown: its pages must all be rendered again
        self.manifest: dict[str, str] = {}
        self.report = WriteReport()
        self._folders: set[Path] = set()  # folders known to exist in the staging folder
        # A first build (no output yet) also links every file it writes into a twin of the
        # staging folder, which becomes the next staging folder: the first incremental build
        # then has its twin ready instead of linking the whole site file by file.
        self.twin = self.out.parent / f".{self.out.name}.staging.twin"
        self.cold = not self.out.exists()
        self._begun = False

    # ------------------------------------------------------------ state

    def _recover(self) -> None:
        """Undo a fallback swap (no renameat2) that a kill interrupted."""
        old = self.out.parent / f".{self.out.name}.old"
        if old.exists():
            if not self.out.exists():
                os.rename(old, self.out)  # killed between the two renames: the previous site returns
            elif not self.staging.exists():
                os.rename(old, self.staging)
            else:
                shutil.rmtree(old)

    def _read_state(self) -> dict:
        """The manifests, render keys and stamp of the last build into this folder, or nothing.
        marshal, not pickle: plain dicts of strings load several times faster, and it cannot
        run code; anything unexpected means no state (a full render), never a wrong one."""
        try:
            state = marshal.loads(self.state_path.read_bytes())
            if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
                return {}
            if state.get("next_change"):
                state["next_change"] = dt.datetime.fromisoformat(state["next_change"])
            state["warnings"] = [Diagnostic(*w) for w in state.get("warnings", [])]
            return state
        except Exception:
            return {}

    def _write_state(self, state: dict) -> None:
        state = dict(state, format=STATE_FORMAT)
        if state.get("next_change"):
            state["next_change"] = state["next_change"].isoformat()
        state["warnings"] = [(w.path, w.line, w.message, w.warning) for w in state.get("warnings", [])]
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(state))
        os.replace(temporary, self.state_path)

    def up_to_date(self, stamp: Optional[str], now: dt.datetime) -> bool:
        """True when no input changed since the last build and no edition has fallen due."""
        return (stamp is not None and self.live is not None and self.out.is_dir() and self.stamp == stamp
                and (self.next_change is None or now < self.next_change))

    def unchanged(self, path: str, key: str) -> bool:
        """True when the live page was rendered from exactly these inputs."""
        return self.live is not None and path in self.live and self.renders.get(path) == key

    # ------------------------------------------------------------ writing

    def begin(self) -> None:
        """Forget the staging folder's manifest before touching it: a kill then leaves it unknown."""
        if self._begun:
            return
        self._begun = True
        if self.spare is None and self.staging.exists():
            shutil.rmtree(self.staging)  # contents unknown: start it afresh
            self.spare = {}
        self.staging.mkdir(parents=True, exist_ok=True)
        if self.twin.exists():
            shutil.rmtree(self.twin)  # left by a first build that was killed
        if self.cold:
            self.twin.mkdir()
        trees = {} if self.live is None or not self.out.is_dir() else {_inode(self.out): self.live}
        self._write_state({"trees": trees, "renders": self.renders})

    def put(self, path: str, content: bytes) -> None:
        self.begin()
        self.record(path, *self.place(path, content))

    def place(self, path: str, content: bytes) -> tuple[str, str]:
        """Write one file into the staging folder if it differs there; (hash, added|changed|unchanged).
        Touches no state of the writer, so worker processes can place files side by side."""
        sha = digest(content)
        previous = self.live.get(path) if self.live is not None else _sha_of(self.out / path)
        category = "added" if previous is None else "changed" if previous != sha else "unchanged"
        if self.spare is not None and self.spare.get(path) == sha:
            return sha, category  # the staging folder already has these bytes
        target = _safe_join(self.staging, path)
        fresh = self.spare is not None and path not in self.spare  # no file there yet
        if not (previous == sha and _link(self.out / path, target, fresh, self._folders)):
            _write(target, content, fresh, self._folders)
        if self.cold:
            _link(target, self.twin / path, True, self._folders)
        return sha, category

    def record(self, path: str, sha: str, category: str) -> None:
        self.manifest[path] = sha
        getattr(self.report, category).append(path)

    def keep(self, path: str) -> None:
        """The live page is still right: the staging folder gets the same file."""
        self.begin()
        assert self.live is not None
        sha = self.live[path]
        self.manifest[path] = sha
        self.report.unchanged.append(path)
        if self.spare is not None and self.spare.get(path) == sha:
            return
        target = _safe_join(self.staging, path)
        fresh = self.spare is not None and path not in self.spare
        if not _link(self.out / path, target, fresh, self._folders):
            _write(target, (self.out / path).read_bytes(), fresh, self._folders)

    def prune(self, suffix: str) -> None:
        """Remove from the staging folder the files ending in `suffix` that this build has not
        placed (so far), before a tool reads the folder: what is left is this build's."""
        self.begin()
        assert self.spare is not None
        for path in sorted((p for p in self.spare if p.endswith(suffix) and p not in self.manifest), reverse=True):
            _remove(self.staging, path)
            del self.spare[path]

    def finish(self, renders: dict[str, str], stamp: Optional[str] = None,
               next_change: Optional[dt.datetime] = None, warnings: Optional[list] = None) -> WriteReport:
        """Remove what the new site no longer has, swap the folders, remember both manifests."""
        self.begin()
        spare = self.spare if self.spare is not None else {}
        for path in sorted(set(spare) - set(self.manifest), reverse=True):
            _remove(self.staging, path)
        live = self.live if self.live is not None else _scan(self.out)
        self.report.removed = sorted(set(live) - set(self.manifest))
        for category in (self.report.added, self.report.changed, self.report.unchanged):
            category.sort()
        if self.out.is_dir() and self.live is not None and self.manifest == self.live:
            trees = {_inode(self.out): self.live, _inode(self.staging): self.manifest}
        else:
            _swap(self.staging, self.out)
            self.report.swapped = True
            trees = {_inode(self.out): self.manifest}
            if self.cold and not self.staging.exists():
                os.rename(self.twin, self.staging)
                trees[_inode(self.staging)] = dict(self.manifest)  # a copy: prune() edits the spare's
            elif self.staging.is_dir():
                trees[_inode(self.staging)] = live
        self._write_state({"trees": trees, "renders": renders, "stamp": stamp, "next_change": next_change,
                           "warnings": warnings or []})
        return self.report


# ---------------------------------------------------------------- files


def _inode(path: Path) -> int:
    try:
        st = path.stat()
        return st.st_ino * 1000003 + st.st_dev
    except OSError:
        return -1


def _safe_join(root: Path, rel: str) -> Path:
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        raise ValueError(f"refusing to write outside the output folder: {rel}")
    return root / rel


def _sha_of(path: Path) -> Optional[str]:
    try:
        return digest(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _scan(root: Path) -> dict[str, Optional[str]]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): None for p in root.rglob("*") if p.is_file()}


def _folder(path: Path, known: set[Path]) -> None:
    """mkdir -p, remembering what exists: a cold build would otherwise ask once per page."""
    if path not in known:
        path.mkdir(parents=True, exist_ok=True)
        known.add(path)


def _write(target: Path, content: bytes, fresh: bool, known: set[Path]) -> None:
    """Write the staging copy of a file. Where no file is there yet it is created directly
    (O_EXCL: never through an existing name); otherwise it is written beside and renamed
    over, so the old inode, which may be the live file's hard link, is never modified."""
    try:
        _write_file(target, content, fresh, known)
    except OSError as exc:  # issue 12: a full disk's write() names no file: name it
        raise OSError(exc.errno, exc.strerror, exc.filename or str(target)) from exc


def _write_file(target: Path, content: bytes, fresh: bool, known: set[Path]) -> None:
    _folder(target.parent, known)
    if fresh:
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
            return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
    os.replace(temporary, target)


def _link(source: Path, target: Path, fresh: bool, known: set[Path]) -> bool:
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


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    old = out.parent / f".{out.name}.old"
    os.rename(out, old)
    os.rename(staging, out)
    os.rename(old, staging)


@lru_cache(maxsize=1)
def _renameat2() -> Optional[Callable[..., int]]:
    """libc's renameat2, looked up once (find_library runs a subprocess), or None."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one atomic step."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0
