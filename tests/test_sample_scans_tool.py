"""tools/make_sample_scans.py: the sample's pages are PDFs the tool prints, with a text layer
that holds every article, and the sample's areas are what `epaper areas` found on them: each
over the block where the tool set its article (IoU ≥ 0.8). The layout is read from the tool
without a browser; one test prints the pages again with Chromium (about 5 s)."""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pypdfium2 as pdfium
import pytest

from conftest import REPO
from epaper.pdf.text import letters

TOOL = REPO / "tools/make_sample_scans.py"
EDITIONS = sorted(p.parent for p in (REPO / "content").rglob("edition.yaml"))
FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_scans", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_scans"] = module
    spec.loader.exec_module(module)
    return module


def iou(a: list[float], b: list[float]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    inter = max(0.0, min(ax + aw, bx + bw) - max(ax, bx)) * max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return inter / (aw * ah + bw * bh - inter)


def area_of(path: Path) -> list[float] | None:
    found = re.search(r"^area: \[(.*)\]$", path.read_text(encoding="utf-8"), re.M)
    return [float(v) for v in found.group(1).split(",")] if found else None


def pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        page = document[0]
        return page.get_textpage().get_text_range()
    finally:
        document.close()


def made_by(pdf: bytes) -> list[bytes]:
    """The PDF's Creator and Producer: the browser and its PDF library, with their versions."""
    return re.findall(rb"/(?:Creator|Producer) \((.*?)(?<!\\)\)", pdf)


def laid_out(site: Path) -> dict[Path, list[float]]:
    """Where the tool sets each article of the site, in percent of its page."""
    if not FONT.exists():
        pytest.skip("fonts-noto-cjk is not installed: the tool breaks lines with its widths")
    tool = load_tool()
    boxes = {}
    for folder in sorted(p.parent for p in (site / "content").rglob("edition.yaml")):
        for page in tool.layout_edition(folder, "金坛日报"):
            for path, box in page.boxes.items():
                boxes[path.relative_to(site)] = tool.percent_box(box)
    return boxes


def test_every_page_of_the_sample_is_a_pdf_and_no_scan() -> None:
    for edition in EDITIONS:
        text = (edition / "edition.yaml").read_text(encoding="utf-8")
        numbers = re.findall(r"number: (\d+),", text)
        assert numbers and "scan:" not in text, edition
        for number in numbers:
            assert f"pdf: page-{int(number):02d}.pdf}}" in text, (edition, number)
            assert (edition / f"page-{int(number):02d}.pdf").is_file()
        assert not list(edition.glob("*.jpg")), edition


def test_committed_pdfs_have_a_text_layer_with_every_article() -> None:
    """Selectable Chinese text: each article's title, kicker and body are in its page's text layer,
    and every page says it is synthetic."""
    checked = 0
    for edition in EDITIONS:
        pages = {int(n): edition / f for n, f in
                 re.findall(r"number: (\d+),.*?pdf: ([\w.-]+)", (edition / "edition.yaml").read_text(encoding="utf-8"))}
        texts = {n: pdf_text(path) for n, path in pages.items()}
        for text in texts.values():
            assert "示例版面" in text
        for path in sorted(edition.glob("*.md")):
            source = path.read_text(encoding="utf-8")
            page = int(re.search(r"^page: (\d+)$", source, re.M).group(1))
            printed = letters(texts[page])
            title = re.search(r"^title: \"?(.*?)\"?$", source, re.M).group(1)
            assert letters(title) in printed, path
            kicker = re.search(r"^kicker: \"?(.*?)\"?$", source, re.M)
            assert kicker is None or letters(kicker.group(1)) in printed, path
            for paragraph in source.split("\n---\n", 1)[1].split("\n\n"):
                assert letters(paragraph) in printed, (path, paragraph[:20])
            checked += 1
    assert checked == 8


def test_committed_areas_are_where_the_tool_set_each_article() -> None:
    """The areas were written by `epaper areas` from the PDFs; each covers its article's block as
    the tool laid it out, and every article of a page with a PDF has one."""
    truth = laid_out(REPO)
    assert len(truth) == 8
    for rel, box in truth.items():
        area = area_of(REPO / rel)
        assert area is not None, rel
        assert iou(area, box) >= 0.8, (rel, area, box)


def test_tool_prints_the_sample_again_and_areas_places_it(tmp_path: Path) -> None:
    """A copy of the sample without PDFs or areas: the tool prints its pages (the same text, and
    with the committed PDFs' Chromium the same bytes), and `areas` places every article again."""
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no Chromium: the sample tool prints with Debian's Chromium")
        pytest.skip("no Chromium: the sample tool prints with Debian's Chromium")
    pytest.importorskip("playwright")
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    for name in ("content", "layouts", "static"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
    for path in (site / "content").rglob("*"):
        if path.suffix == ".pdf":
            path.unlink()
        elif path.suffix == ".md":
            path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                                    if not line.startswith("area:")), encoding="utf-8")
    # A hang guard, not a speed test (speed is bench/'s): a loaded machine takes many times a quiet one's.
    subprocess.run([sys.executable, str(TOOL), "--site", str(site)], check=True, capture_output=True, timeout=600)
    for edition in EDITIONS:
        copy = site / edition.relative_to(REPO)
        assert (copy / "edition.yaml").read_bytes() == (edition / "edition.yaml").read_bytes()
        for committed in sorted(edition.glob("*.pdf")):
            printed = (copy / committed.name).read_bytes()
            assert pdf_text(copy / committed.name) == pdf_text(committed), committed
            assert b"/CreationDate (D:" + re.sub(r"\D", "", edition.name).encode() + b"000000" in printed
            if made_by(printed) == made_by(committed.read_bytes()):  # another Chromium may set glyphs apart
                assert printed == committed.read_bytes(), f"{committed}: not the same bytes from the same Chromium"
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "areas", "--site", str(site), "--messages", "en"],
                            check=True, capture_output=True, text=True, cwd=REPO)
    assert result.stdout.splitlines()[-1] == "areas: 8 placed, 0 not found, 0 already had area:, 0 on pages without pdf:"
    for rel, box in laid_out(site).items():
        area = area_of(site / rel)
        assert area is not None and iou(area, box) >= 0.8, (rel, area, box)


def test_import_pdf_of_the_sample_pages_finds_its_articles_and_nothing_else(tmp_path: Path) -> None:
    """The sample's PDFs also start an edition: `import pdf` writes one draft per article printed
    (titles as in the sample, areas where `areas` put them) and none for the header, folio or the
    示例版面 panel."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    edition = REPO / "content/2022/2022-11-04"
    subprocess.run([sys.executable, str(REPO / "build.py"), "import", "pdf", "--site", str(site), "--date", "2022-11-04",
                    *map(str, sorted(edition.glob("page-*.pdf")))], check=True, capture_output=True, cwd=REPO)
    drafts = {re.search(r"^title: \"?(.*?)\"?$", p.read_text(encoding="utf-8"), re.M).group(1): area_of(p)
              for p in (site / "content/2022/2022-11-04").glob("*.md")}
    sample = {re.search(r"^title: \"?(.*?)\"?$", p.read_text(encoding="utf-8"), re.M).group(1): area_of(p)
              for p in edition.glob("*.md")}
    assert drafts.keys() == sample.keys()
    for title, area in drafts.items():
        assert area is not None and iou(area, sample[title]) >= 0.8, title
