"""tools/make_sample_scans.py: draws synthetic pages whose areas match the blocks drawn, with
or without a CJK font, idempotently; the result builds cleanly under --strict."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import REPO, build_ok, soup
from epaper.build import Options, check

TOOL = REPO / "tools/make_sample_scans.py"
PAPER = (250, 248, 240)


def sample_copy(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("config.yaml", "content", "layouts", "static"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
        else:
            shutil.copy(REPO / name, site / name)
    for path in (site / "content").rglob("*"):  # start from no scans at all
        if path.suffix in (".jpg", ".pdf"):
            path.unlink()
        elif path.suffix == ".md":
            path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                                    if not line.startswith("area:")), encoding="utf-8")
        elif path.name == "edition.yaml":
            text = path.read_text(encoding="utf-8")
            for key in ("scan: page-01.jpg", "scan: page-02.jpg", "scan: page-03.jpg", "pdf: page-01.pdf"):
                text = text.replace(", " + key, "")
            path.write_text(text, encoding="utf-8")
    return site


def run_tool(site: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(TOOL), "--site", str(site), *args], check=True, capture_output=True)


def inked(image: Image.Image, box: list[float]) -> float:
    """The share of non-paper pixels inside a box given in percent of the image."""
    x, y, w, h = box
    crop = image.convert("RGB").crop((round(x / 100 * image.width), round(y / 100 * image.height),
                                      round((x + w) / 100 * image.width), round((y + h) / 100 * image.height)))
    pixels = list(crop.get_flattened_data())
    return sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, PAPER, strict=False)) > 60) / len(pixels)


@pytest.mark.parametrize("font", ["cjk", "fallback"])
def test_tool_draws_pages_whose_areas_hold_the_drawn_blocks(tmp_path: Path, font: str) -> None:
    if font == "cjk" and not Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").exists():
        pytest.skip("fonts-noto-cjk is not installed")
    site = sample_copy(tmp_path)
    run_tool(site, *(["--no-cjk-font"] if font == "fallback" else []))
    edition = site / "content/2022/2022-11-04"
    assert "scan: page-01.jpg, pdf: page-01.pdf}" in (edition / "edition.yaml").read_text(encoding="utf-8")
    check(Options(site=site, strict=True))  # no overlapping areas, every file where it is named
    _, out = build_ok(site)
    page = soup(out, "2022-11-04/01/")
    with Image.open(edition / "page-01.jpg") as scan:
        assert scan.size == (1000, 1440)
        boxes = []
        for spot in page.select("a.hotspot"):
            values = dict(re.findall(r"(left|top|width|height):\s*([\d.]+)%", spot["style"]))
            boxes.append([float(values[k]) for k in ("left", "top", "width", "height")])
        assert len(boxes) == 2
        ink = [inked(scan, box) for box in boxes]
        assert min(ink) > 0.05, ink  # text (or its placeholders) inside every area
        # the space between the blocks is paper and one rule: far less ink than inside them
        gap = [3.4, boxes[0][1] + boxes[0][3] + 0.5, 93.2, boxes[1][1] - boxes[0][1] - boxes[0][3] - 1]
        assert gap[3] > 0 and inked(scan, gap) < min(ink) / 2, (inked(scan, gap), ink)
    before = {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()}
    run_tool(site, *(["--no-cjk-font"] if font == "fallback" else []))
    assert {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()} == before  # idempotent


def test_committed_sample_areas_cover_what_is_drawn() -> None:
    """The sample's page images and the areas in its articles were made together: every area
    holds drawn text, and every article printed on a scanned page has one."""
    checked = 0
    for edition in sorted((REPO / "content").rglob("edition.yaml")):
        scans = dict(re.findall(r"number: (\d+),.*?scan: ([\w.-]+)", edition.read_text(encoding="utf-8")))
        for path in sorted(edition.parent.glob("*.md")):
            text = path.read_text(encoding="utf-8")
            page = re.search(r"^page: (\d+)$", text, re.M).group(1)
            area = re.search(r"^area: \[(.*)\]$", text, re.M)
            assert page in scans and area, path
            with Image.open(edition.parent / scans[page]) as scan:
                assert inked(scan, [float(v) for v in area.group(1).split(",")]) > 0.05, path
            checked += 1
    assert checked == 8
