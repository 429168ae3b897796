#!/usr/bin/env python3
"""How well the sharded index ranks: the same queries on a built site's shards (merged in
Chromium as the search page merges them) and on one Pagefind index of all its articles, made
here with the same Pagefind; for each query the result counts and the overlap of the top 10.
Two sharded orders: the shards merged by Pagefind's own scores, and ranked as the search page
ranks them (assets/search-rank.js: each word's score put on the archive's scale). Also what
the search page downloads before its first results show.

    .venv/bin/python bench/search_ranking.py SITE/public

Needs Debian's Chromium and the test extras (playwright), like the browser tests."""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import LAUNCH_ARGS, find_chromium  # noqa: E402
from generate import VOCAB  # noqa: E402

from epaper.output.search import executable  # noqa: E402

RANK = Path(__file__).resolve().parent.parent / "epaper/theme/static/assets/search-rank.js"
from searching import served  # noqa: E402

TOP = 10
DEEP = 200  # the single index's results compared by URL (each costs a fragment)
QUERY = """async ([script, mode, queries, ranking]) => {
  const pf = await import(script);
  await pf.options(ranking ? { baseUrl: "/", ranking } : { baseUrl: "/" });
  const hidden = {};
  let index = { sizes: {}, hidden, lang: "zh-cn" };
  if (mode !== "single") {
    const folder = script.slice(0, script.lastIndexOf("/") + 1);
    const list = await (await fetch(folder + "shards.json")).json();
    list.hidden.forEach((id) => { hidden[id] = true; });
    index.sizes = mode === "page" ? (list.pages || {}) : {};
    for (const shard of list.shards) await pf.mergeIndex(folder + shard, ranking ? { baseUrl: "/", ranking } : { baseUrl: "/" });
  }
  const out = {};
  for (const q of queries) {
    const results = await window.epaperRank.search(pf, q, {}, index);
    const head = results.slice(0, mode === "single" ? DEEP : TOP);
    const urls = (await Promise.all(head.map((r) => r.data()))).map((d) => d.url);
    out[q] = { count: results.length, top: urls.slice(0, TOP), ranked: urls, scores: head.map((r) => r.score) };
  }
  return out;
}""".replace("TOP", str(TOP)).replace("DEEP", str(DEEP))


def summary(sharded: dict[str, Any], single: dict[str, Any], queries: list[str]) -> str:
    """How the sharded results of each query compare with the single index's."""
    overlaps = [len(set(sharded[q]["top"]) & set(single[q]["top"])) / max(1, min(TOP, len(single[q]["top"])))
                for q in queries]
    same_count = sum(sharded[q]["count"] == single[q]["count"] for q in queries)
    same_first = sum(sharded[q]["top"][:1] == single[q]["top"][:1] for q in queries)
    # Near ties: a page of the sharded top 10 counts when the single index scores it within 5% of
    # its own 10th result (random newspaper phrases score alike; near ties fall either way), and
    # where the single index ranks the sharded top 10 (its worst rank).
    tied, worst = [], []
    for q in queries:
        rank = {url: n for n, url in enumerate(single[q]["ranked"], 1)}
        scores = dict(zip(single[q]["ranked"], single[q]["scores"], strict=True))
        floor = min(single[q]["scores"][:TOP], default=0)
        mine = sharded[q]["top"]
        tied.append(sum(scores.get(url, -1) >= 0.95 * floor for url in mine) / min(TOP, len(single[q]["top"]))
                    if single[q]["top"] else float(not mine))
        worst.append(max((rank.get(url, DEEP + 1) for url in mine), default=0))
    return (f"{len(queries)} queries: same result count {same_count}/{len(queries)}; "
            f"top-{TOP} overlap mean {statistics.mean(overlaps):.2f}, min {min(overlaps):.2f}; "
            f"same first result {same_first}/{len(queries)}; within 5% of the single index's 10th score: mean "
            f"{statistics.mean(tied):.2f}, min {min(tied):.2f}; single-index rank of the sharded top {TOP}: worst "
            f"median {statistics.median(worst)}, max {max(worst)} ({DEEP + 1}: below its first {DEEP})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="a built epaper output folder with a sharded search index")
    p.add_argument("--queries", type=int, default=60)
    p.add_argument("--ranking", type=json.loads, default=None,
                   help='Pagefind ranking options for every index, as JSON: {"pageLength": 0}')
    p.add_argument("--keep", action="store_true", help="keep the single index (OUT/pagefind-full) for the next run")
    args = p.parse_args()
    ranking = args.ranking
    out = args.out.resolve()
    full = out / "pagefind-full"
    if not (args.keep and full.is_dir()):
        shutil.rmtree(full, ignore_errors=True)
        subprocess.run([str(executable()), "--site", str(out), "--output-path", str(full), "--silent"], check=True)
    words = sorted(set(VOCAB))
    queries = words[: args.queries // 2] + [a + b for a, b in zip(words[1::2], words[2::2], strict=False)][: args.queries // 2]
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw, served(out) as host:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS, headless=True)
        runs = {}
        for mode, script in (("pagefind", "pagefind"), ("page", "pagefind"), ("single", "pagefind-full")):
            page = browser.new_page()  # a fresh module each: Pagefind's merged shards stay with it
            page.set_default_timeout(300_000)
            page.goto(f"{host}/404.html")  # not the search page: its script would merge the shards once more
            page.add_script_tag(path=str(RANK))
            runs[mode] = page.evaluate(QUERY, [f"{host}/{script}/pagefind.js", mode, queries, ranking])
            page.close()
        first = browser.new_page()
        finished: list[Any] = []  # sized once the first results show, while the page is open
        first.on("requestfinished", lambda request: finished.append(request))
        first.goto(f"{host}/search/?q={queries[0]}")
        first.locator(".search-results li h2 a").first.wait_for()
        downloaded = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in list(finished))
        first.wait_for_load_state("networkidle")
        browser.close()
    if not args.keep:
        shutil.rmtree(full, ignore_errors=True)
    single = runs["single"]
    for mode, label in (("pagefind", "merged by Pagefind's scores"), ("page", "ranked as the search page does")):
        print(f"{label}: {summary(runs[mode], single, queries)}")
    print(f"search page before first results: {downloaded / 2**20:.2f} MiB ({queries[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
