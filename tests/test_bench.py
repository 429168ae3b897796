"""Smoke test of the benchmark in bench/: a tiny archive, epaper only, no timing assertions.
It keeps the generator in our content contract and the one command working."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from epaper.build import Options, build

REPO = Path(__file__).resolve().parent.parent


def _bench_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _generator() -> ModuleType:
    return _bench_module("generate")


def test_generated_site_builds_and_its_correction_resolves(tmp_path: Path) -> None:
    gen = _generator()
    corpus = gen.generate(40, tmp_path, ("epaper",))
    assert len(corpus.articles) == 40 and len(corpus.dates) == 2
    [correction] = corpus.corrections
    original = correction.corrects
    assert original is not None and original.date < correction.date

    site = tmp_path / "epaper"
    result = build(Options(site=site, out=site / "public"))
    assert not result.diagnostics.errors and result.site is not None
    # set as printed: a corpus full of half-width commas would time 25 typography warnings an article
    assert not result.diagnostics.warnings, result.diagnostics.warnings[:3]
    built = {a.slug: a for e in result.site.editions for a in e.articles}
    assert len(built) == 40
    assert [a.slug for a in built[correction.slug].originals] == [original.slug]
    assert [a.slug for a in built[original.slug].corrections] == [correction.slug]
    page = (site / "public" / original.date.isoformat() / original.slug / "index.html").read_text(encoding="utf-8")
    assert f"/{correction.date.isoformat()}/{correction.slug}/" in page  # the notice links to the correction


def test_generator_is_deterministic_and_writes_all_three_sites(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(40, tmp_path / "one")
    gen.generate(40, tmp_path / "two", ("epaper",))

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(tmp_path / "one" / "epaper") == files(tmp_path / "two" / "epaper")
    corpus = gen.generate(40, tmp_path / "three")
    for tool in gen.TOOLS:
        assert all(gen.article_file(tool, tmp_path / "three" / tool, a).is_file() for a in corpus.articles)
        assert gen.footer_file(tool, tmp_path / "three" / tool).is_file()


def test_generator_holds_the_newest_edition_back_for_every_tool(tmp_path: Path) -> None:
    gen = _generator()
    corpus = gen.generate(60, tmp_path, hold_newest=True)
    newest = corpus.newest
    assert len(newest) == 20 and {a.date for a in newest} == {corpus.dates[-1]}
    assert gen.edited_article(corpus).date != corpus.dates[-1]  # the edit phase never edits held-back sources
    for tool in gen.TOOLS:
        site, held = tmp_path / tool, gen.held_newest(tmp_path, tool)
        assert not gen.edition_folder(tool, site, corpus.dates[-1]).exists()
        assert all(gen.article_file(tool, held, a).is_file() for a in newest)
        assert all(gen.article_file(tool, site, a).is_file() for a in corpus.articles if a not in newest)
    # the held-back edition is the one a full generation writes, byte for byte
    gen.generate(60, tmp_path / "full")
    for tool in gen.TOOLS:
        held = gen.edition_folder(tool, gen.held_newest(tmp_path, tool), corpus.dates[-1])
        full = gen.edition_folder(tool, tmp_path / "full" / tool, corpus.dates[-1])
        assert sorted(p.name for p in held.iterdir()) == sorted(p.name for p in full.iterdir())
        assert all((full / p.name).read_bytes() == p.read_bytes() for p in held.iterdir())


def test_run_prints_the_tables_with_the_new_edition_and_search_on(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    work = tmp_path / "work"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--tools", "epaper", "--sizes", "40",
         "--epaper-only-size", "0", "--repeat", "1", "--work", str(work),
         "--profile", "40", "--write", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    header = ("| Articles | Tool | Cold build | No-op rebuild | One article edited | Layout edited"
              " | New edition (20 articles) |")
    assert header in done.stdout
    assert "| Articles | Tool | Cold build | One article edited | New edition (20 articles) |" in done.stdout
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 40 | epaper")]
    assert len(rows) == 2 and "(search on)" not in rows[0] and "(search on)" in rows[1]
    for row in rows:  # every phase ran and was checked: a number in each cell, no problem
        assert "failed" not in row and "did not reach" not in row and "—" not in row, row
    for phase in ("cold", "noop", "edit", "layout", "edition"):
        assert f"epaper N=40 {phase} #1:" in done.stderr
    for phase in ("cold", "edit", "edition"):
        assert f"epaper search N=40 {phase} #1:" in done.stderr
    gen = _generator()
    corpus = gen.generate(40, tmp_path / "again", ("epaper",))
    site = work / "40" / "epaper"
    assert gen.article_output("epaper", site, corpus.newest[0]).is_file()  # the last build was the new edition's
    assert (site / "public" / "pagefind" / "pagefind-entry.json").is_file()
    assert not gen.edition_folder("epaper", site, corpus.dates[-1]).exists()  # restored as generated
    assert "search: true" in (site / "config.yaml").read_text(encoding="utf-8")
    written = report.read_text(encoding="utf-8")
    assert "<!-- bench:results -->" in written and all(row in written for row in rows)
    assert "| N=10,000, search on: new edition (20 articles) | ≤ 0.2× Hugo + Pagefind | — | not measured |" in written
    assert "<!-- bench:profile -->" in written and "cumtime" in written


def test_memory_ceiling_stops_a_build_and_says_where(tmp_path: Path) -> None:
    run = _bench_module("run")
    hog = "import time; x = b'x' * (400 * 2**20); time.sleep(60)"  # written bytes: resident, not lazily mapped
    result = run.measured([sys.executable, "-c", hog], tmp_path, {}, tmp_path / "log", timeout=120,
                          memory_limit=150 * 2**20)
    assert result.stopped > 150 * 2**20 and result.returncode != 0
    cell = run._cell(None, None, "s", result.stopped)
    assert cell.startswith("stopped at 0.") and cell.endswith(" GiB")


def _measured(run: ModuleType, tool: str, size: int, search: bool, **phases: tuple[float, int]) -> object:
    m = run.Measured(tool, tool, size, search)
    for phase, (seconds, peak) in phases.items():
        m.runs[phase] = [run.Run(seconds=seconds, cpu=seconds, peak_rss=peak, returncode=0)]
    return m


def test_goals_table_judges_issue_13s_goals_from_the_medians() -> None:
    run = _bench_module("run")
    mib = 2**20
    results = [
        _measured(run, "epaper", 10_000, False, cold=(9.0, 300 * mib), noop=(0.2, 50 * mib), edit=(0.5, 90 * mib),
                  edition=(2.0, 90 * mib)),
        _measured(run, "hugo", 10_000, False, cold=(10.0, 900 * mib), noop=(8.0, 900 * mib), edit=(9.0, 900 * mib),
                  edition=(10.0, 900 * mib)),
        _measured(run, "epaper", 10_000, True, cold=(30.0, 3000 * mib), edit=(1.0, 200 * mib),
                  edition=(3.0, 300 * mib)),
        _measured(run, "hugo", 10_000, True, cold=(30.0, 4000 * mib), edit=(25.0, 4000 * mib)),
        _measured(run, "epaper", 100_000, False, cold=(95.0, 900 * mib), edit=(2.6, 200 * mib)),
    ]
    results[3].runs["edition"] = [run.Run(seconds=40.0, cpu=40.0, peak_rss=16 * 2**30, returncode=-9,
                                          stopped=16 * 2**30)]
    goals = run.targets(results)
    row = {line.split(" | ")[0].lstrip("| "): line for line in goals.splitlines()[2:]}
    assert row["N=10,000, search off: cold build"].endswith("| met |")  # 0.90×
    assert row["N=10,000, search off: new edition (20 articles)"].endswith("| **missed** (2.0× the goal) |")  # 0.2×
    assert row["N=10,000, search on: one article edited"].endswith("| met |")  # 0.04×
    assert "**missed**" in row["N=10,000, search on: peak memory (cold)"]  # 0.75×
    assert "stopped at 16.0 GiB" in row["N=10,000, search on: new edition (20 articles)"]
    assert row["N=100,000, search off: one article edited"].endswith("**missed** (1.3× the goal) |")
    assert row["N=100,000, search off: cold build"].endswith("| 10.6× (95.0 s against 9.00 s) | **missed** (1.1× the goal) |")
    assert row["N=100,000, search off: peak memory (cold)"].endswith("| met |")
    assert row["N=100,000, search on: new edition (20 articles)"].endswith("| not measured |")
    table = run.table(results, True)
    assert "stopped at 16.0 GiB" in next(line for line in table.splitlines() if "| hugo |" in line)


def test_hugo_article_layout_carries_epapers_pagefind_markup() -> None:
    """Pagefind over Hugo's output indexes what epaper's index holds: article bodies only, with the
    same meta, filters and sort, so search-on times compare like with like."""
    import re

    def attributes(text: str) -> set[str]:
        """Each data-pagefind attribute with its value up to the first template expression."""
        return {re.sub(r"\{[{%].*", "", a) for a in re.findall(r'data-pagefind-[a-z]+(?:="[^"]*")?', text)}

    epaper = attributes((REPO / "epaper" / "theme" / "layouts" / "article.html").read_text(encoding="utf-8"))
    hugo = attributes((REPO / "bench" / "sites" / "hugo" / "layouts" / "single.html").read_text(encoding="utf-8"))
    assert {"data-pagefind-body", 'data-pagefind-meta="title"', 'data-pagefind-filter="year:',
            'data-pagefind-sort="date:', "data-pagefind-ignore"} <= epaper
    assert epaper <= hugo, epaper - hugo


def test_stages_prints_the_cpu_time_of_every_build_step(tmp_path: Path) -> None:
    """bench/stages.py, where an edit's time goes: it builds the site and names every step."""
    _generator().generate(40, tmp_path, ("epaper",))
    site = tmp_path / "epaper"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "stages.py"), str(site)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    steps = dict(part.split("=") for part in line.split(" (CPU")[0].split(" ") if "=" in part)
    for step in ("imports", "stamp", "load", "load.cache", "load.stat_parse", "resolve", "plan", "render", "swap",
                 "release", "total"):
        assert float(steps[step]) >= 0, (step, line)
    assert float(steps["total"]) >= float(steps["load"]) + float(steps["plan"])
    assert (site / "public" / "index.html").is_file()
