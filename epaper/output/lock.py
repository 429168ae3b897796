"""One build per output folder at a time.

Two overlapping builds of one output (a CI retry, a cron publish, an editor's manual
build) would each read the staging folder and the output's state, then swap and save
over each other: the live site loses files and the state stops describing it. An
`flock` on a file beside the output serialises them; the kernel releases it when its
holder dies, so a killed build never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from epaper import messages as M
from epaper.errors import Text


class Locked(Exception):
    """Another build holds the output's lock and the caller asked not to wait (exit status 3).
    It carries a message id's Text, shown in the editor's language."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def lock_path(out: Path) -> Path:
    """`.public.lock` beside `public/`: never inside the folder that gets swapped."""
    out = out.absolute()
    return out.parent / f".{out.name}.lock"


def _holder(handle: int) -> str:
    """The pid the holder wrote into the lock file, for the message; '?' if unknown."""
    try:
        text = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "?"
    return text if text.isdigit() else "?"


@contextmanager
def output_lock(out: Path, wait: bool = True) -> Iterator[None]:
    """Hold the output's lock for the block; wait for it (saying so) or raise Locked.
    The file is never deleted: removing a lock file others may have open breaks flock."""
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            if not wait:
                raise Locked(M.LOCKED(pid=holder, out=str(out), lock=str(path))) from None
            print(f"epaper: waiting for another build (pid {holder}) writing {out} to finish (lock {path})",
                  file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # releases the lock
