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


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


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


def test_run_prints_the_table(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--tools", "epaper", "--sizes", "40",
         "--epaper-only-size", "0", "--repeat", "1", "--work", str(tmp_path / "work"),
         "--profile", "40", "--write", str(report)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "| Articles | Tool | Cold build | No-op rebuild | One article edited | Layout edited |" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("| 40 | epaper"))
    assert "failed" not in row and "did not reach" not in row
    written = report.read_text(encoding="utf-8")
    assert "<!-- bench:results -->" in written and row in written
    assert "<!-- bench:profile -->" in written and "cumtime" in written
