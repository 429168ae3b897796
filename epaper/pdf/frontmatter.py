"""Adding one key to an article's front matter and changing nothing else, byte for byte:
comments, key order, quoting, flow and block lists, line ends (LF or CRLF), a UTF-8 BOM.

The new line goes right after the last key's value (before any comments or blank lines
that end the front matter), with the file's own line end. The result is parsed again and
must give back every old value and the new one; otherwise nothing is written."""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from epaper.content.yamlutil import load_yaml

BOM = b"\xef\xbb\xbf"


class NotWritten(Exception):
    """The file was left as it was: the message says why."""


def area_text(boxes: list[list[float]]) -> str:
    """`[x, y, w, h]`, or `[[x, y, w, h], …]` for an article printed in separate blocks."""
    def one(box: list[float]) -> str:
        return "[" + ", ".join(f"{v:.2f}" for v in box) + "]"
    return one(boxes[0]) if len(boxes) == 1 else "[" + ", ".join(one(b) for b in boxes) + "]"


def add_key(data: bytes, key: str, value: str) -> bytes:
    """The file's bytes with `key: value` added to its front matter."""
    bom = BOM if data.startswith(BOM) else b""
    try:
        text = data[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise NotWritten("is not UTF-8 text") from None
    lines = re.findall(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$", text)  # as the build reads lines: no U+2028
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        raise NotWritten("has no front matter")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n").rstrip() in ("---", "...")), None)
    if close is None:
        raise NotWritten("has front matter that is not closed")
    front = "".join(lines[1:close])
    before, problem = load_yaml(front)
    if problem or not isinstance(before, dict):
        raise NotWritten(f"has front matter that does not parse ({problem.message if problem else 'not a mapping'})")
    if key in before:
        raise NotWritten(f'already has "{key}:"')
    ending = _line_end(lines)
    last = close  # after the last line holding a key or a value (not a comment or blank line)
    while last > 1 and re.fullmatch(r"\s*(#.*)?", lines[last - 1].rstrip("\r\n")):
        last -= 1
    new_lines = lines[:last] + [f"{key}: {value}{ending}"] + lines[last:]
    result = bom + "".join(new_lines).encode("utf-8")
    after, problem = load_yaml("".join(new_lines[1:close + 1]))
    if problem or not isinstance(after, dict) or _plain(after) != {**_plain(before), key: _plain(after).get(key)} \
            or key not in after:
        raise NotWritten("would not read back as it was with the new key (an unusual front matter layout); "
                         f"add {key}: {value} by hand")
    return result


def _line_end(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
        if line.endswith("\r"):
            return "\r"
    return "\n"


def _plain(value: Any) -> Any:
    """Values without the line bookkeeping, for comparing."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def write_key(path: Path, key: str, value: str) -> None:
    """Add the key to the file in place, atomically (a reader sees the old file or the new one)."""
    data = path.read_bytes()
    result = add_key(data, key, value)
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(result)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
