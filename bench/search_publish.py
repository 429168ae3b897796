#!/usr/bin/env python3
"""The search-on publish of issue 13, timed: epaper builds the generated archive with search on
(the newest edition held back), then the nightly publish (that edition of 20 articles), a
no-op, one article edited in the middle of the archive (a closed period's shard), and the same
edit again (a second stale copy). Wall time, CPU time and peak memory of the build's process
tree (CPU time is the steadier figure on a shared machine).

    .venv/bin/python bench/search_publish.py --articles 10000 [--python OTHER/.venv/bin/python]

--python times another epaper (say, main's venv, for a before/after); the same phases run on
a copy of the same corpus. Uses run.py's measuring (the tree's RSS sampled every 20 ms)."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import article_file, edited_article, generate  # noqa: E402
from run import Run, measured  # noqa: E402

BENCH = Path(__file__).resolve().parent
PHASES = ("cold", "new edition", "no-op", "one article edited", "another edit of it")


def publish(python: Path, site: Path, held: Path, newest: Path, edited: Path, log: Path) -> dict[str, Run]:
    """Each phase's run, in order, on the site (its newest edition, `newest`, moved to `held` first)."""
    runs: dict[str, Run] = {}
    argv = [str(python), "-m", "epaper", "build", "--site", str(site), "--out", str(site / "public")]
    text = edited.read_bytes()
    for phase in PHASES:
        if phase == "cold":
            for name in ("public", ".epaper-cache"):
                shutil.rmtree(site / name, ignore_errors=True)
        elif phase == "new edition":
            newest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(held, newest)
        elif phase == "one article edited":
            edited.write_bytes(text + "\n本文第一次修订。\n".encode())
        elif phase == "another edit of it":
            edited.write_bytes(text + "\n本文第二次修订。\n".encode())
        run = measured(argv, site, dict(os.environ), log, 3600)
        if run.returncode != 0:
            raise SystemExit(f"{phase}: build failed, see {log}")
        runs[phase] = run
        print(f"  {python} {phase}: {run.seconds:.2f} s, CPU {run.cpu:.2f} s, {run.peak_rss / 2**20:.0f} MiB",
              file=sys.stderr)
    edited.write_bytes(text)
    return runs


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--work", type=Path, default=BENCH / ".work" / "search")
    p.add_argument("--python", type=Path, action="append", default=[],
                   help="an epaper venv's python to time besides this one (repeatable)")
    args = p.parse_args()
    pythons = [Path(sys.executable), *args.python]
    base = args.work / str(args.articles)
    corpus = generate(args.articles, base / "corpus", ("epaper",))
    source = base / "corpus" / "epaper"
    config = source / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "search: false  # Hugo and Pelican build no search index: time the same work", "search: true"), encoding="utf-8")
    last = corpus.dates[-1]
    rows = []
    for n, python in enumerate(pythons):
        site = base / f"site{n}"
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(source, site)
        held = base / f"held{n}" / last.isoformat()
        shutil.rmtree(held.parent, ignore_errors=True)
        held.parent.mkdir(parents=True)
        newest = site / "content" / str(last.year) / last.isoformat()
        shutil.move(newest, held)
        runs = publish(python, site, held, newest, article_file("epaper", site, edited_article(corpus)),
                       base / f"site{n}.log")
        rows.append(f"| {args.articles:,} | {python} | " + " | ".join(
            f"{runs[ph].seconds:.2f} s (CPU {runs[ph].cpu:.2f} s), {runs[ph].peak_rss / 2**20:.0f} MiB"
            for ph in PHASES) + " |")
    print("| Articles | epaper | " + " | ".join(PHASES) + " |")
    print("|---|---|" + "---|" * len(PHASES))
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
