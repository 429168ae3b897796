"""Rebuilding for the preview: the one place the dev server runs the build pipeline.

The preview builds into its own folder (PreviewFolder), never the site's public/, with
future editions included and base_url pointed at the preview's own address, so
tomorrow's edition can be read and every link works. A failed rebuild writes nothing,
so the last good site stays served; browsers only ever learn the resulting Status.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from gettext import NullTranslations
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from epaper import messages as M
from epaper.build import Options
from epaper.content.config import written_language
from epaper.content.reader import read_regular
from epaper.content.yamlutil import load_yaml
from epaper.errors import count, messages_translations
from epaper.output.writer import WriteReport
from epaper.serve.host import BuildHost
from epaper.serve.search import PreviewSearch
from epaper.themes import THEME_DIR

Log = Callable[[str], None]

MAX_CHANGED = 2000  # past this many changed files, tell browsers "everything changed"


def stderr_line(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Status:
    """What the browsers are told about the latest build (immutable: swapped whole between threads)."""

    ok: bool = False
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # shown under a failed build's errors, each marked as a warning
    generation: int = 0  # bumps each time a build changed the output
    changed: tuple[str, ...] | None = None  # output files the last bump touched; None: unknown
    base_path: str = "/"  # the site's path on the preview server, from base_url

    def to_json(self, server: str) -> dict[str, Any]:
        return {"server": server, "ok": self.ok, "errors": list(self.errors), "warnings": list(self.warnings),
                "generation": self.generation,
                "changed": None if self.changed is None else list(self.changed)}


def site_base_path(site: Path) -> str:
    """base_url's path from config.yaml ('/news/'), read leniently: the build reports any error in it."""
    try:
        data, _ = load_yaml(read_regular(site / "config.yaml").decode("utf-8"))  # never a FIFO: it blocks
        url = data.get("base_url") if isinstance(data, dict) else None  # load_yaml refuses alias bombs
        path = urlsplit(url).path if isinstance(url, str) and url else "/"
    except (OSError, UnicodeError, ValueError, yaml.YAMLError):
        path = "/"
    path = "/" + path.strip("/") + "/"
    return "/" if path == "//" else path


