"""Reading a site's files safely: never outside the site, UTF-8 or a clear error.

Only regular files and folders are read: a FIFO would block the build forever and a
device yields endless or secret bytes, so both are refused after a stat, before any
open. Every failure names its path: nothing of the site disappears without an error."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from epaper import messages as M
from epaper.errors import Diagnostics, Text


class SiteReader:
    """Reads one site's files, refusing symbolic links that lead outside it."""

    def __init__(self, root: Path, diags: Diagnostics) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.diags = diags

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def inside(self, path: Path) -> bool:
        """False for a symlink (or a file under one) that leads outside the site."""
        try:
            path.resolve().relative_to(self.real_root)
            return True
        except ValueError:
            self.diags.error(self.rel(path), 1, M.LINK_OUTSIDE_SITE())
            return False
        except OSError as exc:
            self.diags.error(self.rel(path), 1, M.CANNOT_READ(reason=exc.strerror or str(exc)))
            return False
        except RuntimeError:  # Python < 3.13 reports a symlink loop so
            self.diags.error(self.rel(path), 1, M.CANNOT_READ(reason=os.strerror(errno.ELOOP)))
            return False

    def read(self, path: Path) -> bytes | None:
        """The file's bytes; folders were checked while walking, so only a link needs resolving."""
        if path.is_symlink() and not self.inside(path):
            return None
        try:
            return read_regular(path)
        except NotRegular as exc:
            self.diags.error(self.rel(path), 1, exc.text)
            return None
        except OSError as exc:
            self.diags.error(self.rel(path), 1, M.CANNOT_READ(reason=exc.strerror or str(exc)))
            return None

    def walk_error(self, exc: OSError) -> None:
        """os.walk's onerror: a folder that cannot be listed is an error, not an empty folder."""
        self.diags.error(self.rel(Path(exc.filename)) if exc.filename else "content", 1,
                         M.CANNOT_READ(reason=exc.strerror or str(exc)))

    def files(self, base: Path, within: Path | None = None) -> Iterator[Path]:
        """Every readable regular file below `base` (a folder of the site), sorted; each folder
        or file that cannot be read, each FIFO or device is an error naming it instead. With
        `within`, a symbolic link must stay inside that folder (static/ publishes what it holds:
        a link to config.yaml, the cache or a draft would publish it); linked folders inside
        it are followed, each once."""
        seen = {os.path.realpath(base)}
        for folder, dirs, names in os.walk(base, onerror=self.walk_error, followlinks=within is not None):
            dirs.sort()
            for name in list(dirs):
                path = Path(folder) / name
                if not path.is_symlink():
                    continue
                real = os.path.realpath(path)
                if not self.inside(path) or (within is not None and not self.within(path, within)) or real in seen:
                    dirs.remove(name)
                seen.add(real)
            for name in sorted(names):
                path = Path(folder) / name
                if within is not None and path.is_symlink() and self.inside(path) and not self.within(path, within):
                    continue
                if self.readable(path):
                    yield path

    def within(self, path: Path, folder: Path) -> bool:
        """True when a link leads inside `folder`; else an error saying where it leads."""
        target = Path(os.path.realpath(path))
        if target.is_relative_to(os.path.realpath(folder)):
            return True
        try:
            shown = target.relative_to(self.real_root).as_posix()
        except ValueError:
            shown = str(target)
        self.diags.error(self.rel(path), 1, M.LINK_OUTSIDE_FOLDER(target=shown, folder=self.rel(folder)))
        return False

    def readable(self, path: Path) -> bool:
        """True for a regular file inside the site that opens; else an error naming it.
        Opened without reading (O_NONBLOCK: never waits), so permission problems show now."""
        if path.is_symlink() and not self.inside(path):
            return False
        try:
            os.close(_open_regular(path))
            return True
        except NotRegular as exc:
            self.diags.error(self.rel(path), 1, exc.text)
        except OSError as exc:
            self.diags.error(self.rel(path), 1, M.CANNOT_READ(reason=exc.strerror or str(exc)))
        return False

    def text(self, path: Path) -> str | None:
        data = self.read(path)
        return None if data is None else decode(self.rel(path), data, self.diags)


class NotRegular(OSError):
    """A FIFO, socket or device where a file was expected: refused, never opened."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def not_regular(mode: int) -> Text | None:
    """Why a file of this mode is refused ("is not a regular file (a FIFO) …"), or None."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = (M.KIND_FIFO() if stat.S_ISFIFO(mode) else M.KIND_SOCKET() if stat.S_ISSOCK(mode)
            else M.KIND_DEVICE() if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else M.KIND_NOT_FILE())
    return M.NOT_REGULAR(kind=kind)


def _open_regular(path: Path | str) -> int:
    """A descriptor of a regular file: stat first (a FIFO is never opened), then open without
    blocking and check again what was opened (it may have been swapped in between)."""
    problem = not_regular(os.stat(path).st_mode)
    if problem is None and os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if problem is not None:
        raise NotRegular(problem)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    problem = not_regular(os.fstat(descriptor).st_mode)
    if problem is not None:
        os.close(descriptor)
        raise NotRegular(problem)
    return descriptor


def read_regular(path: Path | str) -> bytes:
    """The bytes of a regular file; NotRegular for a FIFO, socket or device, OSError else."""
    with os.fdopen(_open_regular(path), "rb") as handle:
        return handle.read()


def decode(rel: str, data: bytes, diags: Diagnostics) -> str | None:
    """UTF-8 text (a BOM and CRLF accepted), or an error naming the line of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            diags.error(rel, line, M.NOT_UTF8_GBK())
        except UnicodeDecodeError:
            diags.error(rel, line, M.NOT_UTF8())
        return None
    if "\x00" in text:
        diags.error(rel, text[: text.index("\x00")].count("\n") + 1, M.NUL_BYTE())
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
