"""`epaper import pdf --date DATE PAGE.pdf…`: start an edition from its page PDFs.

Writes edition.yaml (the pages as `new edition` names them, each with its `pdf:`, the PDFs
copied beside it) and one draft per article found on each page, with its photo when the
PDF holds one. It never overwrites: a file that exists is kept, an article whose title is
already on that page in the edition is left alone, so running it again after edits writes
only what is new. The report says what was written, kept and skipped."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from gettext import NullTranslations
from pathlib import Path
from typing import Any, TextIO, cast

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pypinyin import lazy_pinyin

from epaper import messages as M
from epaper.content.article import split_front_matter
from epaper.content.config import load_config
from epaper.content.fields import slug_problem
from epaper.content.reader import SiteReader
from epaper.content.resolve import normalize_title
from epaper.content.scaffold import _editions, _yaml_text
from epaper.content.yamlutil import load_yaml
from epaper.errors import Diagnostics, UsageError
from epaper.pdf.frontmatter import area_text
from epaper.pdf.render import _LOCK, inspect
from epaper.pdf.segment import Found, segment
from epaper.pdf.text import Box, PdfProblem, read_page

SYLLABLES = 5  # a file name is the title's first syllables: quan-qu-you-dai-zheng


def file_stem(title: str, taken: set[str]) -> str:
    """The title's pinyin, shortened, as a valid slug not in `taken`."""
    words = []
    latin = cast(Any, lambda text: re.findall(r"[A-Za-z0-9]+", text))  # pypinyin takes a list back too
    for word in lazy_pinyin(title, errors=latin):
        word = re.sub(r"[^a-z0-9]", "", word.lower())
        if word:
            words.append(word)
    stem = "-".join(words[:SYLLABLES]) or "gaojian"
    if slug_problem(stem):
        stem = f"gaojian-{stem}" if stem.isdigit() else "gaojian"
    unique, n = stem, 2
    while unique in taken:
        unique, n = f"{stem}-{n}", n + 1
    taken.add(unique)
    return unique


def _quoted(value: str) -> str:
    """The value as YAML that reads back as this very text (不 2022, not yes, not null)."""
    text = _yaml_text(value)
    data, problem = load_yaml(f"k: {text}")
    if problem or not isinstance(data, dict) or data.get("k") != value:
        text = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    return text


def _markdown_text(paragraph: str) -> str:
    """A printed paragraph as Markdown that renders as printed: its marks escaped."""
    paragraph = re.sub(r"([\\`*_\[\]<])", r"\\\1", paragraph)
    return re.sub(r"^(#|>|[-+] |\d+[.)] )", r"\\\1", paragraph)


def draft(article: Found, page: int, image: str = "") -> str:
    """The Markdown file of a found article, as a draft."""
    lines = ["---", f"title: {_quoted(article.title)}"]
    for key in ("kicker", "subtitle"):
        if getattr(article, key):
            lines.append(f"{key}: {_quoted(getattr(article, key))}")
    if article.authors:
        lines.append(f"authors: [{', '.join(_quoted(a) for a in article.authors)}]")
    if article.byline:
        lines.append(f"byline: {_quoted(article.byline)}")
    if article.dateline:
        lines.append(f"dateline: {_quoted(article.dateline)}")
    lines += [f"page: {page}", f"order: {article.order}", f"area: {area_text([article.box])}"]
    if article.type != "article":
        lines.append(f"type: {article.type}")
    if article.corrects:
        c = article.corrects
        lines.append(f"corrects: {{date: {c['date']}, page: {c['page']}, title: {_quoted(c['title'])}}}")
    if image:
        lines.append(f"image: {image}")
    for key in ("caption", "credit"):
        if getattr(article, key):
            lines.append(f"{key}: {_quoted(getattr(article, key))}")
    lines += ["draft: true", "---", ""]
    lines += [_markdown_text(p) + "\n" for p in article.body]
    return "\n".join(lines)


def _photo(data: bytes, box: list[float]) -> bytes | None:
    """The biggest picture of the PDF's first page inside the box (percent), as JPEG."""
    with _LOCK:
        document = pdfium.PdfDocument(data)
        try:
            page = document[0]
            width, height = page.get_size()
            area = Box(box[0] / 100 * width, box[1] / 100 * height, (box[0] + box[2]) / 100 * width,
                       (box[1] + box[3]) / 100 * height)
            best, best_size = None, 0.0
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
                left, bottom, right, top = obj.get_bounds()
                picture = Box(left, height - top, right, height - bottom)
                if picture.overlap_x(area) >= 0.9 * picture.width and picture.overlap_y(area) >= 0.9 * picture.height \
                        and picture.area() > best_size:
                    best, best_size = obj, picture.area()
            if best is None:
                return None
            image = best.get_bitmap(render=True).to_pil().convert("RGB")
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _pages_yaml(site: Path, date: dt.date, count: int) -> list[str]:
    """The pages' entries as `new edition` names them (the last edition's, else the sections), with pdf:."""
    editions = _editions(site)
    earlier = [d for d in editions if d < date] or list(editions)
    template = []
    if earlier:
        pages = editions[max(earlier)][1].get("pages")
        template = [p for p in pages if isinstance(p, dict)] if isinstance(pages, list) else []
    if not template:
        config = load_config(SiteReader(site, Diagnostics()))
        template = [{"name": s.name, "section": s.slug} for s in (config.sections.values() if config else [])]
    entries = []
    for number in range(1, count + 1):
        known = template[number - 1] if number <= len(template) else {}
        items = [f"number: {number}"] + [f"{k}: {_yaml_text(known[k])}" for k in ("name", "section") if known.get(k)]
        entries.append(f"  - {{{', '.join(items + [f'pdf: page-{number:02d}.pdf'])}}}")
    return entries


