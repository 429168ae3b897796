"""`epaper areas` against the truth of generated newspaper pages: every article placed with its
printed box (IoU ≥ 0.8), on layouts tuned on and on held-out seeds; nothing else in the files
changed, byte for byte."""
from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from pdfgen.newspaper import TruthArticle, TruthPage, stored_page

from conftest import CONFIG, run_cli, write_files
from epaper.content.yamlutil import load_yaml
from epaper.pdf.frontmatter import NotWritten, add_key
from epaper.pdf.text import normalize_radicals

pytest_plugins = ["browser"]

TUNED = [1, 2, 3, 4, 5, 6]  # the seeds the placing code was developed on
HELD_OUT = [1001, 1002, 1003, 1004, 1005, 1006]  # never looked at while writing it
ED = "content/2022/2022-11-04/"


def iou(a: list[float] | tuple[float, ...], b: list[float] | tuple[float, ...]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    across = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    down = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    both = across * down
    return both / (aw * ah + bw * bh - both)


def front_matter(article: TruthArticle, page: int, order: int) -> dict[str, Any]:
    keys: dict[str, Any] = {"title": article.title, "page": page, "order": order, "type": article.type}
    for key in ("kicker", "subtitle", "byline", "dateline", "caption", "credit"):
        if getattr(article, key):
            keys[key] = getattr(article, key)
    if article.authors:
        keys["authors"] = article.authors
    if article.corrects:
        keys["corrects"] = article.corrects
    return keys


def markdown(keys: dict[str, Any], body: list[str]) -> str:
    lines = ["---"]
    for key, value in keys.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        elif isinstance(value, dict):
            lines.append(f"{key}: {{{', '.join(f'{k}: {v}' for k, v in value.items())}}}")
        elif isinstance(value, str):
            lines.append(f'{key}: "{value}"')
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines + ["---", "", "\n\n".join(body), ""])


def site_of(root: Path, pages: list[TruthPage]) -> Path:
    """A site with one edition whose page N is pages[N-1], and one article file per truth article."""
    files: dict[str, str | bytes] = {"config.yaml": CONFIG}
    edition = ["date: 2022-11-04", "pages:"]
    for number, page in enumerate(pages, start=1):
        edition.append(f"  - {{number: {number}, name: 第{number}版, section: yaowen, pdf: page-{number:02d}.pdf}}")
        files[f"{ED}page-{number:02d}.pdf"] = page.pdf
        for order, article in enumerate(page.articles, start=1):
            files[f"{ED}p{number}-{order:02d}.md"] = markdown(front_matter(article, number, order), article.body)
    files[f"{ED}edition.yaml"] = "\n".join(edition) + "\n"
    write_files(root, files)
    return root


