"""Issue 12: the faults an attack run found — racing builds, unreadable files, impossible
dates, YAML bombs, image modes, runaway Markdown — each reproduced, then refused or fixed."""
from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EDITION, REPO, article, build_ok, two_editions
from PIL import Image

ED = "content/2022/2022-11-04/"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def tree(out: Path) -> dict[str, str]:
    """Every file of a folder with its hash: a byte-for-byte comparison of two outputs."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def png(mode: str = "RGB", size: tuple[int, int] = (60, 40), color: object = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")  # type: ignore[arg-type]
    return buffer.getvalue()


def _scanned_site() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(two_editions())
    files[ED + "edition.yaml"] = (
        "date: 2022-11-04\nnumber: 11234\npages:\n"
        "  - {number: 1, name: 要闻, section: yaowen, scan: page-1.png}\n"
        "  - {number: 2, name: 综合, section: zonghe}\n")
    files[ED + "page-1.png"] = png(size=(300, 400))
    files["static/extra/notice.txt"] = "static file\n"
    return files


# ---------------------------------------------------------------- 1. racing builds


def test_overlapping_builds_of_one_output_leave_the_same_site_as_a_clean_build(make_site, tmp_path: Path) -> None:
    site = make_site(_scanned_site())
    out = tmp_path / "out" / "public"
    command = [sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out)]
    subprocess.run(command, check=True, env=ENV, capture_output=True)
    edited = site / ED / "brief.md"
    chance = random.Random(12)
    for round_ in range(12):
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(f"\n第{round_}次补充。\n")
        first = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(chance.uniform(0.05, 0.6))
        second = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for process in (first, second):
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"round {round_}: {err.decode()}"
        clean_site = tmp_path / f"clean{round_}"
        shutil.copytree(site, clean_site, ignore=shutil.ignore_patterns(".epaper-cache", "public"))
        _, clean = build_ok(clean_site, tmp_path / f"clean{round_}-out" / "public")
        assert tree(out) == tree(clean), f"round {round_}: the output differs from a clean build"
        shutil.rmtree(clean_site)
        shutil.rmtree(clean.parent)


def test_a_second_build_with_no_wait_exits_3_naming_the_holder(make_site, tmp_path: Path) -> None:
    from epaper.lock import output_lock

    site = make_site(two_editions())
    out = tmp_path / "public"
    with output_lock(out):
        done = subprocess.run([sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out),
                               "--no-wait"], env=ENV, capture_output=True, text=True, timeout=60)
        waiting = subprocess.Popen([sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out)],
                                   env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiting.poll() is None  # it waits for the lock
    assert done.returncode == 3
    assert f"pid {os.getpid()}" in done.stderr and not out.exists()
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0 and "waiting for another build" in err
    assert (out / "index.html").is_file()


def test_the_lock_of_a_killed_build_is_released(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    out = tmp_path / "public"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from epaper.lock import output_lock\n"
                               f"with output_lock(Path({str(out)!r})):\n print('held', flush=True); time.sleep(60)"],
                              env=ENV, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    done = subprocess.run([sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out),
                           "--no-wait"], env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
