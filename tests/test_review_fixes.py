"""Faults found by the end-of-session review, each with the behaviour it protects."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pdfgen.simple import pages_pdf

import epaper.images
import epaper.pdf.render
from conftest import CONFIG, REPO, article, build_ok, two_editions
from epaper.output import search
from epaper.pdf.join import KEEP_UNUSED, EditionPdfs

ED = "content/2022/2022-11-04/"


def test_a_new_pdfium_redraws_the_page_images_of_an_incremental_build(make_site, monkeypatch) -> None:
    """The output's renditions are keyed by the whole rendition recipe (PDFium's version too):
    an upgrade must not keep the old page images live while a clean build draws new ones."""
    site = make_site({
        ED + "edition.yaml": "date: 2022-11-04\npages:\n  - {number: 1, name: 要闻, section: yaowen, pdf: page-01.pdf}\n",
        ED + "page-01.pdf": pages_pdf(1),
        ED + "toutiao.md": article("头条", page=1),
    })
    build_ok(site)
    made: list[str] = []
    real = epaper.images.make
    monkeypatch.setattr(epaper.images, "make", lambda data, r: made.append(r.path) or real(data, r))
    monkeypatch.setattr(epaper.pdf.render, "recipe", lambda: "a newer PDFium")
    (site / ED / "toutiao.md").write_text(article("头条改了", page=1), encoding="utf-8")  # a build that runs
    epaper.images._recipe.cache_clear()
    try:
        build_ok(site)
    finally:
        epaper.images._recipe.cache_clear()
    assert made, "the page image was kept from the old recipe"


def test_fix_refuses_a_fifo_instead_of_waiting_on_it(make_site) -> None:
    site = make_site(two_editions())
    os.mkfifo(site / ED / "pipe.md")
    done = subprocess.run([sys.executable, "-m", "epaper", "fix", "--site", str(site), "--messages", "en"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert f"{ED}pipe.md:1: is not a regular file (a FIFO)" in done.stderr, done.stderr
    assert done.returncode == 1


def test_pagefind_that_cannot_run_is_a_search_warning_not_an_internal_error(make_site, monkeypatch,
                                                                            tmp_path: Path) -> None:
    not_runnable = tmp_path / "pagefind"
    not_runnable.write_text("not a program", encoding="utf-8")  # no execute permission
    monkeypatch.setattr(search, "executable", lambda: not_runnable)
    result, out = build_ok(make_site(two_editions(), config=CONFIG))
    assert any("Pagefind could not run" in d.message for d in result.diagnostics.warnings), result.diagnostics
    assert (out / "index.html").exists() and not (out / "pagefind").exists()


def test_joined_pdfs_of_other_builds_stay_a_day_in_the_shared_cache(tmp_path: Path) -> None:
    """The preview and `epaper build` share the site's cache: one must not delete the joined PDF
    the other is about to copy out."""
    pdfs = EditionPdfs(tmp_path / "editions")
    pdfs.folder.mkdir()
    recent, old = pdfs.folder / "recent.pdf", pdfs.folder / "old.pdf"
    recent.write_bytes(b"x")
    old.write_bytes(b"x")
    long_ago = time.time() - KEEP_UNUSED - 60
    os.utime(old, (long_ago, long_ago))
    pdfs.prune()
    assert recent.exists() and not old.exists()


