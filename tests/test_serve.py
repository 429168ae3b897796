"""`build.py serve`: path safety, Host checks, debounced rebuilds, errors in the browser
and back, base_url with a path, memory over a long session, and a real Chromium."""
from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import CONFIG, EDITION, REPO, article, two_editions
from epaper.cli import parser
from epaper.serve import (
    HostPolicy,
    Preview,
    Rebuilder,
    Watcher,
    host_name,
    inject,
    request_parts,
)
from epaper.themes import THEME_DIR

pytest_plugins = ["browser"]

ARTICLE = "content/2022/2022-11-04/bitan-two.md"
ARTICLE_URL = "2022-11-04/bitan-two/"


class Lines(list):
    """Collects what the server would print on the terminal."""

    def __call__(self, line: str) -> None:
        self.append(line)


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.03)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def http(port: int, target: str | bytes, host: str | None = "127.0.0.1", method: str = "GET",
         headers: tuple[str, ...] = (), version: str = "HTTP/1.1") -> tuple[int, dict[str, str], bytes]:
    """One raw request, exactly as written (no client-side path normalisation)."""
    target_bytes = target if isinstance(target, bytes) else target.encode("utf-8")
    lines = [f"{method} ".encode() + target_bytes + f" {version}".encode()]
    if host is not None:
        lines.append(f"Host: {host}".encode())
    lines += [h.encode() for h in headers] + [b"Connection: close", b"", b""]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"\r\n".join(lines))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in header_lines:
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        length = None if method == "HEAD" or status == 101 else fields.get("content-length")
        to_close = length is None and status != 101 and method != "HEAD"
        while to_close or (length is not None and len(body) < int(length)):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return status, fields, body


def get(preview: Preview, path: str) -> tuple[int, str]:
    status, _, body = http(preview.port, path)
    return status, body.decode("utf-8", "replace")


def status_of(preview: Preview) -> dict:
    return json.loads(http(preview.port, "/__epaper__/status")[2])


def set_title(site: Path, old: str, new: str) -> None:
    path = site / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace(f"title: {old}", f"title: {new}"), encoding="utf-8")


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's output folder goes under XDG_CACHE_HOME: keep the tests' out of ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def serve(make_site: Callable[..., Path]) -> Iterator[Callable[..., Preview]]:
    """serve(files, config=...) -> a running Preview on a free port, stopped after the test."""
    started: list[Preview] = []

    def start(files: dict | None = None, config: str = CONFIG, **options: object) -> Preview:
        site = make_site(two_editions() if files is None else files, config=config)
        options.setdefault("messages", "en")  # these tests read the log in English
        preview = Preview(site, port=0, log=Lines(), poll=0.05, quiet=0.15, **options)  # type: ignore[arg-type]
        started.append(preview)
        preview.start()
        return preview

    yield start
    for preview in started:
        preview.stop()


# ---------------------------------------------------------------- pure functions


@pytest.mark.parametrize("raw, parts", [
    ("/", []),
    ("/2022-11-04/", ["2022-11-04"]),
    ("/2022-11-04/bitan-two/index.html", ["2022-11-04", "bitan-two", "index.html"]),
    ("/%E6%96%87%E4%BB%B6.txt", ["文件.txt"]),
    ("/a%20b/", ["a b"]),
])
def test_request_parts_keeps_ordinary_paths(raw: str, parts: list[str]) -> None:
    assert request_parts(raw) == parts


@pytest.mark.parametrize("raw", [
    "/../config.yaml", "/a/../../config.yaml", "/%2e%2e/config.yaml", "/%2E%2E/%2e%2e/config.yaml",
    "/..%2fconfig.yaml", "/%2f..%2fconfig.yaml", "/a%2fb", "//etc/passwd", "/a//b", "/..\\config.yaml",
    "/%5c..%5cconfig.yaml", "/a\\b", "/./index.html", "/%00", "/a%00.html", "/%0d%0aSet-Cookie:x",
    "/%c0%ae%c0%ae/config.yaml", "/%ff", "config.yaml", "../config.yaml", "http://127.0.0.1/../x", "",
])
def test_request_parts_refuses_escapes(raw: str) -> None:
    assert request_parts(raw) is None


