"""Rewriting an editor's file in place (`fix`, `areas`, the preview's area editor): atomically,
keeping the file's mode, so a reader or an editor's program sees the old file or the new one."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` beside `path` and rename it over, with `path`'s permissions."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def plain(value: Any) -> Any:
    """A YAML value without the line bookkeeping (LineDict, LineList), for comparing what a file
    says before and after a rewrite."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
