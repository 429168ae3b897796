"""Take the README's phone screenshots of the sample newspaper (docs/screenshots/).

    python scripts/screenshots.py        # needs Debian's Chromium and playwright (scripts/test installs both)

Builds the sample site into a temporary folder, serves it on 127.0.0.1 and shoots an
edition page, an article page and a printed page at 390 px, the width of a common phone, and
the printed page on a 1366 × 900 desktop screen, scrolled to it, with its lead headline hovered
(its area lit on the page)."""
from __future__ import annotations

import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402

from epaper.build import Options, build  # noqa: E402


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


SHOTS = {"edition-phone.png": "/2022-11-04/", "article-phone.png": "/2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/",
         "page-phone.png": "/2022-11-04/01/"}
DESKTOP = {"page-desktop.png": "/2022-11-04/01/"}
LEAD = ".pv-headlines li[data-article=jingkaiqu-xiandaihua-xinpianzhang]"


def main() -> int:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        for name in ("config.yaml", "content", "layouts", "static"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, site / name)
            else:
                shutil.copy(REPO / name, site / name)
        build(Options(site=site, out=site / "public"))
        handler = functools.partial(Quiet, directory=str(site / "public"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
                page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1.5,
                                        locale="zh-CN")  # a Chinese reader's date picker
                for name, path in SHOTS.items():
                    page.goto(origin + path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(REPO / "docs/screenshots" / name))
                    print(f"wrote docs/screenshots/{name}")
                desk = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
                for name, path in DESKTOP.items():
                    desk.goto(origin + path)
                    desk.wait_for_selector(".pv-frame.is-zoomable")
                    desk.wait_for_load_state("networkidle")
                    desk.evaluate("scrollTo(0, document.querySelector('main').getBoundingClientRect().top + scrollY)")
                    desk.locator(LEAD).hover()
                    desk.wait_for_selector(".hotspot.is-lit")
                    desk.wait_for_function(  # the light's fade-in has finished
                        "() => document.querySelector('.hotspot.is-lit').getAnimations().length === 0")
                    desk.screenshot(path=str(REPO / "docs/screenshots" / name))
                    print(f"wrote docs/screenshots/{name}")
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