def _existing(folder: Path) -> tuple[set[tuple[int, str]], set[str]]:
    """(page, title) of the articles already in the folder, and the names taken."""
    known, names = set(), set()
    for path in folder.glob("*"):
        names.add(path.stem)
        if path.suffix != ".md":
            continue
        try:
            front, _, _, problem = split_front_matter(path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n"))
        except (OSError, UnicodeDecodeError):
            continue
        data, trouble = load_yaml(front or "")
        if problem or trouble or not isinstance(data, dict):
            continue
        if isinstance(data.get("slug"), str):
            names.add(data["slug"])
        if isinstance(data.get("page"), int) and isinstance(data.get("title"), str):
            known.add((data["page"], normalize_title(data["title"])))
    return known, names


def run(site: Path, date: dt.date, pdfs: list[Path], number: int | None = None,
        out: TextIO | None = None, translations: NullTranslations | None = None) -> int:
    """Import the page PDFs (page 1 first) into the edition of DATE."""
    out = out or sys.stdout

    def say(line: str) -> None:
        print(line, file=out)

    if load_config(SiteReader(site, Diagnostics())) is None:
        raise UsageError(M.NOT_A_SITE(site=str(site)))
    if not pdfs:
        raise UsageError(M.NAME_THE_PDFS())
    datas = []
    for path in pdfs:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(M.PDF_UNREADABLE(path=str(path), reason=str(exc.strerror or exc))) from None
        problem = inspect(data).problem if data.startswith(b"%PDF-") else M.NOT_A_PDF()
        if problem:
            raise UsageError(M.PDF_REFUSED(path=str(path), problem=problem))
        datas.append(data)
    found_folders = {d: f for d, (f, _) in _editions(site).items()}
    folder = found_folders.get(date) or site / "content" / str(date.year) / date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    rel = folder.relative_to(site).as_posix() if folder.is_relative_to(site) else str(folder)
    edition = folder / "edition.yaml"
    if edition.exists():
        say(f"kept {rel}/edition.yaml: it exists")
    else:
        head = [f"date: {date.isoformat()}"] + ([f"number: {number}"] if number else []) + ["pages:"]
        edition.write_text("\n".join(head + _pages_yaml(site, date, len(pdfs))) + "\n", encoding="utf-8")
        say(f"wrote {rel}/edition.yaml ({len(pdfs)} pages)")
    known, names = _existing(folder)
    written = kept = skipped = 0
    for page_number, (path, data) in enumerate(zip(pdfs, datas, strict=False), start=1):
        target = folder / f"page-{page_number:02d}.pdf"
        if not target.exists():
            target.write_bytes(data)
            say(f"copied {path} to {rel}/{target.name}")
        elif target.read_bytes() != data:
            say(f"kept {rel}/{target.name}: it exists and differs from {path}; read {path} all the same")
        try:
            text = read_page(data)
        except PdfProblem as exc:  # not reached: inspected above
            say(f"page {page_number}: {path} {exc}")
            continue
        if text.pages > 1:
            say(f"page {page_number}: {path} has {text.pages} pages; only the first is read")
        if not text.lines:
            say(f"page {page_number}: {path} has no text layer (a scanned image only): no drafts made; "
                "write its articles and draw their areas by hand")
            continue
        articles, others = segment(text, date)
        for article in articles:
            if (page_number, normalize_title(article.title)) in known:
                kept += 1
                say(f"page {page_number}: kept 《{article.title}》: already in the edition")
                continue
            stem = file_stem(article.title, names)
            image = ""
            if article.caption or article.credit:
                photo = _photo(data, article.box)
                if photo is not None:
                    image = f"{stem}.jpg"
                    (folder / image).write_bytes(photo)
            (folder / f"{stem}.md").write_text(draft(article, page_number, image), encoding="utf-8")
            known.add((page_number, normalize_title(article.title)))
            written += 1
            kind = "" if article.type == "article" else f", {article.type}"
            say(f"page {page_number}: wrote {rel}/{stem}.md 《{article.title}》 (order {article.order}{kind}"
                f"{', with its photo' if image else ''})")
        for part in others:
            skipped += 1
            shown = part.text if len(part.text) <= 24 else part.text[:23] + "…"
            say(f"page {page_number}: skipped the {part.kind} at {area_text([part.box])}: {shown}")
    say(M.IMPORTED(written=written, kept=kept, skipped=skipped).render(translations))
    return 0
