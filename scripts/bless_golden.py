"""Re-bless the golden output of the sample site (tests/golden/sample/), on purpose.

Run it after a change that is meant to change what the sample site looks like, then read
`git diff tests/golden` as the review of that change:

    .venv/bin/python scripts/bless_golden.py

The sample is built with a fixed clock (GOLDEN_NOW) so that the output depends on the
repository alone. Text files (pages, feeds, sitemaps, headers) are kept whole, so a diff
shows what changed; every file, binary ones included, is listed with its hash in MANIFEST.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "sample"
GOLDEN_NOW = "2026-12-01T00:00:00+08:00"
TEXT_SUFFIXES = (".html", ".xml", ".txt")
TEXT_NAMES = ("_headers", "editions.json")


def is_text(rel: str) -> bool:
    """The files kept whole in the golden copy: those a reviewer reads, not vendored assets."""
    name = rel.rsplit("/", 1)[-1]
    return not rel.startswith("pagefind/") and (rel.endswith(TEXT_SUFFIXES) or name in TEXT_NAMES)


def manifest(out: Path) -> str:
    """One `SHA256  PATH` line per output file, sorted by path."""
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}")
    return "\n".join(lines) + "\n"


def build_sample(out: Path) -> None:
    """The sample site as a reader gets it, with the clock fixed and no cache of the repository's."""
    import datetime as dt

    from epaper.build import Options, build

    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        site.mkdir()
        shutil.copy2(REPO / "config.yaml", site / "config.yaml")
        for folder in ("content", "layouts", "static"):
            if (REPO / folder).is_dir():
                shutil.copytree(REPO / folder, site / folder)
        build(Options(site=site, out=out, now=dt.datetime.fromisoformat(GOLDEN_NOW), jobs=1))


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "public"
        build_sample(out)
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        GOLDEN.mkdir(parents=True)
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            rel = path.relative_to(out).as_posix()
            if is_text(rel):
                target = GOLDEN / "files" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        (GOLDEN / "MANIFEST").write_text(manifest(out), encoding="utf-8")
    print(f"blessed {GOLDEN.relative_to(REPO)}: review it with git diff tests/golden")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
