"""Scratch sites in tmp_path (after Lektor's fixture) and helpers to read the output."""
from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from epaper.build import Options, build, check
from epaper.cli import main as cli_main
from epaper.errors import BuildError

REPO = Path(__file__).resolve().parent.parent

# Property tests run CI-sized under CI=true (a quarter of the examples of the slow ones), at
# their written size locally, and at four times it with EPAPER_HYPOTHESIS=full before a release.
HYPOTHESIS_PROFILE = os.environ.get("EPAPER_HYPOTHESIS") or ("ci" if os.environ.get("CI") else "dev")
_SCALE = {"ci": 0.25, "dev": 1.0, "full": 4.0}
if HYPOTHESIS_PROFILE not in _SCALE:
    raise pytest.UsageError(f"EPAPER_HYPOTHESIS={HYPOTHESIS_PROFILE}: choose one of {', '.join(_SCALE)}")


def examples(written: int) -> int:
    """How many examples a property test runs in this profile; `written` is its local size."""
    return max(5, round(written * _SCALE[HYPOTHESIS_PROFILE]))


CONFIG = """\
title: 测试日报
base_url: https://news.example.com/
language: zh-CN
timezone: Asia/Shanghai
paginate: 2
sections:
  - {slug: yaowen, name: 要闻}
  - {slug: zonghe, name: 综合}
series:
  - {slug: bitan, name: 笔谈}
"""

EDITION = """\
date: {date}
number: {number}
pages:
  - {{number: 1, name: 要闻, section: yaowen}}
  - {{number: 2, name: 综合, section: zonghe}}
"""


def article(title: str, page: int = 1, body: str = "正文。", **keys: object) -> str:
    """An article file: front matter from keyword arguments, then the body."""
    lines = ["---", f"title: {title}", f"page: {page}"]
    for key, value in keys.items():
        lines.append(f"{key}: {value}")
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """make_site({path: text}) -> a site folder; config.yaml defaults to CONFIG."""

    def make(files: dict[str, str | bytes], config: str | None = CONFIG, name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir()
        if config is not None:
            (root / "config.yaml").write_text(config, encoding="utf-8")
        write_files(root, files)
        return root

    return make


def two_editions() -> dict[str, str]:
    """A small valid site: two editions, a series, a correction across editions."""
    return {
        "content/2022/2022-11-03/edition.yaml": EDITION.format(date="2022-11-03", number=11233),
        "content/2022/2022-11-03/youdaizheng.md": article("全区优待证月底发放到位", page=1, order=1),
        "content/2022/2022-11-03/bitan-one.md": article("笔谈之一", page=2, series="bitan"),
        "content/2022/2022-11-04/edition.yaml": EDITION.format(date="2022-11-04", number=11234),
        "content/2022/2022-11-04/bitan-two.md": article("笔谈之二", page=1, series="bitan", order=1),
        "content/2022/2022-11-04/gengzheng.md": article(
            "更正启事", page=2, type="correction", corrects="2022-11-03/youdaizheng", body="特此更正。"),
        "content/2022/2022-11-04/brief.md": article("简讯一则", page=2, type="brief", dateline="本报讯"),
    }


def build_ok(site: Path, out: Path | None = None, **options: object):
    """Build and return (result, output folder); fails the test on content errors."""
    out = out or site / "public"
    try:
        result = build(Options(site=site, out=out, **options))  # type: ignore[arg-type]
    except BuildError as exc:
        pytest.fail("build failed:\n" + "\n".join(str(d) for d in exc.diagnostics))
    return result, out


def build_errors(site: Path, **options: object) -> list[str]:
    """Build a site that must fail; return its diagnostics as printed lines."""
    with pytest.raises(BuildError) as info:
        build(Options(site=site, out=site / "public", **options))  # type: ignore[arg-type]
    return [str(d) for d in info.value.diagnostics if options.get("strict") or not d.warning]


def check_errors(site: Path, **options: object) -> list[str]:
    with pytest.raises(BuildError) as info:
        check(Options(site=site, **options))  # type: ignore[arg-type]
    return [str(d) for d in info.value.diagnostics if options.get("strict") or not d.warning]


def soup(out: Path, url_path: str) -> BeautifulSoup:
    """The parsed page at a site-relative URL such as '2022-11-04/' or ''."""
    path = out / url_path
    if url_path == "" or url_path.endswith("/"):
        path = path / "index.html"
    assert path.is_file(), f"no page at /{url_path} ({path})"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def internal_targets(out: Path, base_path: str = "/") -> list[tuple[str, str]]:
    """(page, link) for every href/src in the output that points into the site."""
    found = []
    for page in sorted(out.rglob("*.html")):
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in doc.find_all(href=True) + doc.find_all(src=True):
            link = tag.get("href") or tag.get("src")
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            found.append((page.relative_to(out).as_posix(), unquote(parts.path)))
    return found


def resolves(out: Path, base_path: str, link: str) -> bool:
    """Would a static host serve something for this root-relative link?"""
    if not link.startswith(base_path):
        return False
    rel = link[len(base_path):]
    target = out / rel
    return target.is_file() or (target / "index.html").is_file()


def run_cli(*args: str) -> int:
    try:
        return cli_main(list(args))
    except SystemExit as exc:  # argparse
        return int(exc.code or 0)
