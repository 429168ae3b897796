"""The newsroom's guard rails exist and work: the pre-commit hook, the CI example, the error guide."""
from __future__ import annotations

import shlex
import subprocess
import sys

import yaml

from conftest import REPO, article, two_editions

ED = "content/2022/2022-11-04/"


def test_pre_commit_hook_runs_check_and_refuses_a_broken_article(make_site) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "epaper-check")
    command = shlex.split(hook["entry"])
    assert command[:2] == ["epaper", "check"] and hook["pass_filenames"] is False
    run = [sys.executable, "-m", "epaper", *command[1:]]
    site = make_site(two_editions())
    assert subprocess.run(run, cwd=site, capture_output=True).returncode == 0
    (site / ED / "bad.md").write_text(article("坏", page=7), encoding="utf-8")
    failed = subprocess.run(run, cwd=site, capture_output=True, text=True)
    assert failed.returncode == 1 and f"{ED}bad.md:3: " in failed.stderr and "[E410]" in failed.stderr


def test_ci_example_runs_check() -> None:
    workflow = yaml.safe_load((REPO / "examples/ci/github-actions-check.yml").read_text(encoding="utf-8"))
    steps = [s.get("run", "") for s in workflow["jobs"]["check"]["steps"]]
    assert any(step.startswith("epaper check") for step in steps)


def test_error_guide_covers_every_kind_of_error() -> None:
    guide = (REPO / "docs/errors.md").read_text(encoding="utf-8")
    for fragment in [
        "is not UTF-8 text", "GBK", "symbolic link to a place outside the site", "has no front matter",
        "front matter is not closed", "YAML syntax error", "is given twice", 'an article needs "title:"',
        "must be a whole number", "must be true or false", "is not a valid slug", "must not be digits alone",
        "is already used by", "would overwrite the page", "two editions have the date",
        "this edition has no articles", "editions don't nest", "is not a page of the edition",
        "unknown section", "unknown series", "did you mean", "no such article; the closest are",
        "cannot correct itself", "is in a later edition", "is a draft, left out of the build",
        '"corrects:" is only for', "unknown key", "--strict", "base_url", "timezone", "template syntax error",
        "is not one of article, note, brief, correction", "is not in an edition folder", "every article of this edition is a draft",
        "was not found", "is not a JPEG or PNG image", "is a damaged image", "is not a PDF file",
        "must name a file in the edition's folder", "is not on the page", 'but that page has no "scan:"', "overlaps",
        "typography: ", "epaper fix rewrites it", "half-width punctuation in Chinese text",
        "straight quotes around Chinese text", "space_between_cjk_and_latin is false", "full-width letters or digits",
        'in "typography:"', "not fixed:",
    ]:
        assert fragment in guide, fragment


def test_package_declares_the_epaper_command_and_pins_dependencies() -> None:
    import tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["epaper"] == "epaper.cli:run"
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert "==" in requirement, requirement
    help_text = subprocess.run([sys.executable, "-m", "epaper", "--help"], capture_output=True, text=True).stdout
    assert "build" in help_text and "check" in help_text


def test_every_theme_and_client_file_is_declared_as_package_data() -> None:
    """A newsroom installs the tool from a wheel: a template missing from package-data breaks it."""
    import fnmatch
    import tomllib
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["epaper"]
    package = REPO / "epaper"
    data = [p.relative_to(package).as_posix() for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data
    missing = [f for f in data if not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)]
    assert missing == []
