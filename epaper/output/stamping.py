"""The input stamp taken in a forked process while the build reads the output's record.

At 100,000 articles the stamp's walk (a stat of every input file, cache.input_stamp) takes
0.6-0.7 s and reading the output's record 0.2 s, one after the other, on one core of two. A
build of a big site forks a process for the walk first and reads the record meanwhile. What the
walk found comes back through a pipe in marshal (plain tuples, lists, strings and bytes: the
stamp, the listing, each file's FileStat, the folders), exactly as input_stamp would have
filled the build's state; if anything goes wrong there, the build walks for itself."""
from __future__ import annotations

import contextlib
import marshal
import os
import select
import signal
from pathlib import Path

from epaper import parallel
from epaper.output.cache import FileStat, Folders, input_stamp

# An output's record smaller than this (a site of fewer than about 30,000 articles, whose walk
# takes a tenth of a second or less): the walk is done here, a fork and the pipe cost about as
# much as they save.
SMALL_RECORD = 8 * 2**20


class Stamping:
    """A forked walk under way; `result()` waits for it, `close()` ends it however the build goes."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.pipe: int | None = pipe

    @classmethod
    def start(cls, roots: list[Path], extra: str, record: Path) -> Stamping | None:
        """The walk started in a forked process, or None when it is better walked here: a small
        site (its output's `record` small or absent), or a process that must not fork."""
        try:
            if record.stat().st_size < SMALL_RECORD:
                return None
        except OSError:
            return None
        if not parallel.can_fork():
            return None
        try:
            read, write = os.pipe()
        except OSError:  # no descriptor left: walked here
            return None
        try:
            pid = os.fork()
        except OSError:  # no room for another process: walked here
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # the walk; nothing of the build's (no atexit, no buffers) runs here after it
            code = 1
            try:
                # Only the pipe kept: the output's lock (released when the build dies, not a walk
                # later) and a preview's sockets are the build's. Standard streams stay.
                os.closerange(3, write)
                os.closerange(write + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # ctrl-c: the build stops, and this with it
                seen: dict[str, FileStat] = {}
                listing: list[bytes] = []
                folders: Folders = {}
                stamp = input_stamp(roots, extra, seen, listing, folders)
                data = marshal.dumps((stamp, listing[0] if listing else None, seen, folders))
                with os.fdopen(write, "wb") as stream:
                    stream.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read)

    def done(self) -> bool:
        """Whether the walk has finished (its answer, or its end, is in the pipe)."""
        if self.pipe is None:
            return True
        readable, _, _ = select.select([self.pipe], [], [], 0)
        return bool(readable)

    def result(self, seen: dict[str, FileStat], listing: list[bytes], folders: Folders) -> tuple[bool, str | None]:
        """(True, the stamp) with `seen`, `listing` and `folders` filled as input_stamp fills them;
        (False, None) when the walk failed (the caller walks for itself)."""
        assert self.pipe is not None, "result() once"
        chunks = []
        try:
            while chunk := os.read(self.pipe, 1 << 20):
                chunks.append(chunk)
            with contextlib.suppress(ChildProcessError):  # reaped already (a caller's child watcher)
                os.waitpid(self.pid, 0)  # it wrote all it had: it is ending
            self.pid = 0
        finally:
            self.close()
        try:
            stamp, lines, found, walked = marshal.loads(b"".join(chunks))
        except (EOFError, ValueError, TypeError):  # the walk ended without its answer
            return False, None
        if not (stamp is None or isinstance(stamp, str)) or not isinstance(found, dict) or not isinstance(walked, dict):
            return False, None
        seen.update(found)
        if isinstance(lines, bytes):
            listing.append(lines)
        folders.update(walked)
        return True, stamp

    def close(self) -> None:
        """The pipe closed and the walk's process ended and waited for (stopped if still walking)."""
        if self.pipe is None:
            return
        os.close(self.pipe)
        self.pipe = None
        if not self.pid:
            return
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
