#!/usr/bin/env python3
"""Where one build's time goes: the CPU time of each step of the pipeline, in this process.

    .venv/bin/python bench/stages.py SITE [build options…]

builds SITE into SITE/public as `epaper build` would and prints one line: the CPU seconds of
the imports, the input stamp, each BuildState step (load, resolve, plan, render, …) and the
parts of the load. Worker processes are not counted (a cold build's parsing and rendering run
in them): use it on the builds that run in one process, an edit's or a new edition's, to see
which fixed costs grow with the archive. Issue 13 uses it at 10,000 and 100,000 articles."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

STARTED = time.process_time()
WALL = time.perf_counter()

from epaper import build as pipeline  # noqa: E402
from epaper.cli import main  # noqa: E402
from epaper.content import load  # noqa: E402
from epaper.output import cache  # noqa: E402

STEPS = ("quick", "load", "resolve", "join_pdfs", "plan", "render", "place_files", "index", "finish_render", "swap",
         "release")


def timed(times: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, adding its CPU time to times[name] at each call."""

    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            times[name] = times.get(name, 0.0) + time.process_time() - start

    return run


def run(argv: list[str]) -> int:
    times: dict[str, float] = {"imports": time.process_time() - STARTED}
    for step in STEPS:
        setattr(pipeline.BuildState, step, timed(times, step, getattr(pipeline.BuildState, step)))
    pipeline._stamp = timed(times, "stamp", pipeline._stamp)  # type: ignore[assignment]
    cache.BuildCache.__init__ = timed(times, "load.cache", cache.BuildCache.__init__)  # type: ignore[method-assign]
    load._records = timed(times, "load.stat_parse", load._records)  # type: ignore[assignment]
    load.find_editions = timed(times, "load.find_editions", load.find_editions)  # type: ignore[assignment]
    site = argv[0]
    code = main(["build", "--site", site, "--out", f"{site}/public", *argv[1:]])
    times["total"] = time.process_time() - STARTED
    print(" ".join(f"{name}={seconds:.2f}" for name, seconds in times.items()),
          f"(CPU s; wall {time.perf_counter() - WALL:.2f} s)", file=sys.stderr)
    return code


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(run(sys.argv[1:]))