def test_host_names_and_policy() -> None:
    assert host_name("127.0.0.1:8000") == "127.0.0.1"
    assert host_name("LocalHost:80") == "localhost"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("localhost.") == "localhost"
    for bad in (None, "", "a b", "[::1", "host:port", "host:99999999", "evil.example/x"):
        assert host_name(bad) is None, bad
    loopback = HostPolicy("127.0.0.1")
    for ok in ("127.0.0.1", "localhost", "::1", "app.localhost"):
        assert loopback.allows(ok), ok
    for refused in ("evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "0.0.0.0"):
        assert not loopback.allows(refused), refused
    everywhere = HostPolicy("0.0.0.0")
    assert everywhere.allows("192.168.1.20") and everywhere.allows("localhost")
    assert not everywhere.allows("evil.example")
    named = HostPolicy("preview.newsroom.lan")
    assert named.allows("preview.newsroom.lan") and not named.allows("newsroom.lan")


def test_inject_goes_before_head_end() -> None:
    tag = b"<script></script>"
    assert inject(b"<html><head><title>x</title></HEAD><body></body></html>", tag) == \
        b"<html><head><title>x</title><script></script></HEAD><body></body></html>"
    assert inject(b"<p>no head</p></body>", tag) == b"<p>no head</p><script></script></body>"
    assert inject(b"<p>bare</p>", tag) == b"<p>bare</p><script></script>"


def test_serve_command_line_defaults_to_loopback() -> None:
    args = parser().parse_args(["serve"])
    assert (args.host, args.port, args.drafts, args.site) == ("127.0.0.1", 8000, False, Path("."))
    args = parser().parse_args(["serve", "--site", "x", "--host", "0.0.0.0", "--port", "9000", "--drafts"])
    assert (args.host, args.port, args.drafts, args.site) == ("0.0.0.0", 9000, True, Path("x"))


# ---------------------------------------------------------------- the running server


TRICKS = [
    "/../config.yaml", "/../../config.yaml", "/%2e%2e/config.yaml", "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2fconfig.yaml", "/%2e%2e%2fconfig.yaml", "//etc/passwd", "///etc/passwd", "/..\\config.yaml",
    "/%5c..%5cconfig.yaml", "/static/..%5c..%5cconfig.yaml", "/%00", "/index.html%00.txt",
    "/%c0%ae%c0%ae/config.yaml", "/%ff%fe", "/.%2e/config.yaml", "/./config.yaml", "/etc/passwd",
    "http://127.0.0.1/../config.yaml", "../config.yaml", "*", "/leak.txt",
]


def test_path_tricks_get_404_and_the_server_stays_up(serve: Callable[..., Preview]) -> None:
    preview = serve()
    config = (preview.site / "config.yaml").read_text(encoding="utf-8")
    os.symlink(preview.site / "config.yaml", preview.out / "leak.txt")  # a link out of the output folder
    for target in TRICKS + ["/" + str(preview.site / "config.yaml"), str(preview.site / "config.yaml")]:
        status, _, body = http(preview.port, target)
        assert status == 404, target
        assert b"base_url" not in body and b"root:" not in body, target
        assert "测试日报" in body.decode("utf-8"), "the site's own 404 page"
    assert config  # the file the tricks aimed at exists
    for raw in (b"GET /\xff\xfe HTTP/1.1\r\n", b"GARBAGE\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n"):
        with socket.create_connection(("127.0.0.1", preview.port), timeout=5) as sock:
            sock.sendall(raw + b"Host: 127.0.0.1\r\n\r\n")
            with contextlib.suppress(OSError):
                sock.recv(1024)
    assert get(preview, "/")[0] == 200


def test_other_host_names_are_refused(serve: Callable[..., Preview]) -> None:
    preview = serve()
    port = preview.port
    assert all(address[0] == "127.0.0.1" for address in preview.addresses)
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "localhost.evil.example",
                 f"192.168.1.1:{port}"):
        for target in ("/", "/__epaper__/status", "/__epaper__/client.js"):
            assert http(port, target, host=host)[0] == 403, (host, target)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
        assert http(port, "/", host=host)[0] == 200, host
    assert http(port, "/", host=None, version="HTTP/1.0")[0] == 400  # no Host at all
    assert http(port, "/", host="bad host")[0] == 400

    upgrade = ("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
               "Sec-WebSocket-Version: 13")
    assert http(port, "/__epaper__/livereload", host=f"localhost:{port}",
                headers=upgrade + (f"Origin: http://localhost:{port}",))[0] == 101
    assert http(port, "/__epaper__/livereload", host=f"evil.example:{port}",
                headers=upgrade + (f"Origin: http://evil.example:{port}",))[0] == 403
    assert http(port, "/__epaper__/livereload", host=f"127.0.0.1:{port}",
                headers=upgrade + ("Origin: https://evil.example",))[0] == 403


