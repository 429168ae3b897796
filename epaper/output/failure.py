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

from epaper import messages as M
from epaper.errors import Text
from epaper.output.swap import staging_dir

EXIT_ENVIRONMENT = 74  # sysexits' EX_IOERR: neither a content error (1) nor a bug (70)

_WHAT = MappingProxyType({
    errno.ENOSPC: (M.DISK_FULL, M.FREE_SPACE),
    errno.EDQUOT: (M.QUOTA_USED, M.FREE_SPACE),
    errno.EROFS: (M.READ_ONLY, M.BUILD_ELSEWHERE),
    errno.EACCES: (M.PERMISSION_DENIED, M.FIX_PERMISSIONS),
    errno.EPERM: (M.PERMISSION_DENIED, M.FIX_PERMISSIONS),
    errno.ENOTDIR: (M.FILE_FOR_FOLDER, M.MOVE_FILE),
    errno.EEXIST: (M.FILE_FOR_FOLDER, M.MOVE_FILE),
    errno.EISDIR: (M.FOLDER_FOR_FILE, M.MOVE_FOLDER),
    errno.EIO: (M.IO_ERROR, M.CHECK_DISK),
})


def failure_text(exc: OSError) -> Text:
    """The machine's problem as a message id's Text, shown in the editor's language. The
    system's own reason (strerror) stays as the system gave it."""
    what, fix = _WHAT.get(exc.errno or 0, (M.CANNOT_READ_OR_WRITE, M.CHECK_PATH))
    paths = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p)
    reason = str(exc.strerror or exc)
    if paths:
        return M.MACHINE_FAILED(what=what(), paths=paths, reason=reason, fix=fix())
    return M.MACHINE_FAILED_NO_PATH(what=what(), reason=reason, fix=fix())


def describe(exc: OSError) -> str:
    """'the disk is full: PATH (No space left on device); free some space and build again'."""
    return str(failure_text(exc))


class WriteFailure(Exception):
    """An OSError during a build, with whether the new site is live."""

    def __init__(self, error: OSError, out: Path, live: bool) -> None:
        self.error, self.out, self.live = error, out, live
        kind = M.WRITE_FAILED_LIVE if live else M.WRITE_FAILED_UNTOUCHED
        self.text = kind(problem=failure_text(error), out=str(out))
        super().__init__(str(self.text))


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
