"""Write stage: build the new site in a staging folder beside the output, then
swap it in with one atomic rename, so readers never see a half-written site and
a failed or killed build leaves the previous output byte for byte.

Files whose bytes did not change are hard-linked from the previous output, so
they keep their mtimes and rsync or a CDN upload sees nothing new."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import UsageError
from .render import Output

_RENAME_EXCHANGE = 2


@dataclass
class WriteReport:
    """Which output files this build added, changed, kept and removed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def check_output_dir(out: Path, site: Path) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    out, site = out.resolve(), site.resolve()
    if out == site or out in site.parents:
        raise UsageError(f"--out {out} would replace the site folder itself; choose a folder inside it, like public/")
    for part in ("content", "layouts", "static"):
        if out == site / part or (site / part) in out.parents:
            raise UsageError(f"--out {out} is inside the site's {part}/ folder; choose another folder, like public/")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "404.html").exists():
        raise UsageError(f"--out {out} is not empty and does not look like an epaper output (no 404.html); "
                         "refusing to replace it: remove it or choose another folder")


def recover(out: Path) -> None:
    """Finish or undo a swap that a killed build interrupted (fallback path only)."""
    old = out.parent / f".{out.name}.old"
    if old.exists():
        if out.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, out)


def write_site(outputs: Iterable[Output], static_files: dict[str, Path], out: Path) -> WriteReport:
    """Stage every file, then swap the staging folder in for the output folder."""
    out = out.absolute()
    recover(out)
    staging = staging_dir(out)
    if staging.exists():
        shutil.rmtree(staging)  # left by a build that was killed
    staging.mkdir(parents=True)
    report = WriteReport()
    written: set[str] = set()
    for output in outputs:
        _put(staging, out, output.path, output.content, report)
        written.add(output.path)
    for rel, source in static_files.items():
        if rel not in written:
            _put(staging, out, rel, source.read_bytes(), report)
            written.add(rel)
    if out.is_dir():
        report.removed = sorted(p for p in _files(out) if p not in written)
    _swap(staging, out)
    return report


def _put(staging: Path, out: Path, rel: str, content: bytes, report: WriteReport) -> None:
    target = staging / rel
    if ".." in Path(rel).parts or Path(rel).is_absolute():
        raise ValueError(f"refusing to write outside the output folder: {rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = out / rel
    try:
        same = previous.is_file() and not previous.is_symlink() and previous.stat().st_size == len(content) \
            and previous.read_bytes() == content
    except OSError:
        same = False
    if same:
        try:
            os.link(previous, target)
            report.unchanged.append(rel)
            return
        except OSError:
            pass  # another file system: fall through to a copy
    target.write_bytes(content)
    (report.unchanged if same else report.changed if previous.exists() else report.added).append(rel)


def _files(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging)  # now holds the previous output
        return
    old = out.parent / f".{out.name}.old"
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one atomic step."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