def test_404_page_folders_and_head(serve: Callable[..., Preview]) -> None:
    preview = serve()
    status, body = get(preview, "/no/such/page/")
    assert status == 404
    assert 'class="not-found"' in body and "/__epaper__/client.js" in body
    status, headers, _ = http(preview.port, "/2022-11-04")
    assert status == 301 and headers["location"] == "/2022-11-04/"
    status, headers, body_bytes = http(preview.port, "/", method="HEAD")
    assert status == 200 and int(headers["content-length"]) > 1000 and body_bytes == b""
    assert headers["content-type"] == "text/html; charset=utf-8" and headers["cache-control"] == "no-store"
    status, headers, _ = http(preview.port, "/feed.xml")
    assert status == 200 and "xml" in headers["content-type"]
    assert http(preview.port, "/", method="POST")[0] == 405


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "canonical":
            self.canonical = found.get("href") or ""
        for key in ("href", "src"):
            value = found.get(key)
            if value and not urlsplit(value).scheme and not value.startswith("#"):
                self.links.append(value)


def test_base_url_with_a_path_is_served_under_it(serve: Callable[..., Preview]) -> None:
    preview = serve(config=CONFIG.replace("https://news.example.com/", "https://example.org/news/"))
    assert preview.url == f"http://127.0.0.1:{preview.port}/news/"
    status, headers, _ = http(preview.port, "/")
    assert status == 302 and headers["location"] == "/news/"
    status, body = get(preview, "/news/")
    assert status == 200
    page = Links()
    page.feed(body)
    assert page.canonical == f"http://127.0.0.1:{preview.port}/news/2022-11-04/"
    assert page.links and all(link.startswith("/news/") or link.startswith("/__epaper__/") for link in page.links)
    for link in sorted({link.partition("#")[0] for link in page.links}):  # a browser never sends the fragment
        assert get(preview, link)[0] == 200, link
    assert get(preview, "/2022-11-04/")[0] == 404  # outside base_url's path
    assert get(preview, "/news/no-such-page/")[0] == 404


# ---------------------------------------------------------------- watching and rebuilding


