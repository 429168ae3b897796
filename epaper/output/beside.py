"""The files a build keeps for itself (the output's record, the site's shape, the search state,
the cache), written beside their place and renamed over it: a build killed while writing one
leaves the old file or none, never half of one, and at most its temporary file. The next build
of the same output removes those (remove_leftovers): it holds the output's lock, so another
process's temporary file of that output's name is a dead build's."""
from __future__ import annotations

import contextlib
import glob
import os
from pathlib import Path


def temporary(path: Path) -> Path:
    """This process's temporary file for `path`: NAME.PID.tmp beside it."""
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def stage(path: Path, data: bytes, mtime_ns: int | None = None) -> Path:
    """`data` written beside `path` (with that modification time), not yet in its place: a
    build writes its shape while Pagefind runs and places it once its output is in (place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = temporary(path)
    try:
        staged.write_bytes(data)
        if mtime_ns is not None:
            os.utime(staged, ns=(mtime_ns, mtime_ns))
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def place(staged: Path, path: Path) -> None:
    """The staged file renamed over `path` (or removed, if that fails)."""
    try:
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def put(path: Path, data: bytes, mtime_ns: int | None = None) -> None:
    """`path` holds `data` now, or (killed meanwhile) what it held before."""
    place(stage(path, data, mtime_ns), path)


def remove_leftovers(path: Path) -> None:
    """The temporary files of `path`, and of files named after it (NAME.delta, NAME.writing),
    that builds killed while writing them left, this process's own excepted. Only for a
    caller holding the lock of what `path` belongs to (the output's)."""
    mine = temporary(path).name
    for left in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        if left.name != mine:
            with contextlib.suppress(OSError):  # a folder of that name: not a build's, and no reason to fail
                left.unlink(missing_ok=True)