def areas(site: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = run_cli("areas", "--site", str(site), "--messages", "en", *args)  # the report read in English
    return status, out.getvalue()


def area_of(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    data, problem = load_yaml(text.split("---")[1])
    assert problem is None
    return data.get("area")


@pytest.fixture(scope="module")
def generated(request: pytest.FixtureRequest) -> dict[int, TruthPage]:
    return {seed: stored_page(request, seed, number=1 + seed % 3) for seed in TUNED + HELD_OUT}


def score(site: Path, pages: list[TruthPage]) -> tuple[list[str], int, int]:
    """(failures, articles placed with IoU ≥ 0.8, articles)."""
    failures, good, total = [], 0, 0
    for number, page in enumerate(pages, start=1):
        for order, truth in enumerate(page.articles, start=1):
            total += 1
            area = area_of(site / f"{ED}p{number}-{order:02d}.md")
            if area is None or isinstance(area[0], list):
                failures.append(f"seed {page.seed} 《{truth.title}》: area {area}, truth {truth.box}")
                continue
            overlap = iou(area, truth.box)
            if overlap < 0.8:
                failures.append(f"seed {page.seed} 《{truth.title}》: IoU {overlap:.2f}: {area} vs {truth.box}")
                continue
            good += 1
            for kind, box in page.others:  # the masthead, header, folio, ads, labels are nobody's
                assert iou(area, box) < 0.05, (page.seed, truth.title, kind)
    return failures, good, total


@pytest.mark.parametrize("seeds", [TUNED, HELD_OUT], ids=["tuned", "held-out"])
def test_every_article_is_placed_on_its_printed_box(generated, tmp_path: Path, seeds: list[int]) -> None:
    pages = [generated[seed] for seed in seeds]
    site = site_of(tmp_path / "site", pages)
    status, output = areas(site)
    assert status == 0, output
    failures, good, total = score(site, pages)
    print(f"\nareas on seeds {seeds}: {good}/{total} articles with IoU ≥ 0.8 "
          f"({sum(p.style == 'frames' for p in pages)} framed pages, columns {[p.columns for p in pages]})")
    assert failures == []
    assert output.count(": placed on page ") == total
    assert f"areas: {total} placed, 0 not found" in output
    assert all(re.search(r"\(confidence (0\.9\d|1\.00)\)$", line) for line in output.splitlines()
               if ": placed on page " in line), output


def test_a_second_run_changes_nothing_and_articles_with_areas_are_untouched(generated, tmp_path: Path) -> None:
    page = generated[TUNED[0]]
    site = site_of(tmp_path / "site", [page])
    kept = site / f"{ED}p1-01.md"
    kept.write_bytes(kept.read_bytes().replace(b"---\n\n", b"area: [1, 2, 3, 4]   # by hand\n---\n\n", 1))
    before = kept.read_bytes()
    areas(site)
    assert kept.read_bytes() == before
    files = {p: p.read_bytes() for p in (site / ED).glob("*.md")}
    status, output = areas(site)
    assert status == 0 and output.strip() == f"areas: 0 placed, 0 not found, {len(files)} already had area:, "\
                                              "0 on pages without pdf:"
    assert {p: p.read_bytes() for p in (site / ED).glob("*.md")} == files


def test_an_article_printed_in_two_blocks_gets_two_boxes(generated, tmp_path: Path) -> None:
    """A jump: one article's text printed in two places. Made of two printed articles' text."""
    page = generated[TUNED[1]]
    stories = [a for a in page.articles if a.type == "article"]
    first, second = stories[0], stories[-1]
    assert iou(first.box, second.box) == 0
    site = site_of(tmp_path / "site", [])
    edition = "date: 2022-11-04\npages:\n  - {number: 1, name: 一版, section: yaowen, pdf: page-01.pdf}\n"
    keys = front_matter(first, 1, 1)
    body = first.body + [t for t in (second.kicker, second.title, second.subtitle, second.byline) if t]\
        + second.body + [t for t in (second.caption, second.credit) if t]
    write_files(site, {ED + "edition.yaml": edition, ED + "page-01.pdf": page.pdf,
                       ED + "jump.md": markdown(keys, body)})
    status, output = areas(site)
    assert status == 0 and "placed on page 1 in 2 blocks" in output, output
    boxes = area_of(site / ED / "jump.md")
    assert len(boxes) == 2
    wanted = sorted([first.box, second.box], key=lambda b: (b[1], b[0]))
    assert all(iou(got, truth) >= 0.8 for got, truth in zip(boxes, wanted, strict=False)), (boxes, wanted)


def test_radicals_in_the_text_layer_are_read_as_the_characters(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    page = stored_page(request, TUNED[2], radicals=True)
    from epaper.pdf.text import read_page
    printed = "".join(line.text for line in read_page(page.pdf, simplified=False).lines)
    raw_text = __import__("pypdfium2").PdfDocument(page.pdf)[0].get_textpage().get_text_range()
    assert "⽇" in raw_text and "日" not in raw_text  # the PDF really says ⽇
    assert "⽇" not in printed and "日" in printed
    site = site_of(tmp_path / "site", [page])
    status, output = areas(site)
    assert status == 0 and f"areas: {len(page.articles)} placed, 0 not found" in output, output
    failures, good, total = score(site, [page])
    assert failures == [] and good == total


def test_normalize_radicals_touches_only_the_radical_blocks() -> None:
    assert normalize_radicals("⽇⻓⺠⼾") == "日长民户"
    assert normalize_radicals("⽇⻓⺠⼾", simplified=False) == "日長民戶"
    punctuation = "，。、；：？！“”‘’（）《》【】——……·　ＡＢ１２"
    assert normalize_radicals(punctuation) == punctuation
    assert normalize_radicals("金坛日报") == "金坛日报"


def test_articles_not_on_the_page_and_pages_without_pdf_are_reported(generated, tmp_path: Path) -> None:
    page = generated[TUNED[3]]
    site = site_of(tmp_path / "site", [page])
    edition = (site / ED / "edition.yaml").read_text(encoding="utf-8") + "  - {number: 2, name: 二版, section: yaowen}\n"
    (site / ED / "edition.yaml").write_text(edition, encoding="utf-8")
    elsewhere = markdown({"title": "不在这一版上的稿件", "page": 1}, ["这篇稿件的文字没有印在第一版上，它在别处。"])
    unprinted = markdown({"title": "没有版面文件的稿件", "page": 2}, ["正文。"])
    write_files(site, {ED + "elsewhere.md": elsewhere, ED + "unprinted.md": unprinted})
    status, output = areas(site)
    assert status == 0
    assert (f'{ED}elsewhere.md: not found: none of its text is on page 1\'s PDF "page-01.pdf" ({ED}page-01.pdf); '
            "is it printed on another page?") in output
    assert f'{ED}unprinted.md: skipped: page 2 has no "pdf:" in {ED}edition.yaml' in output
    assert (site / ED / "elsewhere.md").read_text(encoding="utf-8") == elsewhere
    assert f"areas: {len(page.articles)} placed, 1 not found, 0 already had area:, 1 on pages without pdf:" in output


def test_unreadable_pdf_and_unknown_date(tmp_path: Path) -> None:
    from pdfgen.simple import damaged_pdf, pages_pdf
    site = site_of(tmp_path / "site", [])
    edition = ("date: 2022-11-04\npages:\n  - {number: 1, name: 一版, section: yaowen, pdf: page-01.pdf}\n"
               "  - {number: 2, name: 二版, section: yaowen, pdf: page-02.pdf}\n")
    write_files(site, {ED + "edition.yaml": edition, ED + "page-01.pdf": damaged_pdf(),
                       ED + "page-02.pdf": pages_pdf(1),
                       ED + "a.md": markdown({"title": "一", "page": 1}, ["正文。"]),
                       ED + "b.md": markdown({"title": "二", "page": 2}, ["正文。"])})
    status, output = areas(site, "--date", "2022-11-04")
    assert f'{ED}a.md: not found: page 1\'s PDF "page-01.pdf" ({ED}page-01.pdf) is damaged' in output
    assert (f'{ED}b.md: not found: page 2\'s PDF "page-02.pdf" ({ED}page-02.pdf) has no text layer '
            "(a scanned image only): draw its area by hand") in output
    assert run_cli("areas", "--site", str(site), "--date", "2022-11-05") == 2


# ---------------------------------------------------------------- the file is left as it was


CASES = {
    "comments and quoting": (
        b"---\n# the lead story\ntitle: '\xe5\xa4\xb4\xe6\x9d\xa1'   # single quotes\npage: 1\n"
        b"order: 01\n# end of keys\n\n---\n\nBody.\n",
        b"---\n# the lead story\ntitle: '\xe5\xa4\xb4\xe6\x9d\xa1'   # single quotes\npage: 1\n"
        b"order: 01\narea: [1.00, 2.50, 30.00, 40.25]\n# end of keys\n\n---\n\nBody.\n"),
    "CRLF and a BOM": (
        b"\xef\xbb\xbf---\r\ntitle: \"x\"\r\npage: 1\r\n---\r\n\r\nBody.\r\n",
        b"\xef\xbb\xbf---\r\ntitle: \"x\"\r\npage: 1\r\narea: [1.00, 2.50, 30.00, 40.25]\r\n---\r\n\r\nBody.\r\n"),
    "block list last": (
        b"---\ntitle: x\npage: 1\nauthors:\n  - a\n  - b   # second\n---\nBody.\n",
        b"---\ntitle: x\npage: 1\nauthors:\n  - a\n  - b   # second\narea: [1.00, 2.50, 30.00, 40.25]\n"
        b"---\nBody.\n"),
    "flow list and mapping": (
        b"---\ntitle: x\npage: 1\nauthors: [a, b]\ncorrects: {date: 2022-11-03, page: 3, title: y}\n...\nBody.\n",
        b"---\ntitle: x\npage: 1\nauthors: [a, b]\ncorrects: {date: 2022-11-03, page: 3, title: y}\n"
        b"area: [1.00, 2.50, 30.00, 40.25]\n...\nBody.\n"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_adding_area_changes_no_other_byte(case: str) -> None:
    before, after = CASES[case]
    assert add_key(before, "area", "[1.00, 2.50, 30.00, 40.25]") == after


def test_files_it_cannot_edit_safely_are_left_alone() -> None:
    for data, why in [(b"title: x\n", "has no front matter"), (b"---\ntitle: x\n", "not closed"),
                      (b"---\ntitle: x\narea: [1, 2, 3, 4]\n---\n", 'already has "area:"'),
                      (b"---\ntitle: [x\n---\n", "does not parse"),
                      (b"---\ntext: |+\n  kept blank lines\n\n---\n", "would not read back")]:
        with pytest.raises(NotWritten, match=re.escape(why)):
            add_key(data, "area", "[1.00, 2.00, 3.00, 4.00]")


def test_the_command_keeps_crlf_bom_and_comments(generated, tmp_path: Path) -> None:
    page = generated[TUNED[4]]
    site = site_of(tmp_path / "site", [page])
    path = site / f"{ED}p1-01.md"
    original = path.read_bytes()
    head, body = original.split(b"\n---\n", 1)
    edited = b"\xef\xbb\xbf" + (head + b"\n# reviewed: yes\n---\n" + body).replace(b"\n", b"\r\n")
    path.write_bytes(edited)
    status, output = areas(site)
    assert status == 0, output
    result = path.read_bytes()
    added = re.search(rb"area: \[[\d., ]+\]\r\n", result)
    assert added is not None
    assert result[:added.start()] + result[added.end():] == edited
    assert result.index(added.group()) < result.index(b"# reviewed: yes")  # after the last key


def test_build_py_runs_areas(generated, tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import REPO
    site = site_of(tmp_path / "site", [generated[TUNED[5]]])
    run = subprocess.run([sys.executable, str(REPO / "build.py"), "areas", "--site", str(site), "--messages", "en"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"areas: {len(generated[TUNED[5]].articles)} placed" in run.stdout


def test_check_warns_about_areas_the_pdf_contradicts(generated, tmp_path: Path) -> None:
    from epaper.build import Options, check
    page = generated[TUNED[1]]
    site = site_of(tmp_path / "site", [page])
    for path in (site / ED).glob("*.md"):  # no earlier edition here for a notice to correct
        text = re.sub(r"type: \"?correction\"?", "type: note", path.read_text(encoding="utf-8"))
        path.write_text(re.sub(r"corrects: .*\n", "", text), encoding="utf-8")
    areas(site)

    def pdf_warnings() -> list[str]:
        result = check(Options(site=site, now=None))
        return [str(w) for w in result.diagnostics.warnings if "PDF" in str(w)]

    assert pdf_warnings() == []  # what areas wrote agrees with the page
    first = site / f"{ED}p1-01.md"
    text = first.read_text(encoding="utf-8")
    first.write_text(re.sub(r"area: .*", "area: [0, 0, 100, 100]", text), encoding="utf-8")
    stranger = "---\ntitle: 本版没有印这个标题\npage: 1\narea: [1, 1, 2, 2]\n---\n\n正文。\n"
    write_files(site, {ED + "stranger.md": stranger})
    warnings = pdf_warnings()
    line = text.split("\n").index(next(ln for ln in text.split("\n") if ln.startswith("area:"))) + 1
    others = len(page.articles) - 1
    covering = [w for w in warnings if w.startswith(f"{ED}p1-01.md:{line}: warning: \"area:\" box [0, 0, 100, 100] "
                                                    "covers text of ")]
    assert len(covering) == others, warnings
    assert (f'{ED}stranger.md:4: warning: "area:" puts it on page 1\'s PDF "page-01.pdf", but that PDF does not '
            "print its title 《本版没有印这个标题》 (is page: right?)") in warnings
    assert len(warnings) == others + 1
    assert pdf_warnings() == warnings  # the second check reads them from the cache


def test_a_line_written_in_pieces_in_any_order_is_one_line() -> None:
    """Layout programs may write a line's words as separate text objects in any order."""
    import ctypes
    import random

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from epaper.pdf.text import read_page
    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    printed = ["The quick brown fox jumps", "over the lazy dog again", "and again."]
    words = []
    for row, text in enumerate(printed):
        x = 72.0
        for word in text.split():
            words.append((word, x, 700 - row * 14))
            x += (len(word) + 1) * 6.6  # Courier at 11 pt: 6.6 pt a character, a space between words
    random.Random(1).shuffle(words)
    for word, x, y in words:
        obj = raw.FPDFPageObj_NewTextObj(document.raw, b"Courier", 11.0)
        buffer = ctypes.create_string_buffer((word + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        raw.FPDFPage_InsertObject(page.raw, obj)
    # and a second column beside the first, a gutter away
    obj = raw.FPDFPageObj_NewTextObj(document.raw, b"Courier", 11.0)
    buffer = ctypes.create_string_buffer("column two".encode("utf-16-le") + b"\0\0")
    raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
    raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 72 + 26 * 6.6 + 11, 700)
    raw.FPDFPage_InsertObject(page.raw, obj)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    lines = sorted(read_page(out.getvalue()).lines, key=lambda ln: (round(ln.box.top), ln.box.left))
    assert [line.text for line in lines] == printed[:1] + ["column two"] + printed[1:]


def test_an_article_edited_since_print_is_still_placed(generated, tmp_path: Path) -> None:
    """Sentences rewritten in the file after the page was printed: the lines that no longer match
    sit between lines that do, and the box is the printed one all the same."""
    page = generated[TUNED[0]]
    site = site_of(tmp_path / "site", [page])
    order, story = max(enumerate(page.articles, start=1), key=lambda item: len("".join(item[1].body)))
    path = site / f"{ED}p1-{order:02d}.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    middle = len(body) // 2
    edited = body[:middle] + "（此处在见报后改写，与版面上的文字不同，由编辑核对后更新。）" + body[middle + 40:]
    path.write_text(head + "\n---\n" + edited, encoding="utf-8")
    status, output = areas(site)
    assert status == 0 and f"{path.name}: placed on page 1: area:" in output, output
    assert iou(area_of(path), story.box) >= 0.8
    untouched = site_of(tmp_path / "untouched", [page])
    areas(untouched)
    assert area_of(path) == area_of(untouched / f"{ED}p1-{order:02d}.md")  # grown to the same frame or rules