def test_a_burst_of_saves_gives_one_rebuild_that_sees_the_final_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("v0")
    (content / "gone.md").write_text("x")
    calls: list[tuple[set[str], str, bool]] = []

    def on_change(paths: set[str]) -> None:
        calls.append((paths, (content / "a.md").read_text(), (content / "b.md").exists()))

    watcher = Watcher([content, tmp_path / "config.yaml"], on_change, poll=0.05, quiet=0.3)
    watcher.start()
    try:
        for i in range(1, 6):  # an editor saving repeatedly, the last one by an atomic rename
            (content / "a.md").write_text(f"v{i}")
            time.sleep(0.02)
        (content / ".a.md.swp").write_text("editor litter")
        (content / "a.md.tmp").write_text("final")
        os.replace(content / "a.md.tmp", content / "a.md")
        (content / "b.md").write_text("new")
        (content / "gone.md").unlink()
        (tmp_path / "config.yaml").write_text("title: x\n")
        wait_for(lambda: calls, 5, "a rebuild")
        time.sleep(0.6)  # long enough for a second rebuild, were there one
    finally:
        watcher.stop()
    assert len(calls) == 1, calls
    paths, seen, b_exists = calls[0]
    names = {Path(p).name for p in paths}
    assert {"a.md", "b.md", "gone.md", "config.yaml"} <= names
    assert ".a.md.swp" not in names
    assert seen == "final" and b_exists


def test_a_save_rebuilds_and_prints_one_line(serve: Callable[..., Preview]) -> None:
    preview = serve()
    lines: Lines = preview.log  # type: ignore[assignment]
    assert "笔谈之二" in get(preview, f"/{ARTICLE_URL}")[1]
    before = len(lines)
    set_title(preview.site, "笔谈之二", "笔谈之二（修订）")
    wait_for(lambda: "笔谈之二（修订）" in get(preview, f"/{ARTICLE_URL}")[1], what="the new title")
    time.sleep(0.3)
    new = [line for line in lines[before:] if " search index" not in line]  # the search thread's own line
    assert len(new) == 1, new
    line = re.fullmatch(r"\d\d:\d\d:\d\d content/2022/2022-11-04/bitan-two\.md changed: (\d+) pages re-rendered "
                        r"\((\d+) changed, 0 added, 0 removed\) in \d+ ms", new[0])
    assert line, new[0]
    # Only what shows the article: itself, its neighbours, page, edition, home, indexes, feeds.
    total = len(list(preview.out.rglob("*.html")))
    assert 0 < int(line.group(1)) <= 12 < total


def test_a_mistake_shows_its_errors_keeps_the_last_good_site_and_the_fix_brings_it_back(
        serve: Callable[..., Preview]) -> None:
    preview = serve()
    lines: Lines = preview.log  # type: ignore[assignment]
    generation = status_of(preview)["generation"]
    set_title(preview.site, "笔谈之二", "[笔谈之二")  # an unclosed bracket in the front matter
    state = wait_for(lambda: (lambda s: s if not s["ok"] else None)(status_of(preview)), what="the failed build")
    assert isinstance(state, dict)
    assert state["errors"] and all(re.match(rf"{re.escape(ARTICLE)}:\d+: ", e) for e in state["errors"])
    assert state["generation"] == generation
    for error in state["errors"]:  # the terminal printed the same lines
        assert error in lines
    build_lines = [line for line in lines if " search index" not in line]  # the index is made beside the builds
    assert "still serving the last good build" in build_lines[-1]
    status, body = get(preview, f"/{ARTICLE_URL}")  # the last good page, carrying the errors for the overlay
    assert status == 200 and ">笔谈之二</h1>" in body
    assert ARTICLE in body and "&quot;ok&quot;: false" in body

    set_title(preview.site, "[笔谈之二", "笔谈之二（改正）")
    wait_for(lambda: status_of(preview)["ok"], what="the fixed build")
    assert status_of(preview)["generation"] == generation + 1
    assert "笔谈之二（改正）" in get(preview, f"/{ARTICLE_URL}")[1]


def test_a_site_broken_from_the_start_is_served_once_fixed(serve: Callable[..., Preview]) -> None:
    files = two_editions()
    files[ARTICLE] = files[ARTICLE].replace("title: 笔谈之二", "title: [笔谈之二")
    preview = serve(files)
    assert not status_of(preview)["ok"]
    status, body = get(preview, "/")
    assert status == 404 and ARTICLE in body  # no site yet, but the overlay has the errors
    set_title(preview.site, "[笔谈之二", "笔谈之二")
    wait_for(lambda: get(preview, "/")[0] == 200, what="the first good build")


