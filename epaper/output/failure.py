"""Failures of the machine, not of the content: a full disk, a read-only folder, a
permission, a path of the wrong type. They are named as what they are, with the path,
never as an internal error of epaper; and the message says truly whether the new site
went live (the swap may have happened before the failure, e.g. saving the cache)."""
from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

from epaper.output.swap import staging_dir

EXIT_ENVIRONMENT = 74  # sysexits' EX_IOERR: neither a content error (1) nor a bug (70)

_WHAT = MappingProxyType({
    errno.ENOSPC: ("the disk is full", "free some space and build again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space and build again"),
    errno.EROFS: ("the file system is read-only", "build into a writable folder (--out) or remount it"),
    errno.EACCES: ("permission denied", "fix the permissions of that path, or build as the user owning it"),
    errno.EPERM: ("permission denied", "fix the permissions of that path, or build as the user owning it"),
    errno.ENOTDIR: ("a file is where a folder should be", "move that file away"),
    errno.EEXIST: ("a file is where a folder should be", "move that file away"),
    errno.EISDIR: ("a folder is where a file should be", "move that folder away"),
    errno.EIO: ("an input/output error (a failing disk?)", "check the disk, then build again"),
})


def describe(exc: OSError) -> str:
    """'the disk is full: PATH (No space left on device); free some space and build again'."""
    what, fix = _WHAT.get(exc.errno or 0, ("cannot read or write", "check that path"))
    paths = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p)
    reason = exc.strerror or str(exc)
    return f"{what}: {paths} ({reason}); {fix}" if paths else f"{what} ({reason}); {fix}"


class WriteFailure(Exception):
    """An OSError during a build, with whether the new site is live."""

    def __init__(self, error: OSError, out: Path, live: bool) -> None:
        self.error, self.out, self.live = error, out, live
        outcome = (f"the new site is live in {out}, but the build could not finish its records: "
                   "the next build brings them up to date") if live else \
            f"the previous output in {out} is untouched"
        super().__init__(f"{describe(error)}. {outcome}")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
        return st.st_dev, st.st_ino
    except OSError:
        return None


@contextmanager
def reported(out: Path) -> Iterator[None]:
    """Turn an OSError of the build into WriteFailure saying whether the swap happened (the
    output folder is another one then). On a full disk the staging folders go, so the failed
    build does not keep the space it took: the next build finds none and starts one afresh
    (a writer knows a staging folder only when it exists as it starts)."""
    out = out.absolute()
    before = _identity(out)
    try:
        yield
    except OSError as exc:
        live = _identity(out) != before
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            staging = staging_dir(out)
            for folder in (staging, staging.with_name(staging.name + ".twin")):
                shutil.rmtree(folder, ignore_errors=True)
        raise WriteFailure(exc, out, live) from exc
    except Exception as exc:  # a bug of ours: the command line still says truly what is online
        exc.epaper_live = _identity(out) != before  # type: ignore[attr-defined]
        raise
