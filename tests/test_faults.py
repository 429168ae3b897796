"""Issue 12: the faults an attack run found — racing builds, unreadable files, impossible
dates, YAML bombs, image modes, runaway Markdown — each reproduced, then refused or fixed."""
from __future__ import annotations

import gc
import hashlib
import io
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import CONFIG, EDITION, REPO, article, build_ok, check_errors, two_editions, write_files
from epaper.build import Options, build
from epaper.errors import BuildError

ED = "content/2022/2022-11-04/"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def tree(out: Path) -> dict[str, str]:
    """Every file of a folder with its hash: a byte-for-byte comparison of two outputs."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def png(mode: str = "RGB", size: tuple[int, int] = (60, 40), color: object = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")  # type: ignore[arg-type]
    return buffer.getvalue()


def _scanned_site() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(two_editions())
    files[ED + "edition.yaml"] = (
        "date: 2022-11-04\nnumber: 11234\npages:\n"
        "  - {number: 1, name: 要闻, section: yaowen, scan: page-1.png}\n"
        "  - {number: 2, name: 综合, section: zonghe}\n")
    files[ED + "page-1.png"] = png(size=(300, 400))
    files["static/extra/notice.txt"] = "static file\n"
    return files


# ---------------------------------------------------------------- 1. racing builds


def test_overlapping_builds_of_one_output_leave_the_same_site_as_a_clean_build(make_site, tmp_path: Path) -> None:
    site = make_site(_scanned_site())
    out = tmp_path / "out" / "public"
    command = [sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out)]
    subprocess.run(command, check=True, env=ENV, capture_output=True)
    edited = site / ED / "brief.md"
    chance = random.Random(12)
    for round_ in range(12):
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(f"\n第{round_}次补充。\n")
        first = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(chance.uniform(0.05, 0.6))
        second = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for process in (first, second):
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"round {round_}: {err.decode()}"
        clean_site = tmp_path / f"clean{round_}"
        shutil.copytree(site, clean_site, ignore=shutil.ignore_patterns(".epaper-cache", "public"))
        _, clean = build_ok(clean_site, tmp_path / f"clean{round_}-out" / "public")
        assert tree(out) == tree(clean), f"round {round_}: the output differs from a clean build"
        shutil.rmtree(clean_site)
        shutil.rmtree(clean.parent)


def test_a_second_build_with_no_wait_exits_3_naming_the_holder(make_site, tmp_path: Path) -> None:
    from epaper.output.lock import output_lock

    site = make_site(two_editions())
    out = tmp_path / "public"
    with output_lock(out):
        done = subprocess.run([sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out),
                               "--no-wait"], env=ENV, capture_output=True, text=True, timeout=60)
        waiting = subprocess.Popen([sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out)],
                                   env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert waiting.stderr is not None
        said = waiting.stderr.readline()  # it says so when it finds the lock held (no clock involved)
        assert "waiting for another build" in said, said
        assert waiting.poll() is None  # and waits for the lock
    assert done.returncode == 3
    assert f"pid {os.getpid()}" in done.stderr and not out.exists()
    assert f"另一个构建（pid {os.getpid()}）正在写入 {out}" in done.stderr and "[U121]" in done.stderr  # a zh site
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert (out / "index.html").is_file()


def test_the_lock_of_a_killed_build_is_released(make_site, tmp_path: Path) -> None:
    site = make_site(two_editions())
    out = tmp_path / "public"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from epaper.output.lock import output_lock\n"
                               f"with output_lock(Path({str(out)!r})):\n print('held', flush=True); time.sleep(60)"],
                              env=ENV, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    done = subprocess.run([sys.executable, "-m", "epaper", "build", "--site", str(site), "--out", str(out),
                           "--no-wait"], env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- 2, 6. unreadable files, FIFOs, loops


def _other_user_site(make_site, files: dict[str, str | bytes]) -> Path:
    """A site a non-root user owns: root reads everything, so permission faults need another user."""
    site = make_site(files)
    if os.geteuid() != 0:
        return site
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv to run the build as a user without override rights")
    shared = Path(tempfile.mkdtemp(prefix="epaper-faults-", dir="/tmp"))
    os.chmod(shared, 0o755)
    copy = shared / "site"
    shutil.copytree(site, copy, symlinks=True)
    for folder, dirs, names in os.walk(shared):
        for name in [*dirs, *names]:
            os.lchown(os.path.join(folder, name), 65534, 65534)
    os.lchown(shared, 65534, 65534)
    return copy


def _as_other_user(*args: str) -> subprocess.CompletedProcess:
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "epaper", *_english(args)], env=ENV, capture_output=True,
                          text=True, timeout=60, cwd="/")


def _english(args: tuple[str, ...]) -> list[str]:
    """The command with --messages en where it prints diagnostics: these tests read the English."""
    return [*args, "--messages", "en"] if args and args[0] in ("build", "check", "serve", "fix", "areas") \
        else list(args)


@pytest.fixture
def other_user_site(make_site):
    made: list[Path] = []

    def make(files: dict[str, str | bytes]) -> Path:
        site = _other_user_site(make_site, files)
        made.append(site)
        return site

    yield make
    for site in made:
        if site.parent.name.startswith("epaper-faults-"):
            for folder, dirs, _ in os.walk(site.parent):
                for name in dirs:
                    os.chmod(os.path.join(folder, name), 0o755)
            shutil.rmtree(site.parent)


def _with_layout_override() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(two_editions())
    files["layouts/partials/colophon.html"] = "<p>本站自己的版权说明</p>\n"
    files["static/extra/notice.txt"] = "static file\n"
    return files


@pytest.mark.parametrize("folder, named", [
    ("content", "content:1: cannot be read: Permission denied"),
    ("content/2022/2022-11-03", "content/2022/2022-11-03:1: cannot be read: Permission denied"),
    ("content/2022/2022-11-04/brief.md", "content/2022/2022-11-04/brief.md:1: cannot be read: Permission denied"),
    ("layouts/partials", "layouts/partials:1: cannot be read: Permission denied"),
    ("layouts/partials/colophon.html", "layouts/partials/colophon.html:1: cannot be read: Permission denied"),
    ("static/extra", "static/extra:1: cannot be read: Permission denied"),
    ("static/extra/notice.txt", "static/extra/notice.txt:1: cannot be read: Permission denied"),
])
def test_an_unreadable_folder_or_file_is_an_error_naming_it(other_user_site, folder: str, named: str) -> None:
    site = other_user_site(_with_layout_override())
    os.chmod(site / folder, 0)
    checked = _as_other_user("check", "--site", str(site))
    assert checked.returncode == 1 and f"{named} [E102]" in checked.stderr.splitlines(), checked.stderr
    built = _as_other_user("build", "--site", str(site), "--strict")
    assert built.returncode == 1 and f"{named} [E102]" in built.stderr.splitlines(), built.stderr
    assert not (site / "public").exists()


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


def _check_quickly(site: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-m", "epaper", "check", "--site", str(site), "--messages", "en"],
                              env=ENV,
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("check hangs on a FIFO")


@pytest.mark.parametrize("rel", ["content/2022/2022-11-04/x.md", "content/2022/2022-11-05/edition.yaml",
                                 "layouts/partials/masthead.html", "static/extra/pipe.txt",
                                 "content/2022/2022-11-04/page-1.png"])
def test_a_fifo_is_an_error_and_never_opened(make_site, rel: str) -> None:
    files = _scanned_site()
    del files[ED + "page-1.png"]
    site = make_site(files)
    _fifo(site / rel)
    done = _check_quickly(site)
    assert done.returncode == 1
    if rel.endswith(".png"):  # an image is reported where it is named
        assert f"({rel}) is not a regular file (a FIFO)" in done.stderr, done.stderr
    else:
        assert f"{rel}:1: is not a regular file (a FIFO); only files and folders are read" in done.stderr, done.stderr


def test_a_device_is_an_error(make_site) -> None:
    site = make_site(two_editions())
    try:
        os.mknod(site / ED / "dev.md", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node is not allowed here")
    done = _check_quickly(site)
    assert done.returncode == 1
    assert f"{ED}dev.md:1: is not a regular file (a device); only files and folders are read" in done.stderr


@pytest.mark.parametrize("rel", ["content/2022/2022-11-04/loop.md", "static/extra/loop.txt",
                                 "layouts/partials/loop.html"])
def test_a_symlink_loop_is_an_error_naming_it(make_site, rel: str) -> None:
    site = make_site(_with_layout_override())
    os.symlink((site / rel).name, site / rel)
    done = _check_quickly(site)
    assert done.returncode == 1, done.stderr
    assert f"{rel}:1: cannot be read: Too many levels of symbolic links" in done.stderr, done.stderr


def test_a_symlink_loop_named_as_an_image_is_an_error(make_site) -> None:
    files = _scanned_site()
    del files[ED + "page-1.png"]
    site = make_site(files)
    os.symlink("page-1.png", site / ED / "page-1.png")
    done = _check_quickly(site)
    assert done.returncode == 1, done.stderr
    assert f"({ED}page-1.png) cannot be read: Too many levels of symbolic links" in done.stderr, done.stderr


def test_a_folder_made_unreadable_after_a_build_is_not_up_to_date(other_user_site) -> None:
    site = other_user_site(_with_layout_override())
    assert _as_other_user("build", "--site", str(site)).returncode == 0
    time.sleep(0.2)  # past the racy window: the next build may trust its stamp
    assert "is up to date" in _as_other_user("build", "--site", str(site)).stderr
    os.chmod(site / "content/2022/2022-11-03", 0)
    built = _as_other_user("build", "--site", str(site))
    assert built.returncode == 1, built.stderr
    assert "content/2022/2022-11-03:1: cannot be read: Permission denied" in built.stderr


def test_a_dangling_article_symlink_is_an_error_in_incremental_builds_too(make_site) -> None:
    site = make_site(two_editions())
    time.sleep(0.2)
    build_ok(site)
    assert build_ok(site)[0].up_to_date
    os.symlink("gone.md", site / ED / "dangling.md")
    done = subprocess.run([sys.executable, "-m", "epaper", "build", "--site", str(site), "--messages", "en"],
                          env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert f"{ED}dangling.md:1: cannot be read: No such file or directory" in done.stderr


# ---------------------------------------------------------------- 4. impossible dates


def test_an_impossible_edition_date_is_an_error_at_its_line_and_other_errors_are_kept(make_site) -> None:
    files = dict(two_editions())
    files["content/2023/2023-02-29/edition.yaml"] = EDITION.format(date="2023-02-29", number=1)
    files["content/2023/2023-02-29/a.md"] = article("文章", page=1)
    files[ED + "other.md"] = article("别的文章", page=1, section="yaowne")
    errors = check_errors(make_site(files))
    assert ('content/2023/2023-02-29/edition.yaml:1: "2023-02-29" is not a real date or time '
            "(day is out of range for month)") in errors
    assert any(e.startswith(f"{ED}other.md:") and "unknown section" in e for e in errors), errors


def test_an_impossible_date_anywhere_in_front_matter_is_an_error(make_site) -> None:
    files = dict(two_editions())
    files[ED + "other.md"] = article("别的文章", page=1, updated="2022-11-31")
    errors = check_errors(make_site(files))
    assert f'{ED}other.md:4: "2022-11-31" is not a real date or time (day is out of range for month)' in errors


def test_an_impossible_time_zone_offset_is_an_error(make_site) -> None:
    files = dict(two_editions())
    files[ED + "edition.yaml"] = EDITION.format(date="2022-11-04", number=11234) + \
        "publish: 2022-11-04 06:00:00+25:00\n"
    errors = check_errors(make_site(files))
    assert any(e.startswith(f'{ED}edition.yaml:6: "2022-11-04 06:00:00+25:00" is not a real date or time')
               for e in errors), errors


# ---------------------------------------------------------------- 5. YAML alias bombs


def _bomb(levels: int) -> str:
    lines = ["---", "title: 炸弹", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines += [f"page: *a{levels - 1}", "---", "", "正文。", ""]
    return "\n".join(lines)


def test_yaml_aliases_that_expand_too_far_are_refused(make_site) -> None:
    files = dict(two_editions())
    files[ED + "bomb.md"] = _bomb(6)  # 9**6 = 531,441 values from 0.3 KB
    errors = check_errors(make_site(files))
    assert any(e.startswith(f"{ED}bomb.md:") and "aliases expand to more than" in e for e in errors), errors


def test_only_yaml_with_an_alias_is_counted_for_its_expansion(monkeypatch) -> None:
    """Counting a document's expanded size walks every node: a front matter without an alias
    (without a *) cannot be bigger than its text, and 10,000 articles need not be walked."""
    from epaper.content import yamlutil

    counted: list[object] = []
    check = yamlutil._check_size
    monkeypatch.setattr(yamlutil, "_check_size", lambda node: counted.append(node) or check(node))
    assert yamlutil.load_yaml_values("title: 标题\npage: 1\nauthors: [甲, 乙]\n")[1] == []
    assert counted == []
    data, problems = yamlutil.load_yaml_values("a: &x [1, 2]\nb: *x\n")
    assert (data, problems) == ({"a": [1, 2], "b": [1, 2]}, []) and len(counted) == 1
    assert yamlutil.load_yaml_values(_bomb(6).split("---")[1])[1]  # and a bomb is still refused


def test_a_big_yaml_alias_bomb_is_refused_quickly_in_little_memory(make_site) -> None:
    files = dict(two_editions())
    files[ED + "bomb.md"] = _bomb(12)  # 9**12 values: would need terabytes
    site = make_site(files)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", limit + "from epaper.cli import main; raise SystemExit(main())",
                           "check", "--site", str(site), "--messages", "en"], env=ENV, capture_output=True, text=True,
                          timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 1 and "aliases expand to more than" in done.stderr, done.stderr


def test_a_long_value_in_a_message_is_shortened(make_site) -> None:
    files = dict(two_editions())
    files[ED + "long.md"] = article("长", page="[" + ", ".join(["第一版"] * 400) + "]")
    errors = check_errors(make_site(files))
    line = next(e for e in errors if e.startswith(f"{ED}long.md:3:"))
    assert len(line) < 200, line


def test_an_alias_bomb_padded_with_written_out_values_is_refused(make_site) -> None:
    padding = "pad: [" + ", ".join(["y"] * 12_000) + "]"
    bomb = _bomb(12).replace("title: 炸弹", "title: 炸弹\n" + padding)
    files = dict(two_editions())
    files[ED + "bomb.md"] = bomb
    errors = check_errors(make_site(files))
    assert any(e.startswith(f"{ED}bomb.md:") and "aliases expand to more than" in e for e in errors), errors


def test_a_long_written_out_list_is_no_bomb(make_site) -> None:
    files = dict(two_editions())
    files[ED + "edition.yaml"] = EDITION.format(date="2022-11-04", number=11234) + \
        "extra: [" + ", ".join(["y"] * 12_000) + "]\n"
    errors = check_errors(make_site(files), strict=True)
    assert not any("aliases" in e for e in errors) and any("unknown key" in e for e in errors)


# ---------------------------------------------------------------- 3. image modes


def _rendition(tmp_path: Path, data: bytes, name: str = "x.png") -> Image.Image:
    from epaper.images import make, picture, probe

    path = tmp_path / name
    path.write_bytes(data)
    record = probe(str(path), "image")
    assert not record.problem, record.problem
    made = make(data, picture(name, record, (640,)).renditions[0])
    image = Image.open(io.BytesIO(made))
    image.load()
    return image


def _saved(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def test_a_16_bit_greyscale_png_keeps_its_grey(tmp_path: Path) -> None:
    made = _rendition(tmp_path, _saved(Image.new("I;16", (90, 60), 40000)))
    assert all(abs(channel - 156) <= 2 for channel in made.convert("RGB").getpixel((45, 30)))


def test_a_16_bit_greyscale_gradient_keeps_its_steps(tmp_path: Path) -> None:
    gradient = Image.new("I;16", (256, 4))
    gradient.putdata([x * 257 for _ in range(4) for x in range(256)])
    made = _rendition(tmp_path, _saved(gradient)).convert("L")
    row = [made.getpixel((x, 2)) for x in range(0, 256, 32)]
    assert row == sorted(row) and row[0] <= 4 and abs(row[4] - 128) <= 4, row


@pytest.mark.parametrize("mode, value, expected", [("I", 40000, 156), ("I;16", 40000, 156), ("F", 0.5, 128),
                                                   ("F", 200.0, 200), ("I;16B", 65535, 255), ("L", 77, 77)])
def test_every_single_channel_mode_becomes_its_8_bit_grey(mode: str, value: float, expected: int) -> None:
    from epaper.images import displayable

    shown = displayable(Image.new(mode, (4, 4), value))  # type: ignore[arg-type]
    assert shown.mode in ("L", "RGB") and abs(shown.convert("L").getpixel((1, 1)) - expected) <= 1


def test_a_palette_png_with_transparency_keeps_it(tmp_path: Path) -> None:
    image = Image.new("P", (60, 40), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(1, (30, 0, 60, 40))
    made = _rendition(tmp_path, _saved(image, transparency=1))
    assert made.mode == "RGBA"
    assert made.getpixel((10, 20)) == (255, 0, 0, 255) and made.getpixel((50, 20))[3] == 0


def test_a_grey_png_with_alpha_keeps_both(tmp_path: Path) -> None:
    made = _rendition(tmp_path, _saved(Image.new("LA", (60, 40), (100, 128))))
    red, green, blue, alpha = made.convert("RGBA").getpixel((30, 20))
    assert (red, green, blue) == (100, 100, 100) and abs(alpha - 128) <= 1


def test_a_cmyk_jpeg_keeps_its_colour(tmp_path: Path) -> None:
    made = _rendition(tmp_path, _saved(Image.new("CMYK", (60, 40), (0, 255, 255, 0)), "JPEG", quality=95),
                      "x.jpg")
    red, green, blue = made.convert("RGB").getpixel((30, 20))
    assert red > 230 and green < 30 and blue < 30
    assert made.info.get("icc_profile") is None or made.mode == "RGB"


# ---------------------------------------------------------------- 8. bounded Markdown


def test_pathological_markdown_is_an_error_at_its_line_not_a_stall(make_site, monkeypatch) -> None:
    from epaper.content import markup

    monkeypatch.setattr(markup, "TIME_LIMIT", 1.0)
    files = dict(two_editions())
    files[ED + "brackets.md"] = article("括号", page=1, body="[" * 50_000 + "x" * 200_000)
    site = make_site(files)
    started = time.monotonic()
    errors = check_errors(site)
    assert time.monotonic() - started < 20
    assert any(e.startswith(f"{ED}brackets.md:5: the Markdown body could not be converted: rendering it took "
                            "more than 1 seconds") for e in errors), errors
    # the renderer still works for the next article
    assert markup.MarkdownRenderer().convert("*a*") == "<p><em>a</em></p>"


def test_the_markdown_limit_also_holds_in_another_thread(monkeypatch) -> None:
    import threading

    from epaper.content import markup

    monkeypatch.setattr(markup, "TIME_LIMIT", 0.5)
    outcome: list[object] = []

    def render() -> None:
        renderer = markup.MarkdownRenderer()
        try:
            renderer.convert("[" * 20_000)
        except markup.MarkdownTooSlow as exc:
            outcome.append(exc)
        outcome.append(renderer.convert("ok"))

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and isinstance(outcome[0], markup.MarkdownTooSlow) and outcome[1] == "<p>ok</p>"


# ---------------------------------------------------------------- 8. smaller faults


def test_robots_txt_gives_base_url_as_written_not_html_escaped(make_site) -> None:
    site = make_site(two_editions(), config=CONFIG.replace("https://news.example.com/",
                                                           "https://example.org/a&b'c/"))
    _, out = build_ok(site)
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.org/a&b'c/sitemap.xml" in robots, robots


def test_a_base_url_with_a_line_break_or_space_is_refused(make_site) -> None:
    site = make_site(two_editions(), config=CONFIG.replace("base_url: https://news.example.com/",
                                                           'base_url: "https://news.example.com/\\nDisallow: /"'))
    errors = check_errors(site)
    assert any(e.startswith("config.yaml:2: \"base_url:\" must be an absolute http(s) URL") for e in errors), errors


@pytest.mark.parametrize("slug", ["-", "---"])
def test_a_slug_of_hyphens_alone_is_refused(make_site, slug: str) -> None:
    files = dict(two_editions())
    files[ED + "dash.md"] = article("横线", page=1, slug=f'"{slug}"')
    errors = check_errors(make_site(files))
    assert f'{ED}dash.md:4: "slug: {slug}" is not a valid slug: it must hold a letter or a digit' in errors, errors


def test_a_correction_naming_its_target_twice_prints_its_notice_once(make_site) -> None:
    files = dict(two_editions())
    files[ED + "gengzheng.md"] = article(
        "更正启事", page=2, type="correction", body="特此更正。",
        corrects="[2022-11-03/youdaizheng, {date: 2022-11-03, title: 全区优待证月底发放到位}]")
    _, out = build_ok(make_site(files))
    page = (out / "2022-11-03/youdaizheng/index.html").read_text(encoding="utf-8")
    assert page.count('href="/2022-11-04/gengzheng/"') == 1 and page.count('"CorrectionComment"') == 1
    correction = (out / "2022-11-04/gengzheng/index.html").read_text(encoding="utf-8")
    assert correction.count('href="/2022-11-03/youdaizheng/"') == 1


@pytest.mark.parametrize("target", ["config.yaml", ".epaper-cache/cache.pickle", ED + "brief.md", "layouts"])
def test_a_static_symlink_to_the_sites_own_files_is_not_published(make_site, target: str) -> None:
    files = dict(two_editions())
    files["layouts/partials/colophon.html"] = "<p>本站</p>\n"
    files[".epaper-cache/cache.pickle"] = "secret cache\n"
    files["static/ok.txt"] = "fine\n"
    site = make_site(files)
    (site / "static" / "leak").symlink_to(site / target)
    errors = check_errors(site)
    assert any(e.startswith("static/leak:1: is a symbolic link to ") and "refusing to publish it" in e
               for e in errors), errors


def test_a_static_symlink_inside_static_is_published(make_site) -> None:
    files = dict(two_editions())
    files["static/img/logo.txt"] = "logo\n"
    site = make_site(files)
    (site / "static" / "logo.txt").symlink_to(site / "static/img/logo.txt")
    (site / "static" / "images").symlink_to(site / "static/img")
    (site / "static" / "img" / "again").symlink_to(site / "static/img")  # a loop of folders
    _, out = build_ok(site)
    assert (out / "logo.txt").read_text() == "logo\n" and (out / "images/logo.txt").read_text() == "logo\n"


def test_a_damaged_rendition_in_the_cache_is_made_again_not_published(make_site, tmp_path: Path) -> None:
    site = make_site(_scanned_site())
    _, out = build_ok(site)
    good = tree(out)
    cached = sorted((site / ".epaper-cache/images").iterdir())
    assert cached
    for path in cached:
        path.write_bytes(b"garbage, not an image")
    _, second = build_ok(site, tmp_path / "other" / "public")  # another output: renditions come from the cache
    assert tree(second) == good


def test_a_damaged_html_row_in_the_cache_is_rendered_again_not_published(make_site, tmp_path: Path) -> None:
    import sqlite3

    site = make_site(two_editions())
    time.sleep(0.2)  # not racy: the second build trusts the cache's records
    _, out = build_ok(site)
    good = tree(out)
    db = sqlite3.connect(site / ".epaper-cache/html.sqlite")
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    with db:
        for table in tables:
            db.execute(f"UPDATE {table} SET html = '<p>POISONED</p>'")
    db.close()
    _, second = build_ok(site, tmp_path / "other" / "public")
    assert tree(second) == good


# ---------------------------------------------------------------- 7. the machine's failures, named


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "epaper", *_english(args)], env=ENV, capture_output=True,
                          text=True, timeout=120)


def test_a_failure_after_the_swap_says_the_new_site_is_live(make_site, monkeypatch, capsys) -> None:
    import errno

    from conftest import run_cli
    from epaper.output.cache import BuildCache

    site = make_site(two_editions())
    out = site / "public"

    def full(self: BuildCache) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    monkeypatch.setattr(BuildCache, "save", full)
    assert run_cli("build", "--site", str(site), "--messages", "en") == 74
    err = capsys.readouterr().err
    assert "the disk is full: " in err and "cache.pickle" in err and "the new site is live" in err, err
    assert "internal error" not in err and "untouched" not in err
    assert (out / "index.html").is_file()
    assert gc.get_freeze_count() == 0  # the heap frozen for the build is given back all the same


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs (room for a small site's output, with the theme's zoom viewer, and one more
    build of it), or a skip where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill a disk: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def _fill(disk: Path, leave: int = 0) -> None:
    """Fill the disk, leaving about `leave` bytes."""
    with open(disk / "filler", "ab", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    if leave:
        size = (disk / "filler").stat().st_size
        os.truncate(disk / "filler", max(0, size - leave))


def test_a_full_disk_is_named_and_the_previous_output_kept(make_site, small_disk: Path) -> None:
    site = make_site(two_editions())
    out = small_disk / "public"
    assert _cli("build", "--site", str(site), "--out", str(out)).returncode == 0
    before = tree(out)
    _fill(small_disk)
    (site / ED / "brief.md").write_text(article("简讯改题", page=2, body="新的正文。" * 2000), encoding="utf-8")
    done = _cli("build", "--site", str(site), "--out", str(out))
    assert done.returncode == 74, done.stderr
    assert "the disk is full: " in done.stderr and str(small_disk) in done.stderr
    assert "the previous output" in done.stderr and "untouched" in done.stderr and "internal error" not in done.stderr
    assert tree(out) == before
    assert not (small_disk / ".public.staging").exists()  # the failed build's space is given back
    (small_disk / "filler").unlink()
    assert _cli("build", "--site", str(site), "--out", str(out)).returncode == 0  # and the next one works
    assert "简讯改题" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")


def test_a_full_disk_under_the_cache_after_the_swap_is_named(make_site, small_disk: Path, tmp_path: Path) -> None:
    site = small_disk / "site"
    shutil.copytree(make_site(two_editions()), site)
    out = tmp_path / "public"
    assert _cli("build", "--site", str(site), "--out", str(out)).returncode == 0
    (site / ED / "brief.md").write_text(article("简讯改题", page=2), encoding="utf-8")
    _fill(small_disk)
    done = _cli("build", "--site", str(site), "--out", str(out))
    assert done.returncode in (0, 74), done.stderr  # the cache may fit in what is left
    if done.returncode == 74:
        assert "the disk is full: " in done.stderr and "internal error" not in done.stderr
        live = "简讯改题" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")
        assert ("the new site is live" in done.stderr) == live, done.stderr


def test_an_unwritable_output_folder_is_named(other_user_site) -> None:
    site = other_user_site(two_editions())
    parent = site.parent / "readonly"
    parent.mkdir()
    os.chmod(parent, 0o755)  # root's: the build's user may not write there
    done = _as_other_user("build", "--site", str(site), "--out", str(parent / "public"))
    assert done.returncode == 74, done.stderr
    assert f"permission denied: {parent}" in done.stderr and "internal error" not in done.stderr


def test_a_cache_path_of_the_wrong_type_is_named(make_site) -> None:
    site = make_site(two_editions())
    (site / ".epaper-cache").write_text("not a folder")
    done = _cli("build", "--site", str(site))
    assert done.returncode == 74, done.stderr
    assert ".epaper-cache" in done.stderr and "internal error" not in done.stderr, done.stderr


def test_pagefind_leaves_no_temporary_folder_and_a_killed_builds_one_is_removed(make_site, tmp_path: Path) -> None:
    private = tmp_path / "tmp"
    private.mkdir()
    site = make_site(two_editions())
    env = {**ENV, "TMPDIR": str(private)}
    leftover = site / ".public.pagefind"  # as a build killed while Pagefind ran leaves it
    (leftover / "pagefind").mkdir(parents=True)
    (leftover / "pagefind" / "junk.pf_index").write_bytes(b"x" * 1000)
    done = subprocess.run([sys.executable, "-m", "epaper", "build", "--site", str(site)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (site / "public/pagefind").is_dir()
    assert list(private.iterdir()) == [] and not leftover.exists()


def test_a_fifo_as_config_yaml_is_an_error_and_serve_does_not_block_on_it(make_site) -> None:
    import threading

    from epaper.serve.rebuild import site_base_path

    site = make_site(two_editions(), config=None)
    _fifo(site / "config.yaml")
    done = _check_quickly(site)
    assert done.returncode == 1
    assert "config.yaml:1: is not a regular file (a FIFO); only files and folders are read" in done.stderr, done.stderr
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(site_base_path(site)), daemon=True)
    reader.start()
    reader.join(10)
    assert found == ["/"], "serve blocks reading a FIFO"


def test_a_same_size_edit_with_its_mtime_put_back_is_seen(make_site) -> None:
    files = _scanned_site()
    site = make_site(files)
    time.sleep(0.2)
    build_ok(site)
    assert build_ok(site)[0].up_to_date
    brief, scan = site / ED / "brief.md", site / ED / "page-1.png"
    for path, new in ((brief, brief.read_text(encoding="utf-8").replace("简讯一则", "简讯二则").encode()),
                      (scan, png(size=(300, 400), color=(30, 200, 30)))):
        st = path.stat()
        assert len(new) == st.st_size
        path.write_bytes(new)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `touch -r`, rsync -t or a restore can
    time.sleep(0.2)
    result, out = build_ok(site)
    assert not result.up_to_date
    assert "简讯二则" in (out / "2022-11-04/brief/index.html").read_text(encoding="utf-8")
    fresh = make_site(files | {ED + "brief.md": brief.read_bytes(), ED + "page-1.png": scan.read_bytes()},
                      name="fresh")
    assert tree(out) == tree(build_ok(fresh)[1])


def test_serve_reads_base_url_safely_from_a_hostile_config(make_site) -> None:
    from epaper.serve.rebuild import site_base_path

    bomb = _bomb(12).split("---")[1].replace("title: 炸弹\n", "").replace("page: *a11", "base_url: *a11")
    site = make_site(two_editions(), config=CONFIG + bomb)
    started = time.monotonic()
    assert site_base_path(site) == "/"
    assert time.monotonic() - started < 5
    (site / "config.yaml").write_text(CONFIG.replace("https://news.example.com/", "https://example.org/news/"))
    assert site_base_path(site) == "/news/"


def test_the_error_guide_covers_the_new_messages() -> None:
    guide = (REPO / "docs/errors.md").read_text(encoding="utf-8")
    for fragment in ["waiting for another build", "--no-wait", "exit status 3", "cannot be read: Permission denied",
                     "Too many levels of symbolic links", "is not a regular file (a FIFO)", "is not a real date or time",
                     "YAML aliases expand to more than", "rendering it took more than", "must hold a letter or a digit",
                     "refusing to publish it", "the disk is full", "the file system is read-only", "permission denied",
                     "a file is where a folder should be", "the new site is live", "exit status 74",
                     "a build here needs about", "is in the output folder but was not made by epaper"]:
        assert fragment in guide, fragment


def test_a_file_put_into_the_output_by_hand_leaves_once_with_a_warning_never_flickers(make_site) -> None:
    """A CNAME dropped into public/ used to appear on every other build (the swap carried it
    between the two folders). Now it leaves the site at the next build, with a warning naming
    where it belongs, and stays gone; --strict stops instead and keeps the live site as it is."""
    site = make_site(two_editions())
    build_ok(site)
    out = site / "public"
    (out / "CNAME").write_text("news.example.com\n", encoding="utf-8")
    with pytest.raises(BuildError) as strict:
        build(Options(site=site, out=out, strict=True))
    assert [str(d) for d in strict.value.diagnostics] == [
        "public/CNAME:1: warning: is in the output folder but was not made by epaper, so it leaves the site with "
        "this build; to publish it, put it in static/CNAME"]
    assert (out / "CNAME").exists()
    seen = []
    for round_ in range(4):
        write_files(site, {ED + "more.md": article(f"又一篇{round_}", page=2)})
        result, _ = build_ok(site)
        seen.append((out / "CNAME").exists())
        warned = [str(d) for d in result.diagnostics.warnings if "CNAME" in str(d)]
        assert warned == ([] if round_ else [str(strict.value.diagnostics[0])]), (round_, warned)
    assert seen == [False] * 4
    write_files(site, {"static/CNAME": "news.example.com\n"})
    build_ok(site)
    assert (out / "CNAME").read_text(encoding="utf-8") == "news.example.com\n"


def test_an_edition_taken_out_leaves_the_site_without_a_warning_that_epaper_did_not_make_it(make_site) -> None:
    """Its folder was made by the last build: only names no build made are foreign (W707)."""
    files = two_editions()
    files["content/2022/2022-11-05/edition.yaml"] = EDITION.format(date="2022-11-05", number=11235)
    files["content/2022/2022-11-05/kuaixun.md"] = article("快讯", page=1)
    site = make_site(files)
    _, out = build_ok(site)
    assert (out / "2022-11-05/index.html").exists()
    shutil.rmtree(site / "content/2022/2022-11-05")
    (out / "CNAME").write_text("news.example.com\n", encoding="utf-8")  # this one no build made
    result, _ = build_ok(site)
    assert not (out / "2022-11-05").exists()
    assert [str(d) for d in result.diagnostics.warnings if "[W707]" in str(d) or "not made by epaper" in str(d)] == [
        "public/CNAME:1: warning: is in the output folder but was not made by epaper, so it leaves the site with "
        "this build; to publish it, put it in static/CNAME"]


def test_a_build_refuses_to_start_when_the_disk_lacks_room_and_leaves_the_site_as_it_was(make_site, monkeypatch) -> None:
    import epaper.output.writer as writer
    from epaper.output.failure import WriteFailure

    site = make_site(two_editions())
    _, out = build_ok(site)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_files(site, {ED + "more.md": article("又一篇", page=2)})
    usage = shutil.disk_usage(out.parent)
    monkeypatch.setattr(writer.shutil, "disk_usage", lambda path: usage._replace(free=2**19))
    with pytest.raises(WriteFailure) as failure:
        build(Options(site=site, out=out))
    message = str(failure.value)
    assert message.startswith(f"the disk is full: {out.parent} (0.5 MiB free, a build here needs about ")
    assert "the previous output" in message and "is untouched" in message
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    monkeypatch.undo()
    result, _ = build_ok(site)
    assert "2022-11-04/more/index.html" in result.report.added


def test_a_cache_store_busy_with_another_build_is_left_alone_not_deleted(tmp_path: Path, monkeypatch) -> None:
    """Two builds of one site into two output folders share its cache: one that finds the Markdown
    store locked by the other does without it this time; it must not delete it as damaged."""
    import sqlite3 as real_sqlite3
    import types

    from epaper.output import cache

    store = cache.HtmlStore(tmp_path, "settings")
    for n in range(300):
        store.put(f"d{n}", f"<p>{n}</p>")
    store.flush()
    store.close()
    impatient = types.SimpleNamespace(**{**vars(real_sqlite3), "connect": lambda path, timeout=5.0, **kw:
                                         real_sqlite3.connect(path, timeout=0.05, **kw)})
    monkeypatch.setattr(cache, "sqlite3", impatient)
    other = real_sqlite3.connect(tmp_path / "html.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other build is writing
    try:
        store = cache.HtmlStore(tmp_path, "settings")
        store.save([cache.SourceRecord(1, 1, "d1", None, [])])  # prunes 299 rows: needs the write lock it cannot have
        store.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (tmp_path / "html.sqlite").exists()
    assert cache.HtmlStore(tmp_path, "settings").get_many(["d2"]) == {"d2": "<p>2</p>"}


def test_sqlite_tells_damage_from_business(tmp_path: Path) -> None:
    import sqlite3

    from epaper.output.cache import damaged

    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    try:
        sqlite3.connect(bad).execute("SELECT 1 FROM sqlite_master")
    except sqlite3.DatabaseError as exc:
        assert damaged(exc)
    locked = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(locked, timeout=0).execute("SELECT * FROM t")
        raise AssertionError("the exclusive lock did not hold")
    except sqlite3.OperationalError as exc:
        assert not damaged(exc)
    finally:
        holder.execute("ROLLBACK")


def test_a_parse_worker_that_fails_closes_its_cache_connection(tmp_path: Path, monkeypatch) -> None:
    """A worker that dies on a file must not leave its SQLite connection (and the WAL read lock
    it holds) to the garbage collector."""
    from epaper.content import load
    from epaper.model import Typography
    from epaper.output.cache import HtmlStore

    closed: list[bool] = []
    real_close = HtmlStore.close

    def close(self: HtmlStore) -> None:
        closed.append(self._db is not None)
        real_close(self)

    def explode(rel: str, *args: object, **kwargs: object) -> object:
        if rel.endswith("b.md"):
            raise RuntimeError("a bug in a parser")
        return {"title": "标题", "html": "<p>正文</p>"}, []

    monkeypatch.setattr(HtmlStore, "close", close)
    monkeypatch.setattr(load, "parse_article", explode)
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text("---\ntitle: 标题\n---\n正文\n", encoding="utf-8")
    store = HtmlStore(tmp_path / "cache", "s")
    store.put("x", "<p>x</p>")
    store.flush()  # the database exists, as it does after a first build
    store.close()
    closed.clear()
    task = load.ParseTask(unsafe_html=False, backlink="返回正文第 {} 处", store=tmp_path / "cache", store_settings="s",
                          typography=Typography())
    monkeypatch.setattr(HtmlStore, "put", lambda self, d, h: self._connect())  # a worker that has connected
    with pytest.raises(RuntimeError):
        load._parse_files(task, [(f"content/2022/{n}", str(tmp_path / n)) for n in ("a.md", "b.md")])
    assert closed == [True]


def test_the_html_store_forgets_bodies_no_source_has_once_they_are_a_tenth_of_it(tmp_path: Path) -> None:
    """Edited articles leave their old bodies' HTML behind; once the rows pass a tenth more (and
    a hundred) than the sources, those no source has are forgotten, the others kept."""
    from epaper.output import cache

    store = cache.HtmlStore(tmp_path, "settings")
    for n in range(300):
        store.put(f"d{n}", f"<p>{n}</p>")
    store.flush()
    sources = [cache.SourceRecord(1, 1, f"d{n}", None, []) for n in range(250)]
    store.save(sources)  # 300 rows for 250 sources: not yet
    assert cache.HtmlStore(tmp_path, "settings").get_many(["d299"]) == {"d299": "<p>299</p>"}
    store = cache.HtmlStore(tmp_path, "settings")
    store.save(sources[:10])
    store.close()
    kept = cache.HtmlStore(tmp_path, "settings")
    assert kept.get_many(["d1", "d9"]) == {"d1": "<p>1</p>", "d9": "<p>9</p>"}
    assert kept.get_many(["d10", "d299"]) == {}