def test_requests_during_rebuilds_always_get_a_complete_site(serve: Callable[..., Preview]) -> None:
    preview = serve()
    done = threading.Event()

    def rebuild_repeatedly() -> None:
        for i in range(12):
            set_title(preview.site, "笔谈之二" if i == 0 else f"标题{i - 1}", f"标题{i}")
            preview.rebuilder.rebuild([str(preview.site / ARTICLE)])
        done.set()

    preview.watcher.stop()  # type: ignore[union-attr]  # rebuild here, as fast as possible
    worker = threading.Thread(target=rebuild_repeatedly)
    worker.start()
    seen = 0
    while not done.is_set():
        for path in ("/", f"/{ARTICLE_URL}", "/2022-11-04/01/", "/robots.txt"):
            status, body = get(preview, path)
            assert status == 200, path
            assert path.endswith(".txt") or body.rstrip().endswith("</html>"), path
            seen += 1
    worker.join()
    assert seen > 10


def small_site() -> dict[str, str]:
    """One article, and plain layouts in place of the theme's: the whole pipeline runs on every
    rebuild, but without the theme's templates to parse, 200 rebuilds take seconds, not a minute."""
    files = {
        "content/2022/2022-11-04/edition.yaml": EDITION.format(date="2022-11-04", number=1),
        "content/2022/2022-11-04/one.md": article("第一篇", page=1),
    }
    for layout in (THEME_DIR / "layouts").glob("*.*"):
        files[f"layouts/{layout.name}"] = "<!doctype html><title>{{ site.title }}</title>\n" \
            if layout.suffix == ".html" else "<feed xmlns='http://www.w3.org/2005/Atom'/>\n"
    files["layouts/article.html"] = "<!doctype html><title>{{ site.title }}</title><h1>{{ article.title }}</h1>\n"
    return files


def test_two_hundred_rebuilds_do_not_grow_memory(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """A long session: live objects stay flat and RSS bounded (no tracemalloc: it would slow 200 builds 3x)."""
    site = make_site(small_site())
    lines = Lines()
    out = tmp_path / "out"
    rebuilder = Rebuilder(site, out, "http://127.0.0.1:8000", log=lines, messages="en")
    source = site / "content/2022/2022-11-04/one.md"
    text = source.read_text(encoding="utf-8")

    def rebuild(i: int) -> None:
        broken = i % 10 == 9  # a failed build now and then, as in a real session
        source.write_text(text.replace("第一篇", f"[第{i}篇" if broken else f"第{i}篇"), encoding="utf-8")
        assert rebuilder.rebuild([str(source)]).ok is not broken

    def measure() -> tuple[int, int]:
        gc.collect()
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        return len(gc.get_objects()), rss

    for i in range(20):  # warm up: imports and caches that fill once
        rebuild(i)
    objects, rss = measure()
    for i in range(20, 200):
        rebuild(i)
    objects_after, rss_after = measure()
    assert objects_after - objects < 1000, f"{objects_after - objects} more live objects after 180 rebuilds"
    assert rss_after - rss < 24 * 1024 * 1024, f"RSS grew by {(rss_after - rss) >> 20} MiB in 180 rebuilds"
    summaries = [line for line in lines if re.match(r"\d\d:\d\d:\d\d ", line)]
    assert len(summaries) == 200 and sum("1 error, still serving" in line for line in summaries) == 20
    assert len(str(rebuilder.status)) < 2000  # the server keeps the latest status, not a history
    assert "第198篇" in (out / "2022-11-04/one/index.html").read_text(encoding="utf-8")


def test_the_command_serves_and_stops_cleanly_on_ctrl_c(make_site: Callable[..., Path]) -> None:
    site = make_site(two_editions())
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0",
                             "--messages", "en"], stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        assert proc.stderr is not None
        url = ""
        output = []
        while not url:
            line = proc.stderr.readline()
            assert line, "the server exited: " + "".join(output)
            output.append(line)
            match = re.match(r"serving (http://127\.0\.0\.1:(\d+)/)", line)
            url = match.group(1) if match else ""
        port = int(urlsplit(url).port or 0)
        assert http(port, "/")[0] == 200
        busy = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--messages", "en",
                               "--port", str(port)], capture_output=True, text=True, timeout=30, cwd=REPO)
        assert busy.returncode == 2 and "choose another --port" in busy.stderr
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in "".join(output) + rest
    assert not (site / "public").exists()  # the preview never touches the production output
    previews = Path(os.environ["XDG_CACHE_HOME"]) / "epaper" / "serve"
    assert previews.is_dir() and not any(previews.iterdir())  # its own output is gone
    not_site = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site / "content"),
                               "--messages", "en"],
                              capture_output=True, text=True, timeout=30, cwd=REPO)
    assert not_site.returncode == 2 and "not a site folder" in not_site.stderr


