"""The record of what was built into an output folder: for the live folder and its staging
twin, the hash of every file (their manifests, keyed by the folder's inode so a swap made
behind our back is noticed), each page's render key, the inputs' stamp, when the next
scheduled edition falls due, and the warnings of the last build (repeated by a no-op build).

It lives in the site's cache folder, one file per output folder, in marshal: plain dicts of
strings load several times faster than pickle and build no objects but those (marshal is not
made for files others can write: the cache folder is the site's own). Anything unexpected in
it means no record (a full render), never a wrong one."""
from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from epaper.errors import Diagnostic, Text

FORMAT = 3  # 2: warnings kept as message ids and arguments; 3: a second folder as changes to the first

Manifest = dict[str, str]  # output path -> content hash
Tree = dict[str, str | None]  # a folder's files as recorded; None: a file whose hash is unknown


@dataclass
class BuildRecord:
    """What the last build into one output folder left, as read back."""

    trees: dict[int, Tree] = field(default_factory=dict)  # folder inode -> its files
    renders: dict[str, str] = field(default_factory=dict)  # page path -> render key
    stamp: str | None = None  # every input's stat (cache.input_stamp)
    next_change: dt.datetime | None = None  # a scheduled edition falls due
    warnings: list[Diagnostic] = field(default_factory=list)
    written: int = 0  # bytes the last build wrote (not linked): what the next one likely needs

    def manifest_of(self, folder: Path) -> Tree | None:
        """The folder's files as recorded, or None when it is not the folder recorded."""
        return self.trees.get(inode(folder)) if folder.is_dir() else None


def record_path(state_folder: Path, out: Path) -> Path:
    """One record per output folder, named after its absolute path."""
    key = hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()
    return state_folder / f"output-{key}.marshal"


def read_record(path: Path) -> BuildRecord:
    """The record at `path`; while a build's mark is beside it (mark_writing), only what that
    build could not touch: the live folder's files as they were and the render keys."""
    record = _read(path)
    try:
        live = int(writing_path(path).read_text("ascii"))
    except FileNotFoundError:
        return record
    except (OSError, ValueError):
        live = -1  # a mark damaged: nothing but the keys (no folder is then known)
    tree = record.trees.get(live)
    return BuildRecord(trees={live: tree} if tree is not None else {}, renders=record.renders)


def writing_path(path: Path) -> Path:
    """The mark of a build writing into the staging folder, beside the record."""
    return path.with_name(f"{path.name}.writing")


def mark_writing(path: Path, live: int) -> None:
    """Before a build first touches the staging folder: until write_record, the record is read as
    the live folder's files (`live`, that folder's inode) and the keys alone (read_record): a kill
    then leaves the staging folder unknown and no stamp. A few bytes, where writing the whole
    record again took 0.14 s at 100,000 articles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mark = writing_path(path)
    temporary = mark.with_name(f"{mark.name}.{os.getpid()}.tmp")
    temporary.write_text(str(live), "ascii")
    os.replace(temporary, mark)


def _read(path: Path) -> BuildRecord:
    try:
        state = marshal.loads(path.read_bytes())
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            return BuildRecord()
        next_change = state.get("next_change")
        return BuildRecord(
            trees=_trees(state["trees"]), renders=state.get("renders", {}), stamp=state.get("stamp"),
            next_change=dt.datetime.fromisoformat(next_change) if next_change else None,
            warnings=[Diagnostic(path, line, Text.from_plain(text), warning)
                      for path, line, text, warning in state.get("warnings", [])], written=state.get("written", 0))
    except Exception:
        return BuildRecord()


def write_record(path: Path, record: BuildRecord) -> None:
    """Write beside and rename: a killed build leaves the previous record whole. A build's mark
    (mark_writing) goes once it is written."""
    state: dict[str, Any] = {
        "format": FORMAT, "trees": _as_changes(record.trees), "renders": record.renders, "stamp": record.stamp,
        "next_change": record.next_change.isoformat() if record.next_change else None,
        "warnings": [(w.path, w.line, w.text.plain(), w.warning) for w in record.warnings],
        "written": record.written,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(marshal.dumps(state))
    os.replace(temporary, path)
    writing_path(path).unlink(missing_ok=True)


def inode(path: Path) -> int:
    """A folder's identity: the swap exchanges names, the inodes stay with the contents."""
    try:
        st = path.stat()
        return st.st_ino * 1000003 + st.st_dev
    except OSError:
        return -1


_GONE = ("gone",)  # what _as_changes puts for a file the first folder has and the second not


def _as_changes(trees: dict[int, Tree]) -> dict[int, Tree | tuple[int, Tree]]:
    """The folders' files to write: the first as they are, the second as (the first's inode, its
    files that differ from the first's). The staging folder holds what the live one held a build
    ago: a new edition changes a few thousand of 250,000 files at 100,000 articles, and the
    record loads in half the time (0.2 s less in every build)."""
    if len(trees) != 2:
        return dict(trees)
    (base, first), (other, second) = trees.items()
    changes: dict[str, Any] = {path: sha for path, sha in second.items()
                               if path not in first or first[path] != sha}
    changes.update((path, _GONE) for path in first.keys() - second.keys())
    return {base: first, other: (base, changes)}


def _trees(stored: dict[int, Any]) -> dict[int, Tree]:
    """The folders' files as _as_changes wrote them (a KeyError or TypeError when they are not)."""
    trees: dict[int, Tree] = {}
    for inode_, files in stored.items():
        if isinstance(files, tuple):
            base, changes = files
            tree = dict(stored[base])
            for path, sha in changes.items():
                if sha == _GONE:
                    del tree[path]
                else:
                    tree[path] = sha
            trees[inode_] = tree
        else:
            trees[inode_] = files
    if not all(isinstance(tree, dict) for tree in trees.values()):
        raise TypeError("not a record of folders")
    return trees
