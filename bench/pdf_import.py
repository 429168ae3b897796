#!/usr/bin/env python3
"""How long the page-PDF commands take on a 16-page edition (issue 11: import under 10 s).

    .venv/bin/python bench/pdf_import.py [--pages 16] [--repeat 3]

Prints 16 synthetic newspaper pages with the tests' generator (tests/pdfgen: Debian's Chromium
through Playwright, both in the test extra), then times, in fresh sites, each a new process as
an editor runs it: `import pdf` of the 16 PDFs; `areas` placing every article of that edition
again (its area: lines taken out); a cold `build` rendering the 16 page images from the PDFs,
and a build into another folder (the page images from the cache), without the search index. Median of --repeat runs, in seconds."""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

CONFIG = """title: 测试日报
base_url: https://news.example.com/
language: zh-CN
timezone: Asia/Shanghai
search: false
sections:
  - {slug: yaowen, name: 要闻}
  - {slug: zonghe, name: 综合}
"""


def epaper(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "epaper", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"epaper {args[0]} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from pdfgen.newspaper import make_page
    from playwright.sync_api import sync_playwright
    work = Path(tempfile.mkdtemp(prefix="epaper-pdf-bench-"))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            pdfs = []
            for number in range(1, args.pages + 1):
                path = work / f"export-{number:02d}.pdf"
                path.write_bytes(make_page(browser, 5000 + number, number=number).pdf)
                pdfs.append(str(path))
            browser.close()
        times: dict[str, list[float]] = {"import pdf": [], "areas": [], "build (cold)": [], "build (images cached)": []}
        for run in range(args.repeat):
            site = work / f"site-{run}"
            site.mkdir()
            (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
            times["import pdf"].append(epaper("import", "pdf", "--date", "2022-11-04", "--site", str(site), *pdfs))
            for draft in site.glob("content/*/*/*.md"):
                text = draft.read_text(encoding="utf-8")
                text = re.sub(r"area: .*\n|corrects: .*\n", "", text)  # the corrected articles are not in this site
                draft.write_text(text.replace("type: correction", "type: note").replace("draft: true", "draft: false"),
                                 encoding="utf-8")
            times["areas"].append(epaper("areas", "--site", str(site)))
            times["build (cold)"].append(epaper("build", "--site", str(site)))
            # into another folder: every page rendered again, the page images from the rendition cache
            times["build (images cached)"].append(epaper("build", "--site", str(site), "--out", str(site / "other")))
        articles = len(list((work / "site-0").glob("content/*/*/*.md")))
        print(f"{args.pages} pages, {articles} articles; median of {args.repeat} runs, seconds")
        print("| command | seconds |\n|---|---|")
        for name, values in times.items():
            print(f"| {name} | {statistics.median(values):.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
