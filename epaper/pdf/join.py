"""The whole edition as one PDF: its pages' PDFs joined in page order with pypdf.

Readers of a 数字报 download the day's paper in one file. Joining a broadsheet's pages takes
a moment and the file is big, so each joined PDF is kept in .epaper-cache/editions/ under a
name made of its pages' hashes and the recipe (this file and pypdf's version): a second build
joins nothing, a replaced page PDF joins the edition again."""
from __future__ import annotations

import contextlib
import json
import os
import time
from functools import lru_cache
from importlib import metadata
from io import BytesIO
from pathlib import Path

from epaper import messages as M
from epaper.content.reader import read_regular
from epaper.errors import Diagnostics
from epaper.images import ChangedDuringBuild, seal
from epaper.model import Download, Edition, SiteData
from epaper.output.cache import digest

KEEP_UNUSED = 24 * 3600  # seconds an unused joined PDF stays in the cache


@lru_cache(maxsize=1)
def recipe() -> str:
    """How editions are joined: a change to this code or to pypdf joins them anew."""
    return digest(Path(__file__).read_bytes() + metadata.version("pypdf").encode())[:12]


def edition_pdf_path(edition: Edition) -> str:
    """Beside the edition's page, named by its date: 2022-11-04/2022-11-04.pdf."""
    return f"{edition.url}{edition.date.isoformat()}.pdf"


class EditionPdfs:
    """Joined edition PDFs by their pages' hashes and the recipe, in the cache folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.joined = 0  # editions joined by pypdf in this build (the rest came from the cache)

    def name(self, edition: Edition) -> str:
        shas = " ".join(p.download.sha for p in edition.pages if p.download)
        return f"{digest(f'{recipe()} {shas}'.encode())}.pdf"

    def get(self, root: Path, edition: Edition) -> tuple[str, int]:
        """The joined PDF's hash and size, and its file ready in the cache: joined (and kept) now
        unless already there. A kept one is not read: its hash and size are in a small note beside
        it (a big archive has thousands of editions), and the build checks the hash when it
        copies the file into the output."""
        name = self.name(edition)
        note = self.folder / f"{name}.json"
        self.used.update((name, note.name))
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            known = json.loads(read_regular(note))
            if (self.folder / name).is_file():
                return str(known["sha"]), int(known["size"])
        content = join([p.download.source for p in edition.pages if p.download], root,
                       [p.download.sha for p in edition.pages if p.download])
        self.joined += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        sha = digest(content)
        for path, data in ((self.folder / name, seal(content)),
                           (note, json.dumps({"sha": sha, "size": len(content)}).encode())):
            temporary = self.folder / f".{path.name}.{os.getpid()}.tmp"
            temporary.write_bytes(data)
            os.replace(temporary, path)
        return sha, len(content)

    def prune(self) -> None:
        """Forget joined PDFs no edition of this build uses and none has used for a day: the
        cache is the site's, shared by builds of other outputs (the preview's has tomorrow's
        edition), which may be between joining one and copying it out right now."""
        if not self.folder.is_dir():
            return
        stale = time.time() - KEEP_UNUSED
        for entry in os.scandir(self.folder):
            if entry.name not in self.used:
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < stale:
                        os.unlink(entry.path)


def join(sources: list[str], root: Path, shas: list[str]) -> bytes:
    """Every page of every PDF, in order; the same bytes for the same PDFs (pypdf writes no
    date or random ID unless asked). pypdf is imported here, when an edition is joined: importing
    it is a third of epaper's start-up (0.1 s), which every build, an edit's too, would pay."""
    import pypdf

    writer = pypdf.PdfWriter()
    for source, sha in zip(sources, shas, strict=True):
        data = (root / source).read_bytes()
        if digest(data) != sha:
            raise ChangedDuringBuild(source)
        writer.append(pypdf.PdfReader(BytesIO(data)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def join_editions(site: SiteData, root: Path, pdfs: EditionPdfs, diags: Diagnostics) -> None:
    """Give each edition whose every page has a PDF its joined PDF (a Download read from the
    cache). One that cannot be joined is a warning: its pages' PDFs are still offered."""
    for edition in site.editions:
        pages = edition.pages
        if not pages or not all(p.download for p in pages):
            continue
        try:
            sha, size = pdfs.get(root, edition)
        except (ChangedDuringBuild, OSError):
            diags.error(edition.source, 1, M.PDF_CHANGED_DURING_BUILD())
            continue
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged PDF
            diags.warning(edition.source, 1, M.JOIN_FAILED(detail=str(exc)))
            continue
        edition.links.download = Download(edition_pdf_path(edition), edition.source, sha, size,
                                          cached=str(pdfs.folder / pdfs.name(edition)))
        site.media[edition.pdf_key] = sha
