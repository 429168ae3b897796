"""The swap: the staging folder becomes the output in one atomic rename, so readers never
see a half-written site and a failed or killed build leaves the previous output whole.

On Linux renameat2(RENAME_EXCHANGE) exchanges the two folders in one step; elsewhere
three renames do it, and `recover` puts things right when a kill fell between them."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

_RENAME_EXCHANGE = 2


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def old_dir(out: Path) -> Path:
    """Where the fallback swap parks the live folder for a moment."""
    return out.parent / f".{out.name}.old"


def recover(out: Path, staging: Path) -> None:
    """Undo a fallback swap that a kill interrupted."""
    old = old_dir(out)
    if old.exists():
        if not out.exists():
            os.rename(old, out)  # killed between the two renames: the previous site returns
        elif not staging.exists():
            os.rename(old, staging)
        else:
            shutil.rmtree(old)


def swap(staging: Path, out: Path) -> None:
    """Make `staging` the output and the previous output the staging folder."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    old = old_dir(out)
    os.rename(out, old)
    os.rename(staging, out)
    os.rename(old, staging)


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    """libc's renameat2, looked up once (find_library runs a subprocess), or None."""
    try:
        function: Callable[..., int] = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6",
                                                   use_errno=True).renameat2
        return function
    except (OSError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one atomic step."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0
