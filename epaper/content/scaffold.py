"""`new edition` and `new article`: valid skeletons, so editors start from a file that builds."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from epaper import messages as M
from epaper.content.config import load_config
from epaper.content.fields import as_date, slug_problem
from epaper.content.load import find_editions
from epaper.content.reader import SiteReader
from epaper.content.yamlutil import LineDict, load_yaml
from epaper.errors import Diagnostics, UsageError


def _editions(site: Path) -> dict[dt.date, tuple[Path, LineDict]]:
    """date -> (folder, edition.yaml data), reading only edition.yaml files."""
    reader = SiteReader(site, Diagnostics())
    found = {}
    for found_folder in find_editions(reader):
        folder = Path(found_folder.path)
        text = reader.text(folder / "edition.yaml")
        data, problem = load_yaml(text or "")
        if problem or not isinstance(data, LineDict):
            continue
        date = as_date(data.get("date"))
        if date:
            found[date] = (folder, data)
    return found


def _yaml_text(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ":#{}[],&*!|>'\"%@`") or text.strip() != text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def new_edition(site: Path, date: dt.date) -> Path:
    """content/YYYY/YYYY-MM-DD/edition.yaml, with the pages of the latest earlier edition."""
    editions = _editions(site)
    if date in editions:
        raise UsageError(M.EDITION_EXISTS(date=str(date), path=str(editions[date][0] / "edition.yaml")))
    folder = site / "content" / f"{date.year}" / date.isoformat()
    if folder.exists():
        raise UsageError(M.ALREADY_EXISTS(path=str(folder)))
    earlier = [d for d in editions if d < date] or list(editions)
    lines = [f"date: {date.isoformat()}", "pages:"]
    pages = editions[max(earlier)][1].get("pages") if earlier else None
    if isinstance(pages, list) and pages:
        for page in pages:
            if isinstance(page, dict):
                items = ", ".join(f"{k}: {_yaml_text(v)}" for k, v in page.items()
                                  if k in ("number", "name", "section"))
                lines.append(f"  - {{{items}}}")
    else:
        config = load_config(SiteReader(site, Diagnostics()))
        sections = list(config.sections.values()) if config else []
        for number, section in enumerate(sections or [None], start=1):
            if section is None:
                lines.append(f"  - {{number: {number}}}")
            else:
                lines.append(f"  - {{number: {number}, name: {_yaml_text(section.name)}, section: {section.slug}}}")
    folder.mkdir(parents=True)
    path = folder / "edition.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def new_article(site: Path, date: dt.date, page: int, slug: str, title: str | None = None) -> Path:
    """SLUG.md in the edition of DATE, on PAGE, with every common key ready to fill in."""
    problem = slug_problem(slug)
    if problem:
        raise UsageError(M.SLUG_REFUSED(slug=slug, problem=problem))
    editions = _editions(site)
    if date not in editions:
        raise UsageError(M.NO_EDITION_YET(date=str(date)))
    folder, data = editions[date]
    numbers = [p.get("number") for p in data.get("pages") or [] if isinstance(p, dict)]
    if page not in numbers:
        raise UsageError(M.NO_SUCH_PAGE(date=str(date), page=page, pages=", ".join(map(str, numbers))))
    path = folder / f"{slug}.md"
    if path.exists():
        raise UsageError(M.ALREADY_EXISTS(path=str(path)))
    config = load_config(SiteReader(site, Diagnostics()))
    chinese = config.is_chinese if config else True
    placeholder = "标题" if chinese else "Title"
    body = "正文第一段。" if chinese else "First paragraph."
    path.write_text(
        "---\n"
        f"title: {_yaml_text(title or placeholder)}\n"
        f"page: {page}\n"
        "# kicker: 引题\n# subtitle: 副题\n# authors: [姓名]\n# byline: 融媒体报道\n# dateline: 本报讯\n"
        "# order: 1\n# type: article      # article | note | brief | correction\n"
        "draft: true\n"
        "---\n\n"
        f"{body}\n",
        encoding="utf-8",
    )
    return path
