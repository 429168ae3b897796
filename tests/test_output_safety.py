"""The live site is never lost: staging and swap, kill-safety, nothing written outside the output."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import (
    EDITION,
    REPO,
    article,
    build_errors,
    build_ok,
    run_cli,
    two_editions,
    write_files,
)

ED = "content/2022/2022-11-04/"


def digest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_failed_build_leaves_previous_output_byte_for_byte(make_site) -> None:
    site = make_site(two_editions())
    _, out = build_ok(site)
    before = digest(out)
    (site / ED / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    build_errors(site)
    assert digest(out) == before
    assert not any(p.name.startswith(".public.") and p.name not in (".public.staging", ".public.lock")
                   for p in site.iterdir())


def test_unchanged_files_keep_their_mtime_and_changed_ones_are_replaced(make_site) -> None:
    site = make_site(two_editions())
    _, out = build_ok(site)
    old_mtime = (out / "2022-11-03/youdaizheng/index.html").stat().st_mtime_ns
    time.sleep(0.01)
    (site / ED / "brief.md").write_text(article("简讯改题", page=2, type="brief"), encoding="utf-8")
    result, out = build_ok(site)
    assert (out / "2022-11-03/youdaizheng/index.html").stat().st_mtime_ns == old_mtime
    assert "2022-11-04/brief/index.html" in result.report.changed
    assert "简讯改题" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")


def test_removed_article_removes_its_output(make_site) -> None:
    site = make_site(two_editions())
    build_ok(site)
    (site / ED / "brief.md").unlink()
    result, out = build_ok(site)
    assert not (out / "2022-11-04/brief").exists()
    assert "2022-11-04/brief/index.html" in result.report.removed


def _big_site(make_site) -> Path:
    files: dict[str, str] = {}
    for day in range(1, 21):
        folder = f"content/2022/2022-10-{day:02d}/"
        files[folder + "edition.yaml"] = EDITION.format(date=f"2022-10-{day:02d}", number=day)
        for n in range(15):
            files[folder + f"a{n}.md"] = article(f"第{day}日文章{n}", page=1 + n % 2, body="正文。" * 300)
    return make_site(files)


def test_build_killed_at_any_moment_leaves_old_or_new_output_whole(make_site) -> None:
    site = _big_site(make_site)
    out = site / "public"
    command = [sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, check=True, env=env, capture_output=True)
    old = digest(out)
    edited = site / "content/2022/2022-10-20/a0.md"
    edited.write_text(article("改过的标题", page=1, body="新正文。" * 300), encoding="utf-8")
    subprocess.run(command, check=True, env=env, capture_output=True)
    new = digest(out)
    assert old != new
    started = time.monotonic()
    subprocess.run(command, check=True, env=env, capture_output=True)
    full_time = time.monotonic() - started
    edited.write_text(article("第20日文章0", page=1, body="正文。" * 300), encoding="utf-8")
    # old/new swap roles: the output now holds `new`; a finished build would give `old` again.
    outcomes = set()
    for i in range(8):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full_time * (i + 0.5) / 8)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = digest(out)
        assert now in (old, new), f"kill {i}: the output is neither the previous nor the new site"
        outcomes.add("old" if now == old else "new")
        if now == old:  # the build finished: go back to the other version for the next try
            edited.write_text(article("改过的标题", page=1, body="新正文。" * 300), encoding="utf-8")
            old, new = new, old
    assert "new" in outcomes  # at least one kill landed before the swap


def test_content_symlink_outside_the_site_is_refused(make_site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(article("秘密", page=1), encoding="utf-8")
    site = make_site(two_editions())
    (site / ED / "leak.md").symlink_to(secret)
    (site / "static").mkdir()
    (site / "static" / "passwd").symlink_to("/etc/passwd")
    lines = build_errors(site)
    assert lines == [
        f"{ED}leak.md:1: is a symbolic link to a place outside the site; refusing to read it",
        "static/passwd:1: is a symbolic link to a place outside the site; refusing to read it",
    ]


def test_symlink_inside_the_site_is_read(make_site) -> None:
    site = make_site(two_editions())
    (site / "shared.md").write_text(article("共享", page=1, slug="shared"), encoding="utf-8")
    (site / ED / "shared.md").symlink_to(site / "shared.md")
    _, out = build_ok(site)
    assert (out / "2022-11-04/shared/index.html").is_file()


@pytest.mark.parametrize("target", [".", "..", "content", "layouts/out"])
def test_output_folder_that_would_destroy_the_site_is_refused(make_site, target: str, capsys) -> None:
    site = make_site(two_editions())
    before = sorted(p.relative_to(site.parent).as_posix() for p in site.parent.rglob("*"))
    assert run_cli("build", "--site", str(site), "--out", str(site / target)) == 2
    assert "epaper: --out" in capsys.readouterr().err
    assert sorted(p.relative_to(site.parent).as_posix() for p in site.parent.rglob("*")) == before


def test_foreign_non_empty_output_folder_is_not_replaced(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.txt").write_text("irreplaceable")
    assert run_cli("build", "--site", str(site), "--out", str(documents)) == 2
    assert (documents / "thesis.txt").read_text() == "irreplaceable"


def test_nothing_is_written_outside_output_and_staging(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    before = {p for p in tmp_path.rglob("*")}
    _, out = build_ok(site, out=tmp_path / "www")
    after = {p for p in tmp_path.rglob("*")}
    allowed = [out, out.parent / f".{out.name}.staging", out.parent / f".{out.name}.staging.twin",
               out.parent / f".{out.name}.lock", site / ".epaper-cache"]
    assert {p for p in after - before if not any(p == a or a in p.parents for a in allowed)} == set()


def test_the_staging_folder_remembers_only_the_folders_made_lately(tmp_path: Path, monkeypatch) -> None:
    """At 100,000 articles every page folder (and its twin) stayed in memory until the build ended."""
    from epaper.output import staging
    monkeypatch.setattr(staging, "RECENT_FOLDERS", 4)
    folder = staging.StagingFolder(tmp_path / "staging", {}, tmp_path / "twin")
    folder.prepare()
    for n in range(12):
        folder.place(f"2022-11-04/a{n}/index.html", f"<p>{n}</p>".encode(), None)
    assert len(folder._folders) <= 4
    assert all((tmp_path / root / f"2022-11-04/a{n}/index.html").read_bytes() == f"<p>{n}</p>".encode()
               for n in range(12) for root in ("staging", "twin"))
    folder.place("2022-11-04/a0/other.html", b"<p>again</p>", None)  # a folder forgotten: made again, harmlessly
    assert (tmp_path / "staging/2022-11-04/a0/other.html").read_bytes() == b"<p>again</p>"


def test_an_output_deleted_by_hand_before_each_build_comes_back_whole_every_time(make_site) -> None:
    """`rm -rf public && epaper build`, again and again: the third build found the staging
    folder recorded as the whole site though it was empty (the second build's twin), and
    failed for want of its files."""
    site = make_site(two_editions())
    _, out = build_ok(site)
    whole = digest(out)
    for _ in range(3):
        shutil.rmtree(out)
        _, out = build_ok(site)
        assert digest(out) == whole
    (site / ED / "brief.md").write_text(article("又改了", page=2), encoding="utf-8")
    _, out = build_ok(site)  # an incremental build after them
    assert "又改了" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")


def test_a_build_that_stops_after_it_began_writing_leaves_the_staging_folder_unknown_and_no_stamp(make_site) -> None:
    from epaper.output.record import read_record, record_path, writing_path
    from epaper.output.writer import OutputWriter
    site = make_site(two_editions())
    time.sleep(0.15)  # out of the clock's tick (cache.RACY_NS): the build gets a stamp
    _, out = build_ok(site)
    state = site / ".epaper-cache"
    path = record_path(state, out.absolute())
    before = path.read_bytes(), path.stat().st_ino
    writer = OutputWriter(out, state)
    assert writer.stamp is not None and writer.folder.spare is not None
    writer.begin()  # then the build is killed
    assert (path.read_bytes(), path.stat().st_ino) == before  # marked, not written again (0.14 s at 100,000)
    again = OutputWriter(out, state)
    assert again.stamp is None  # not up to date: the next build builds
    assert again.folder.spare is None  # the staging folder is emptied before use
    assert again.live == writer.live and again.renders == writer.renders  # the live folder is still known
    assert read_record(path).trees == {next(iter(read_record(path).trees)): writer.live}
    result, _ = build_ok(site)
    assert not writing_path(path).exists()
    assert result.report is not None and not result.report.added and not result.report.changed
    assert build_ok(site)[0].up_to_date


def test_the_output_record_keeps_the_staging_folder_as_its_changes_to_the_live_one(tmp_path: Path) -> None:
    import marshal

    from epaper.output.record import BuildRecord, read_record, write_record
    live = {f"2022-11-{d:02d}/a{n}/index.html": f"sha{d}-{n}" for d in range(1, 29) for n in range(50)}
    staging = dict(live)
    staging["2022-11-01/a0/index.html"] = "changed"
    staging["2022-11-30/new/index.html"] = "added"
    staging["unknown.html"] = None  # a file whose hash the record does not know
    del staging["2022-11-02/a1/index.html"]
    path = tmp_path / "output-x.marshal"
    write_record(path, BuildRecord(trees={7: live, 9: staging}, renders={"a": "k"}, stamp="s"))
    assert read_record(path).trees == {7: live, 9: staging}
    stored = marshal.loads(path.read_bytes())["trees"][9]
    assert stored[0] == 7 and len(stored[1]) == 4  # four changes, not 1,401 files
    write_record(path, BuildRecord(trees={7: live}))
    assert read_record(path).trees == {7: live}
    path.write_bytes(marshal.dumps({"format": 3, "trees": {9: (8, {})}}))  # damaged: no such first folder
    assert read_record(path).trees == {}


def test_a_record_of_few_changes_is_written_as_a_delta_on_its_base_and_read_back_whole(tmp_path: Path) -> None:
    """A new edition changes a few thousand of the 150,000 pages at 100,000 articles: the record is
    written as its changes to the base it was read on (0.4 s of the build when written whole), and
    reads back as the whole record; many changes write the base again, and so do changes that do
    not make folders of the record's sizes; a delta on another base (a kill between the base's
    rename and the delta's removal), or a base whose delta is gone, is no record, never a wrong one."""
    from epaper.output import record as R

    def write(trees: dict[int, dict[str, str | None]], stamp: str, base: R.Base | None,
              renders: dict[str, str] | None = None) -> None:
        changes = {folder: R._changes(base.tree, files) for folder, files in trees.items()} if base else None
        R.write_record(path, R.BuildRecord(trees=trees, renders=renders or {}, stamp=stamp), base, changes)

    live = {f"2022-11-{d:02d}/a{n}/index.html": f"sha{d}-{n}" for d in range(1, 29) for n in range(50)}
    staging = {**live, "2022-11-01/a0/index.html": "changed", "unknown.html": None}
    path = tmp_path / "output-x.marshal"
    write({7: live, 9: staging}, "s", None, {p: "k" for p in live})
    first = R.read_record(path)
    assert first.base is not None and not R.delta_path(path).exists()
    base_bytes = path.read_bytes()

    newer = {**live, "2022-11-29/new/index.html": "added", "2022-11-02/a1/index.html": "changed"}
    del newer["2022-11-03/a3/index.html"]
    renders = {**{p: "k" for p in newer}, "2022-11-02/a1/index.html": "k2"}
    write({9: newer, 7: live}, "t", first.base, renders)
    assert path.read_bytes() == base_bytes and R.delta_path(path).exists()  # the base as it was
    second = R.read_record(path)
    assert (second.trees, second.renders, second.stamp) == ({9: newer, 7: live}, renders, "t")
    assert second.base is not None and second.base.token == first.base.token

    newest = {**newer, "2022-11-30/new/index.html": "added"}  # on the same base, not on the delta
    write({7: newest, 9: newer}, "u", second.base, renders)
    assert path.read_bytes() == base_bytes
    assert R.read_record(path).trees == {7: newest, 9: newer} and R.read_record(path).renders == renders

    missed = R.read_record(path).base
    assert missed is not None
    R.write_record(path, R.BuildRecord(trees={7: {**newest, "b.html": "b"}, 9: newer}, stamp="m"), missed,
                   {7: R._changes(missed.tree, newest), 9: R._changes(missed.tree, newer)})  # b.html missed
    assert path.read_bytes() != base_bytes and not R.delta_path(path).exists()  # written whole instead
    assert R.read_record(path).trees == {7: {**newest, "b.html": "b"}, 9: newer}
    base_bytes = path.read_bytes()

    changed = {p: "other" for p in newest}  # every page changed: the base written whole, the delta gone
    write({9: changed, 7: newest}, "v", R.read_record(path).base)
    assert path.read_bytes() != base_bytes and not R.delta_path(path).exists()
    assert R.read_record(path).trees == {9: changed, 7: newest} and R.read_record(path).stamp == "v"

    write({9: changed, 7: {**changed, "a.html": "a"}}, "w", R.read_record(path).base)
    old_delta = R.delta_path(path).read_bytes()
    write({9: changed}, "x", None)  # a base written whole
    assert not R.delta_path(path).exists()
    R.delta_path(path).write_bytes(old_delta)  # as if killed before the old delta was removed
    assert R.read_record(path).trees == {} and R.read_record(path).stamp is None

    write({9: changed}, "y", None)
    write({9: {**changed, "b.html": "b"}}, "z", R.read_record(path).base)
    assert R.read_record(path).stamp == "z" and R.delta_path(path).exists()
    R.delta_path(path).unlink()  # by hand: the base alone is an older record, so there is none
    assert R.read_record(path).trees == {} and R.read_record(path).stamp is None


def test_builds_after_the_first_write_their_record_as_a_delta_and_stay_right(make_site, monkeypatch) -> None:
    """An edit, then a new edition: the record's base is the first build's, each build adds a delta
    on it, and the no-op build after them finds everything as built. (A site this small changes
    a third of its files with a new edition: the share that writes the base again is raised.)"""
    from epaper.output import record
    from epaper.output.record import delta_path, record_path
    monkeypatch.setattr(record, "DELTA_SHARE", 2.0)
    site = make_site(two_editions())
    time.sleep(0.15)
    _, out = build_ok(site)
    path = record_path(site / ".epaper-cache", out.absolute())
    base = path.read_bytes()
    (site / ED / "brief.md").write_text(article("改了", page=2), encoding="utf-8")
    build_ok(site)
    write_files(site, {"content/2022/2022-11-05/edition.yaml": EDITION.format(date="2022-11-05", number=11235),
                       "content/2022/2022-11-05/one.md": article("第三期")})
    time.sleep(0.15)
    result, _ = build_ok(site)
    assert result.rendered and path.read_bytes() == base and delta_path(path).exists()
    again, _ = build_ok(site)
    assert again.up_to_date
    assert "改了" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")
