"""Search in the preview: the preview's builds leave Pagefind out (it would add a second or
more to every save), so after a good build that changed pages its HTML is indexed here, in a
thread of its own, and the browser's reload never waits for it.

The index is made from a snapshot of the built pages (hard links: the build writes a changed
file beside the old one and renames it over, never into it, so a linked page keeps the bytes
it had while the next build runs), through the build's own search step, into a folder of the
preview's (never the output folder, which the build owns). Requests for pagefind/… are
answered from the newest finished index; a save made while one is being made is indexed
once that run ends, from the pages as they are then."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from epaper.output import search
from epaper.site.urls import SEARCH, output_file

Log = Callable[[str], None]


class PreviewSearch:
    """The preview's search index, made in the background; `file()` serves it."""

    def __init__(self, folder: Path, log: Log) -> None:
        self.folder = folder  # holds the snapshots and the indexes; the preview deletes it at the end
        self.log = log
        self._state = threading.Condition()
        self._pending: Path | None = None  # the newest snapshot waiting to be indexed
        self._served: Path | None = None  # the pagefind/ folder requests are answered from
        self._retired: Path | None = None  # the one before: a page loading it may still ask for its files
        self._made = 0  # snapshots and indexes made: their folders' numbers
        self._closed = False
        self._thread: threading.Thread | None = None

    def refresh(self, out: Path) -> None:
        """Index the pages built into `out` in the background (called between builds: the snapshot
        is taken before the next build starts). A site without a search page has nothing to index."""
        if not (out / output_file(SEARCH)).is_file():
            return
        with self._state:
            if self._closed:
                return
            self._made += 1
            snapshot = self.folder / f"pages-{self._made}"
        _link_pages(out, snapshot)
        with self._state:
            superseded, self._pending = self._pending, snapshot
            self._state.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="epaper-search", daemon=True)
                self._thread.start()
        if superseded is not None:  # a newer snapshot replaces one not yet indexed
            shutil.rmtree(superseded, ignore_errors=True)

    def file(self, parts: list[str]) -> str | None:
        """The path of the index file requested as pagefind/PARTS (segments checked by the caller),
        or None when there is no such file or no index yet."""
        served = self._served
        if served is None or not parts:
            return None
        root = os.path.realpath(served)
        target = os.path.realpath(os.path.join(root, *parts))
        return target if target.startswith(root + os.sep) and os.path.isfile(target) else None

    def close(self) -> None:
        """Stop indexing (a Pagefind run under way finishes; its result is dropped with the folder)."""
        with self._state:
            self._closed = True
            self._state.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _work(self) -> None:
        while True:
            with self._state:
                while self._pending is None and not self._closed:
                    self._state.wait()
                if self._closed or self._pending is None:
                    return
                snapshot, self._pending = self._pending, None
                self._made += 1
                target = self.folder / f"index-{self._made}"
            try:
                self._index(snapshot, target)
            finally:
                shutil.rmtree(snapshot, ignore_errors=True)

    def _index(self, snapshot: Path, target: Path) -> None:
        started = time.perf_counter()
        files = 0
        try:
            for rel, data in search.make_index(snapshot, self.folder / "index"):
                path = target / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                files += 1
        except (search.SearchProblem, OSError) as problem:
            shutil.rmtree(target, ignore_errors=True)
            self.log(f"{_clock()} search index not made: {problem}; search in the preview shows the last one")
            return
        with self._state:
            gone, self._retired, self._served = self._retired, self._served, target / search.FOLDER
        if gone is not None:
            shutil.rmtree(gone.parent, ignore_errors=True)
        ms = round((time.perf_counter() - started) * 1000)
        self.log(f"{_clock()} search index: {files} files in {ms} ms")


def _link_pages(out: Path, snapshot: Path) -> None:
    """Every HTML page of the output, hard-linked (copied where links fail) into `snapshot`."""
    for folder, _, names in os.walk(out):
        for name in names:
            if not name.endswith(".html"):
                continue
            source = Path(folder) / name
            target = snapshot / source.relative_to(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)


def _clock() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")
