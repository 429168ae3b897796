"""Search: after the pages are placed in the staging folder, Pagefind (from PyPI's
`pagefind[extended]`, whose binary segments Chinese) reads their HTML and writes its
index into a temporary folder; every file of it goes through the writer under pagefind/.

Only articles are indexed (their templates mark the body with data-pagefind-body; drafts
are not marked). The index depends on nothing but the HTML, so when no HTML file differs
from the live site's, Pagefind does not run and the live index is kept."""
from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .pagefind_order import stabilize
from .write import OutputWriter

FOLDER = "pagefind/"


class SearchProblem(Exception):
    """Pagefind could not index the site."""


def executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise SearchProblem("search: true needs Pagefind: pip install 'pagefind[extended]' "
                            "(or set search: false in config.yaml)") from None
    return get_executable()


def needs_index(writer: OutputWriter) -> bool:
    """True unless every HTML file of the new site is byte for byte the live one and the live
    site has an index."""
    live = writer.live
    if live is None or not any(p.startswith(FOLDER) for p in live):
        return True
    old = {p: h for p, h in live.items() if p.endswith(".html")}
    new = {p: h for p, h in writer.manifest.items() if p.endswith(".html")}
    return old != new


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


def update(writer: OutputWriter, articles: bool = True) -> list[str]:
    """Index the staging folder's HTML, or keep the live index; the index's paths.
    Without `articles` to index there is no index (Pagefind would take every page then)."""
    if not articles:
        return []
    if not needs_index(writer):
        kept = sorted(p for p in (writer.live or {}) if p.startswith(FOLDER))
        for path in kept:
            writer.keep(path)
        return kept
    binary = executable()
    writer.prune(".html")  # the pages of the build before last that this site no longer has
    with _scratch(writer.out) as tmp:
        bundle = tmp / "pagefind"
        run = subprocess.run([str(binary), "--site", str(writer.staging), "--output-path", str(bundle), "--silent"],
                             capture_output=True, text=True, timeout=3600)
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()
            raise SearchProblem(f"Pagefind failed to index the site: {detail[-1] if detail else run.returncode}")
        stabilize(bundle)  # same pages, same bytes
        written = []
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            rel = FOLDER + path.relative_to(bundle).as_posix()
            writer.put(rel, path.read_bytes())
            written.append(rel)
    return written
