"""Property tests: whatever an editor types, the build succeeds or prints PATH:LINE errors."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONFIG, EDITION, article, examples, write_files
from epaper.build import Options, build
from epaper.errors import BuildError

LINE = re.compile(r"^[^:\n]+:[1-9][0-9]*: .+")
SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
keys = st.sampled_from(["title", "slug", "kicker", "subtitle", "authors", "byline", "dateline", "page",
                        "order", "section", "series", "type", "corrects", "draft", "tittle", "date", "pages",
                        "number", "publish", "name", "image", "caption", "credit", "area", "scan", "pdf"])


def run(files: dict[str, str | bytes]) -> None:
    """Build in a fresh folder; any outcome but success or BuildError fails the property."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
        base = {"content/e/edition.yaml": EDITION.format(date="2022-11-03", number=1),
                "content/e/ok.md": article("好", page=1)}
        base.update(files)
        write_files(site, base)
        try:
            build(Options(site=site, out=site / "public"))
        except BuildError as exc:
            assert exc.diagnostics, "a failed build must say why"
            for diagnostic in exc.diagnostics:
                assert LINE.match(str(diagnostic)), str(diagnostic)
                assert "Traceback" not in str(diagnostic)


def dump(data: object) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return str(data)


@SETTINGS
@given(st.dictionaries(keys, values, max_size=8))
def test_arbitrary_front_matter_never_crashes(front: dict) -> None:
    run({"content/e/x.md": "---\n" + dump(front) + "---\n正文\n"})


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_article_text_never_crashes(text: str) -> None:
    run({"content/e/x.md": text})


@SETTINGS
@given(st.binary(max_size=120))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    run({"content/e/x.md": b"---\ntitle: t\npage: 1\n---\n" + data})


@SETTINGS
@given(st.dictionaries(keys, values, max_size=6))
def test_arbitrary_edition_yaml_never_crashes(edition: dict) -> None:
    run({"content/f/edition.yaml": dump(edition), "content/f/y.md": article("乙", page=1)})


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("中文*_`#>-[]()!<>&|:\n 1a\\^~=")), max_size=300))
def test_arbitrary_markdown_never_crashes(body: str) -> None:
    run({"content/e/x.md": article("标题", page=1, body=body)})