class Rebuilder:
    """Runs the build pipeline for the preview: the one place a (re)build happens.

    An incremental build can replace the body of rebuild(); the server only needs its Status."""

    def __init__(self, site: Path, out: Path, origin: str, drafts: bool = False, log: Log = stderr_line,
                 messages: str | None = None) -> None:
        self.site = site
        self.out = out
        self.origin = origin  # "http://127.0.0.1:8000": base_url's path is added per build
        self.drafts = drafts
        self.log = log
        self.messages = messages  # --messages; None: config.yaml's language, read again at each build
        self.status = Status()
        self.builds = 0
        self._warnings: frozenset[str] = frozenset()
        self.host: BuildHost | None = None  # runs the builds; forked at the first one
        self.search = PreviewSearch(out.parent / "search", log)  # indexed in the background, not by the build
        self._pages_changed = False  # since the search index was last asked for

    def options(self) -> Options:
        """Read base_url's path again each time: config.yaml may have changed it."""
        base_path = quote(site_base_path(self.site), safe="/%")
        return Options(site=self.site, out=self.out, drafts=self.drafts, future=True,
                       base_url=self.origin + base_path,
                       search=False)  # Pagefind would add a second or so to every save

    def rebuild(self, changed: Collection[str] = ()) -> Status:
        """Build once; log one line (after any PATH:LINE errors); return the new Status. Never raises."""
        started = time.perf_counter()
        translations = messages_translations(self.messages or written_language(self.site))
        what = describe(changed, self.site, translations) if changed else M.FIRST_BUILD().render(translations)
        previous = self.status
        options = self.options()
        self.builds += 1
        if self.host is None:  # the first build, before the server's threads: fork the build process now
            self.host = BuildHost()
        outcome = self.host.build(options)
        warnings = [d.shown(translations) for d in outcome.diagnostics if d.warning]
        if outcome.kind == "errors":
            errors = tuple(d.shown(translations) for d in outcome.diagnostics if not d.warning)
            self._print_warnings(warnings)
            return self._failed(what, errors, started, tuple(warnings), translations)
        if outcome.kind == "usage":
            line = f"epaper: {outcome.text.render(translations)} [{outcome.text.id}]" if outcome.text \
                else f"epaper: {outcome.message}"
            return self._failed(what, (line,), started, translations=translations)
        if outcome.kind == "internal":  # a bug of ours: the editor gets one line, the server goes on
            if os.environ.get("EPAPER_DEBUG"):
                print(outcome.details, file=sys.stderr, flush=True)
            return self._failed(what, (f"epaper: internal error ({outcome.message}); the last good "
                                       "build is still served. Run with EPAPER_DEBUG=1 for details and report it",),
                                started, translations=translations)
        self._print_warnings(warnings)
        report = outcome.report or WriteReport()
        touched = sorted(set(report.added + report.changed + report.removed))
        base_path = urlsplit(options.base_url or "/").path
        if previous.generation == 0 or any(p.endswith(".html") for p in touched):
            self._pages_changed = True
        if touched or previous.generation == 0:
            self.status = Status(True, (), tuple(warnings), previous.generation + 1,
                                 tuple(touched) if len(touched) <= MAX_CHANGED else None, base_path)
        else:  # same output (say, a mistake fixed back): browsers only drop the error overlay
            self.status = Status(True, (), tuple(warnings), previous.generation, previous.changed, base_path)
        pages = count(outcome.rendered, M.ONE_PAGE, M.PAGES)
        if outcome.up_to_date:
            done = M.OUTPUT_UP_TO_DATE()
        elif not changed:
            done = M.RENDERED(pages=pages)
        else:
            done = M.RE_RENDERED(pages=pages, changed=len(report.changed), added=len(report.added),
                                 removed=len(report.removed))
        self.log(M.PREVIEW_BUILT(clock=_clock(), what=what, done=done, ms=_ms(started)).render(translations))
        return self.status

    def refresh_search(self) -> None:
        """After a good build that changed pages, and before the next build: index them in the
        background (the snapshot takes a moment; Pagefind runs in the search thread)."""
        if self._pages_changed and self.status.ok:
            self._pages_changed = False
            self.search.refresh(self.out)

    def close(self) -> None:
        """End the build process and the search thread (the preview is stopping)."""
        self.search.close()
        if self.host is not None:
            self.host.close()
            self.host = None

    def _failed(self, what: str, errors: tuple[str, ...], started: float, warnings: tuple[str, ...] = (),
                translations: NullTranslations | None = None) -> Status:
        for line in errors:
            self.log(line)
        kept = M.STILL_SERVING() if self.status.generation else M.NO_GOOD_BUILD()
        shown = count(len(errors), M.ONE_ERROR_PART, M.ERRORS_PART)
        summary = M.PREVIEW_FAILED(clock=_clock(), what=what, errors=shown, kept=kept, ms=_ms(started))
        self.log(summary.render(translations))
        old = self.status
        self.status = Status(False, errors, warnings, old.generation, old.changed, old.base_path)
        return self.status

    def _print_warnings(self, warnings: list[str]) -> None:
        """Each warning once per appearance, not again on every save while it stands."""
        for line in warnings:
            if line not in self._warnings:
                self.log(line)
        self._warnings = frozenset(warnings)


def describe(changed: Iterable[str], site: Path, translations: NullTranslations | None = None) -> str:
    """'content/…/a.md changed', 'x.md deleted', 'a.md, b.md and 3 more changed': for the one log line."""
    names = []
    for path in sorted(changed):
        p = Path(path)
        try:
            name = p.relative_to(site).as_posix()
        except ValueError:
            try:
                name = p.relative_to(THEME_DIR.parent.parent).as_posix()
            except ValueError:
                name = str(p)
        names.append(name if os.path.lexists(p) else M.FILE_DELETED(name=name).render(translations))
    shown = ", ".join(names[:3])
    if len(names) > 3:
        return M.FILES_AND_MORE_CHANGED(names=shown, more=len(names) - 3).render(translations)
    return M.FILES_CHANGED(names=shown).render(translations)


def _clock() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


class PreviewFolder:
    """Where the preview's output lives: never the site's public/, and the same place for every
    session of one site (the engine keeps per-output-folder state in the site's cache, which
    a new random folder each session would pile up). Private to the user (~/.cache, not /tmp),
    locked so two previews of one site don't share it, deleted when the preview stops."""

    def __init__(self, site: Path) -> None:
        self.lock: int | None = None
        try:
            self.path = self._claim(site)
        except OSError:  # no usable home: a fresh temporary folder will do
            self.path = Path(tempfile.mkdtemp(prefix="epaper-serve-"))
        self.out = self.path / "site"

    def _claim(self, site: Path) -> Path:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        base = cache / "epaper" / "serve"
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = hashlib.blake2b(str(site).encode("utf-8", "surrogateescape"), digest_size=6).hexdigest()
        for n in range(1, 100):
            folder = base / f"{key}-{n}"
            folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # another preview of this site runs: take the next folder
            self.lock = fd
            return folder
        raise OSError("too many previews of this site")

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None