# ---------------------------------------------------------------- in a real browser


def test_in_chromium_edits_reload_and_errors_show_over_the_page(
        serve: Callable[..., Preview], chromium_page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = chromium_page  # type: ignore[assignment]
    preview = serve()
    page.goto(preview.url + ARTICLE_URL)
    headline = page.locator("h1.headline")
    expect(headline).to_have_text("笔谈之二")
    wait_for(lambda: preview.sockets, what="the page's livereload websocket")  # python-livereload#154/#157/#267

    page.evaluate("window.__notReloaded = true")
    set_title(preview.site, "笔谈之二", "笔谈之二：新标题")
    expect(headline).to_have_text("笔谈之二：新标题")
    assert page.evaluate("window.__notReloaded") is None  # the page reloaded by itself

    set_title(preview.site, "笔谈之二：新标题", "[笔谈之二：新标题")
    overlay = page.locator("#epaper-error-overlay")
    expect(overlay).to_be_visible()
    expect(overlay.locator("li").first).to_contain_text(f"{ARTICLE}:")
    assert re.search(rf"{re.escape(ARTICLE)}:\d+:", overlay.locator("ol").inner_text())
    expect(headline).to_have_text("笔谈之二：新标题")  # the last good page stays underneath
    page.screenshot(path=str(os.environ.get("EPAPER_SCREENSHOT") or tmp_path / "overlay.png"))

    second = page.context.new_page()  # a page opened while the build is broken shows the errors at once
    second.goto(preview.url)
    expect(second.locator("#epaper-error-overlay")).to_be_visible()
    second.close()

    set_title(preview.site, "[笔谈之二：新标题", "笔谈之二：改好了")
    expect(headline).to_have_text("笔谈之二：改好了")
    expect(overlay).to_have_count(0)


def test_the_reload_socket_refuses_a_page_from_another_local_port(serve: Callable[..., Preview]) -> None:
    """Issue 12: a page served by another local server (localhost:3000) must not listen in."""
    preview = serve()
    port = preview.port
    upgrade = ("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
               "Sec-WebSocket-Version: 13")
    other = port + 1 if port < 65535 else port - 1
    for origin in (f"http://localhost:{other}", f"http://127.0.0.1:{other}", "http://localhost",
                   f"https://127.0.0.1:{port}", "http://localhost:99999", "null"):
        assert http(port, "/__epaper__/livereload", host=f"localhost:{port}",
                    headers=upgrade + (f"Origin: {origin}",))[0] == 403, origin
    assert http(port, "/__epaper__/livereload", host=f"127.0.0.1:{port}",
                headers=upgrade + (f"Origin: http://127.0.0.1:{port}",))[0] == 101
