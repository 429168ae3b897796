"""Watching the site's files: one rebuild per burst of saves.

Builds run on the watcher's thread, one at a time; saves are debounced so a burst of
events (atomic renames, several files) gives one build that sees every file as it
ended up.
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from epaper.serve.rebuild import Log, stderr_line

WATCHED = ("content", "layouts", "static", "config.yaml")  # inside the site folder
_EDITOR_LITTER = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|^4913$|^\.DS_Store$)")


Snapshot = dict[str, tuple[int, int, int, int]]


class Watcher:
    """Polls the watched files and calls on_change(paths) once per burst of saves.

    Polling (not inotify) sees atomic renames, deletes and moves alike with no extra
    dependency; a burst ends when a poll finds nothing new for `quiet` seconds (or after
    `longest` seconds of continuous change), and only then is the tree rebuilt."""

    def __init__(self, roots: list[Path], on_change: Callable[[set[str]], None], poll: float = 0.15,
                 quiet: float = 0.3, longest: float = 3.0, log: Log = stderr_line) -> None:
        self.roots = roots
        self.on_change = on_change
        self.poll, self.quiet, self.longest = poll, quiet, longest
        self.log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot = self.snapshot()

    def snapshot(self) -> Snapshot:
        files: Snapshot = {}
        for root in self.roots:
            if root.is_file():
                _stat_into(files, str(root))
            for folder, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
                for name in names:
                    if not _EDITOR_LITTER.search(name):
                        _stat_into(files, os.path.join(folder, name))
        return files

    def changes(self) -> set[str]:
        """Paths added, removed or modified since the last call."""
        new = self.snapshot()
        old, self._snapshot = self._snapshot, new
        return {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="epaper-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        pending: set[str] = set()
        first = last = 0.0
        interval = self.poll
        while not self._stop.wait(interval):
            scanned = time.monotonic()
            found = self.changes()
            now = time.monotonic()
            interval = max(self.poll, 4 * (now - scanned))  # a huge tree is polled less often
            if found:
                first = first if pending else now
                pending |= found
                last = now
                if now - first < self.longest:
                    continue
            if pending and (now - last >= self.quiet or now - first >= self.longest):
                batch, pending = pending, set()
                try:
                    self.on_change(batch)
                except Exception as exc:  # keep watching whatever happened
                    self.log(f"epaper: internal error while rebuilding ({type(exc).__name__}: {exc})")


def _stat_into(files: Snapshot, path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return  # vanished between listing and stat: the next poll sees it gone
    files[path] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)  # ctime: an mtime can be put back
