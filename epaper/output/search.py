"""Search: after the pages are placed in the staging folder, Pagefind (from PyPI's
`pagefind[extended]`, whose binary segments Chinese) reads their HTML and writes its
index into a temporary folder; every file of it goes through the writer under pagefind/.

Only articles are indexed (their templates mark the body with data-pagefind-body; drafts
are not marked). The index depends on nothing but the HTML, so when no HTML file differs
from the live site's, Pagefind does not run and the live index is kept."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from epaper import messages as M
from epaper.errors import Text
from epaper.output.pagefind_order import stabilize

FOLDER = "pagefind/"


class SearchProblem(Exception):
    """Pagefind could not index the site."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise SearchProblem(M.NO_PAGEFIND()) from None
    return get_executable()


def kept_index(live: Mapping[str, str] | None, new: Mapping[str, str]) -> list[str] | None:
    """The live index's paths when it still fits the new site (every HTML file of the new site
    is byte for byte the live one, and the live site has an index); None when it must be made."""
    if live is None or not any(p.startswith(FOLDER) for p in live):
        return None
    old = {p: h for p, h in live.items() if p.endswith(".html")}
    if old != {p: h for p, h in new.items() if p.endswith(".html")}:
        return None
    return sorted(p for p in live if p.startswith(FOLDER))


@contextmanager
def _scratch(out: Path) -> Iterator[Path]:
    """Pagefind's output folder: `.public.pagefind/` beside the output, not in /tmp, so that
    one a killed build left behind is found and removed by the next build of that output
    (which holds the output's lock: no other build is using it)."""
    folder = out.parent / f".{out.name}.pagefind"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_index(site: Path, out: Path) -> Iterator[tuple[str, bytes]]:
    """Index the HTML of the folder `site` (which holds this build's pages and only those) for
    the output folder `out`: each file of the index, as (output path, bytes), in a stable order."""
    binary = executable()
    with _scratch(out) as tmp:
        bundle = tmp / "pagefind"
        try:
            run = subprocess.run([str(binary), "--site", str(site), "--output-path", str(bundle), "--silent"],
                                 capture_output=True, text=True, timeout=3600)
        except (OSError, subprocess.SubprocessError) as exc:  # not runnable, or over an hour
            raise SearchProblem(M.PAGEFIND_CANNOT_RUN(detail=str(exc))) from None
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()
            raise SearchProblem(M.PAGEFIND_FAILED(detail=detail[-1] if detail else str(run.returncode)))
        stabilize(bundle)  # same pages, same bytes
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            yield FOLDER + path.relative_to(bundle).as_posix(), path.read_bytes()
