"""Adding one key to an article's front matter, or setting its value, and changing nothing else,
byte for byte: comments, key order, quoting, flow and block lists, line ends (LF or CRLF), a
UTF-8 BOM.

A new line goes right after the last key's value (before any comments or blank lines that
end the front matter), with the file's own line end; a value set replaces the old one's
lines where they stand. The result is parsed again and must give back every other value as
it was and the new one; otherwise nothing is written."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from epaper.content.rewrite import plain, replace_file
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
    bom, lines, close, before = _front(data)
    if key in before:
        raise NotWritten(f'already has "{key}:"')
    ending = _line_end(lines)
    last = close  # after the last line holding a key or a value (not a comment or blank line)
    while last > 1 and _blank_or_comment(lines[last - 1]):
        last -= 1
    new_lines = lines[:last] + [f"{key}: {value}{ending}"] + lines[last:]
    return _checked(bom, new_lines, close + 1, before, key, value, moved=False)


def set_key(data: bytes, key: str, value: str) -> bytes:
    """The file's bytes with `key:` set to value: its old value replaced where it stands (the
    preview's area editor moves a box the editor drew before), or the key added when absent.

    The old value may span lines (a block list); those lines become the one new line. Every
    other line stays as it was, and so does a comment after a one-line value."""
    bom, lines, close, before = _front(data)
    if key not in before:
        return add_key(data, key, value)
    if any(k == key for k, _ in before.duplicates):
        raise NotWritten(f'has "{key}:" twice; keep one of them')
    first = before.lines[key]  # front matter line 1 is the file's lines[1]
    if not re.match(rf"{re.escape(key)}[ \t]*:", lines[first]):
        raise NotWritten(f'has "{key}:" written in an unusual way (indented or quoted); change it by hand')
    later = [line for k, line in before.lines.items() if line > first]
    end = min(later) if later else close  # the next key's line, or the closing ---
    while end > first + 1 and _blank_or_comment(lines[end - 1]):
        end -= 1  # comments and blank lines before the next key are not the value's
    old = lines[first]
    ending = old[len(old.rstrip("\r\n")):] or _line_end(lines)
    comment = ""
    if end == first + 1:  # a one-line value: keep a comment after it
        found = re.search(r"[ \t]+#[^\r\n]*$", old.rstrip("\r\n"))
        comment = found.group(0) if found else ""
    new_lines = lines[:first] + [f"{key}: {value}{comment}{ending}"] + lines[end:]
    return _checked(bom, new_lines, close - (end - first - 1), before, key, value, moved=True)


def _front(data: bytes) -> tuple[bytes, list[str], int, Any]:
    """(BOM, the text's lines with their ends, the closing line's index, the parsed front matter)."""
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
    before, problem = load_yaml("".join(lines[1:close]))
    if problem or not isinstance(before, dict):
        raise NotWritten(f"has front matter that does not parse ({problem.message if problem else 'not a mapping'})")
    return bom, lines, close, before


def _checked(bom: bytes, new_lines: list[str], close: int, before: Any, key: str, value: str,
             moved: bool) -> bytes:
    """The new bytes, once the front matter reads back as before with the key's new value."""
    after, problem = load_yaml("".join(new_lines[1:close]))  # close: the closing line's new index
    wanted, _ = load_yaml(f"{key}: {value}")
    same_order = not moved or list(after or {}) == list(before)
    if problem or not isinstance(after, dict) or not isinstance(wanted, dict) or key not in after \
            or not same_order or plain(after) != {**plain(before), key: plain(wanted).get(key)}:
        raise NotWritten("would not read back as it was with the new key (an unusual front matter layout); "
                         f"{'set' if moved else 'add'} {key}: {value} by hand")
    return bom + "".join(new_lines).encode("utf-8")


def _blank_or_comment(line: str) -> bool:
    return re.fullmatch(r"\s*(#.*)?", line.rstrip("\r\n")) is not None


def _line_end(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
        if line.endswith("\r"):
            return "\r"
    return "\n"




def write_key(path: Path, key: str, value: str, replace: bool = False) -> None:
    """Add the key to the file in place (with replace, or set its value), atomically: a reader
    sees the old file or the new one."""
    data = path.read_bytes()
    result = set_key(data, key, value) if replace else add_key(data, key, value)
    replace_file(path, result)
