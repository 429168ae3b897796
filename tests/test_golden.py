"""Pelican-style golden output: the sample site, built with a fixed clock, must come out
exactly as blessed in tests/golden/sample/. A deliberate change re-blesses it with
`scripts/bless_golden.py`, and `git diff tests/golden` shows what readers will see differently."""
from __future__ import annotations

import difflib
import importlib.util
import sys
from pathlib import Path

from conftest import REPO

_spec = importlib.util.spec_from_file_location("bless_golden", REPO / "scripts" / "bless_golden.py")
assert _spec is not None and _spec.loader is not None
bless = importlib.util.module_from_spec(_spec)
sys.modules["bless_golden"] = bless
_spec.loader.exec_module(bless)


def test_sample_site_output_is_byte_identical_to_the_blessed_golden_copy(tmp_path: Path) -> None:
    out = tmp_path / "public"
    bless.build_sample(out)
    expected = (bless.GOLDEN / "MANIFEST").read_text(encoding="utf-8").splitlines()
    actual = bless.manifest(out).splitlines()
    if actual == expected:
        return
    report = ["the sample's output differs from tests/golden/sample (re-bless with scripts/bless_golden.py "
              "only if the change is meant):"]
    report += list(difflib.unified_diff(expected, actual, "golden MANIFEST", "built", lineterm="", n=0))
    for rel in sorted({line.split("  ", 1)[1] for line in set(expected) ^ set(actual)}):
        golden, built = bless.GOLDEN / "files" / rel, out / rel
        if bless.is_text(rel) and golden.is_file() and built.is_file():
            report += list(difflib.unified_diff(
                golden.read_text(encoding="utf-8").splitlines(), built.read_text(encoding="utf-8").splitlines(),
                f"golden/{rel}", f"built/{rel}", lineterm="", n=1))[:60]
    raise AssertionError("\n".join(report))


def test_golden_copy_keeps_every_text_file_whole() -> None:
    listed = [line.split("  ", 1)[1] for line in (bless.GOLDEN / "MANIFEST").read_text(encoding="utf-8").splitlines()]
    text = [rel for rel in listed if bless.is_text(rel)]
    assert text, "the golden manifest lists no pages"
    missing = [rel for rel in text if not (bless.GOLDEN / "files" / rel).is_file()]
    assert not missing, f"text files listed but not kept: {missing}"
