"""Reading a site's files safely: never outside the site, UTF-8 or a clear error."""
from __future__ import annotations

from pathlib import Path

from epaper.errors import Diagnostics


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
            self.diags.error(self.rel(path), 1, "is a symbolic link to a place outside the site; refusing to read it")
            return False
        except OSError as exc:
            self.diags.error(self.rel(path), 1, f"cannot be read: {exc.strerror or exc}")
            return False

    def read(self, path: Path) -> bytes | None:
        """The file's bytes; folders were checked while walking, so only a link needs resolving."""
        if path.is_symlink() and not self.inside(path):
            return None
        try:
            return path.read_bytes()
        except OSError as exc:
            self.diags.error(self.rel(path), 1, f"cannot be read: {exc.strerror or exc}")
            return None

    def text(self, path: Path) -> str | None:
        data = self.read(path)
        return None if data is None else decode(self.rel(path), data, self.diags)


def decode(rel: str, data: bytes, diags: Diagnostics) -> str | None:
    """UTF-8 text (a BOM and CRLF accepted), or an error naming the line of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "save it as UTF-8"
        try:
            data.decode("gb18030")
            hint = "it looks like GBK (GB18030), the usual Chinese Windows encoding: save it as UTF-8"
        except UnicodeDecodeError:
            pass
        diags.error(rel, line, f"is not UTF-8 text ({hint})")
        return None
    if "\x00" in text:
        diags.error(rel, text[: text.index("\x00")].count("\n") + 1, "contains a NUL byte: is it a binary file?")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
