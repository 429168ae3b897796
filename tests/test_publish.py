"""The publishing examples parse, name the build command and the output folder, and the
object-store script uploads and purges only what a build changed. The README points at
files that exist."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from test_incremental import age

from conftest import REPO, article, two_editions, write_files

PUBLISH = REPO / "examples/publish"


def test_github_pages_workflow_builds_into_public_and_deploys_it() -> None:
    workflow = yaml.safe_load((PUBLISH / "github-pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any(r.startswith("epaper build") and "--out public" in r for r in runs)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "public"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in workflow["jobs"]["deploy"]["steps"])
    assert workflow["permissions"]["pages"] == "write"


def test_netlify_settings_name_the_command_and_public() -> None:
    config = tomllib.loads((PUBLISH / "netlify.toml").read_text(encoding="utf-8"))
    assert config["build"]["publish"] == "public"
    assert "epaper build" in config["build"]["command"] and "--out public" in config["build"]["command"]


def test_cloudflare_pages_notes_name_the_command_and_public() -> None:
    text = (PUBLISH / "cloudflare-pages.md").read_text(encoding="utf-8")
    assert re.search(r"\| Build command \| `[^`]*epaper build[^`]*--out public`", text)
    assert "| Build output directory | `public` |" in text


def test_object_store_script_uploads_and_purges_only_what_changed(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    age(site)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "aws.log"
    (bin_dir / "aws").write_text(f'#!/bin/sh\necho "$@" >> {log}\n', encoding="utf-8")
    (bin_dir / "epaper").write_text(f'#!/bin/sh\nexec {sys.executable} -m epaper "$@"\n', encoding="utf-8")
    for tool in ("aws", "epaper"):
        (bin_dir / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "BUCKET": "s3://paper",
           "DISTRIBUTION": "E1", "PYTHONPATH": str(REPO)}

    def publish() -> list[str]:
        log.write_text("", encoding="utf-8")
        subprocess.run(["bash", str(PUBLISH / "s3-cloudfront.sh")], cwd=site, env=env, check=True,
                       capture_output=True, text=True)
        return log.read_text(encoding="utf-8").splitlines()

    first = publish()
    assert any(c.startswith("s3 cp public/index.html s3://paper/index.html") for c in first)
    assert not any(c.startswith("cloudfront") for c in first)  # all new: nothing to purge
    write_files(site, {"content/2022/2022-11-04/brief.md": article("简讯改了", page=2, type="brief")})
    second = publish()
    uploads = {c.split()[2] for c in second if c.startswith("s3 cp")}
    assert "public/2022-11-04/brief/index.html" in uploads and "public/feed.xml" in uploads
    assert "public/2022-11-03/bitan-one/index.html" not in uploads  # untouched pages stay
    css = [c for c in second if c.startswith("s3 cp public/assets/")]
    assert css == []
    purge = [c for c in second if c.startswith("cloudfront create-invalidation")]
    assert len(purge) == 1
    paths = purge[0].split("--paths ")[1].split()
    assert "/2022-11-04/brief/" in paths and "/feed.xml" in paths and "/2022-11-03/bitan-one/" not in paths


def test_readme_points_at_files_that_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    readme = re.sub(r"```.*?```", "", readme, flags=re.S)  # examples of content, not the README's own links
    targets = re.findall(r"\]\(([^)#]+)\)", readme)  # links and images
    targets += re.findall(r"`((?:examples|docs|scripts)/[^`\s]+)`", readme)
    assert "docs/screenshots/edition-phone.png" in targets and "docs/screenshots/article-phone.png" in targets
    for target in targets:
        if re.match(r"https?://", target):
            continue
        assert (REPO / target).exists(), target
    for shot in ("edition-phone.png", "article-phone.png"):
        data = (REPO / "docs/screenshots" / shot).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < 400_000
        width = int.from_bytes(data[16:20], "big")
        assert width in (390, 585, 780), width  # a phone's 390 CSS px, at 1x, 1.5x or 2x
