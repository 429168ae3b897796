#!/usr/bin/env python3
"""How well the sharded index ranks: the same queries on a built site's shards (merged in
Chromium as the search page merges them) and on one Pagefind index of all its articles, made
here with the same Pagefind; for each query the result counts and the overlap of the top 10.
Also what the search page downloads before its first results show.

    .venv/bin/python bench/search_ranking.py SITE/public

Needs Debian's Chromium and the test extras (playwright), like the browser tests."""
from __future__ import annotations

import argparse
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
from searching import served  # noqa: E402

TOP = 10
QUERY = """async ([script, merged, queries]) => {
  const pf = await import(script);
  await pf.options({ baseUrl: "/" });
  const hidden = new Set();
  if (merged) {
    const folder = script.slice(0, script.lastIndexOf("/") + 1);
    const list = await (await fetch(folder + "shards.json")).json();
    list.hidden.forEach((id) => hidden.add(id));
    for (const shard of list.shards) await pf.mergeIndex(folder + shard, { baseUrl: "/" });
  }
  const out = {};
  for (const q of queries) {
    const seen = new Set();
    const results = (await pf.search(q)).results.filter((r) => !hidden.has(r.id) && !seen.has(r.id) && seen.add(r.id));
    const top = await Promise.all(results.slice(0, TOP).map((r) => r.data()));
    out[q] = { count: results.length, top: top.map((d) => d.url), ids: results.slice(0, TOP).map((r) => r.id),
               scores: Object.fromEntries(results.map((r) => [r.id, r.score])) };
  }
  return out;
}""".replace("TOP", str(TOP))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="a built epaper output folder with a sharded search index")
    p.add_argument("--queries", type=int, default=60)
    args = p.parse_args()
    out = args.out.resolve()
    full = out / "pagefind-full"
    shutil.rmtree(full, ignore_errors=True)
    subprocess.run([str(executable()), "--site", str(out), "--output-path", str(full), "--silent"], check=True)
    words = sorted(set(VOCAB))
    queries = words[: args.queries // 2] + [a + b for a, b in zip(words[1::2], words[2::2], strict=False)][: args.queries // 2]
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw, served(out) as host:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{host}/404.html")  # not the search page: its script would merge the shards once more
        sharded = page.evaluate(QUERY, [f"{host}/pagefind/pagefind.js", True, queries])
        single = page.evaluate(QUERY, [f"{host}/pagefind-full/pagefind.js", False, queries])
        page.close()
        first = browser.new_page()
        finished: list[Any] = []  # sized once the first results show, while the page is open
        first.on("requestfinished", lambda request: finished.append(request))
        first.goto(f"{host}/search/?q={queries[0]}")
        first.locator(".search-results li h2 a").first.wait_for()
        downloaded = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in list(finished))
        first.wait_for_load_state("networkidle")
        browser.close()
    shutil.rmtree(full, ignore_errors=True)
    overlaps = [len(set(sharded[q]["top"]) & set(single[q]["top"])) / max(1, min(TOP, len(single[q]["top"])))
                for q in queries]
    same_count = sum(sharded[q]["count"] == single[q]["count"] for q in queries)
    same_first = sum(sharded[q]["top"][:1] == single[q]["top"][:1] for q in queries)
    # Near ties: a page of the sharded top 10 counts when the single index scores it within 5% of
    # its own 10th result (random newspaper phrases score alike; near ties fall either way), and
    # where the single index ranks the sharded top 10 (its worst rank).
    tied, worst = [], []
    for q in queries:
        scores = single[q]["scores"]
        ranked = sorted(scores, key=lambda i: -scores[i])
        floor = min((scores[i] for i in single[q]["ids"]), default=0)
        tied.append(sum(scores.get(i, -1) >= 0.95 * floor for i in sharded[q]["ids"]) / len(single[q]["ids"])
                    if single[q]["ids"] else float(not sharded[q]["ids"]))
        worst.append(max((ranked.index(i) + 1 for i in sharded[q]["ids"] if i in scores), default=0))
    for q in queries:
        if sharded[q]["count"] != single[q]["count"]:
            print(f"  {q}: {sharded[q]['count']} results in the shards, {single[q]['count']} in one index", file=sys.stderr)
    for q, t, w in zip(queries, tied, worst, strict=True):
        if t < 0.8:
            print(f"  {q}: near-tie agreement {t:.2f}, worst rank {w}, results {single[q]['count']}", file=sys.stderr)
    print(f"{len(queries)} queries: same result count {same_count}/{len(queries)}; "
          f"top-{TOP} overlap mean {statistics.mean(overlaps):.2f}, min {min(overlaps):.2f}; "
          f"same first result {same_first}/{len(queries)}; within 5% of the single index's 10th score: mean "
          f"{statistics.mean(tied):.2f}, min {min(tied):.2f}; single-index rank of the sharded top {TOP}: worst "
          f"median {statistics.median(worst)}, max {max(worst)}; search page before first results: "
          f"{downloaded / 2**20:.2f} MiB ({queries[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
