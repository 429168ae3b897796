"""The one fan-out helper every stage uses: results in order, failures raised here, and the
stages still fork once the Markdown watchdog's thread runs (a thread that would otherwise
make every build after the first article serial)."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import epaper.parallel as parallel
from conftest import build_ok, two_editions
from epaper.content.markup import MarkdownRenderer


@pytest.fixture(autouse=True)
def _harness_threads_are_fork_safe() -> None:
    """Threads the test session itself left running (a browser test's Playwright) are not the
    build's concern: these tests look at the threads they start themselves."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            parallel.mark_fork_safe(thread)


def _pids_and_items(shared: str, part: Sequence[int]) -> tuple[int, str, list[int]]:
    return os.getpid(), shared, list(part)


def test_fan_out_gives_each_worker_an_interleaved_part_and_returns_results_in_part_order() -> None:
    results = parallel.fan_out(_pids_and_items, "shared", list(range(7)), 3)
    assert [r[2] for r in results] == [[0, 3, 6], [1, 4], [2, 5]]
    assert all(r[1] == "shared" for r in results)
    # this process works the first part (a worker process costs memory), two children the others
    assert results[0][0] == os.getpid() and len({r[0] for r in results}) == 3


def _fails(shared: None, part: Sequence[int]) -> None:
    if 1 in part:
        raise ValueError("worker problem")


def test_an_exception_in_a_worker_is_raised_in_the_caller() -> None:
    with pytest.raises(ValueError, match="worker problem"):
        parallel.fan_out(_fails, None, [0, 1, 2], 3)


def _dies(shared: None, part: Sequence[int]) -> None:
    if 1 in part:  # the second part, a forked worker's
        os._exit(9)


def test_a_worker_that_dies_is_a_worker_failure_not_a_hang() -> None:
    with pytest.raises(parallel.WorkerFailed, match="exit code 9"):
        parallel.fan_out(_dies, None, [0, 1], 2)


def test_a_caller_that_froze_the_heap_says_so_and_the_collector_is_not_asked(monkeypatch) -> None:
    """gc.get_freeze_count() walks every frozen object (80 ms a render at 100,000 articles): a
    build that froze its loaded site says so, and its heap stays frozen after the fan-out."""
    import gc

    gc.freeze()
    try:
        monkeypatch.setattr(gc, "get_freeze_count", lambda: pytest.fail("the collector was asked"))
        results = parallel.fan_out_parts(_pids_and_items, "x", [[1], [2]], frozen=True)
        monkeypatch.undo()
        assert [r[2] for r in results] == [[1], [2]]
        assert gc.get_freeze_count() > 0  # the caller's to give back
    finally:
        gc.unfreeze()


def _slow_here(shared: float, take) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    """Works through what it is dealt; this process (the first) slowly, as a busy core would."""
    import time

    done: list[int] = []
    while (piece := take()) is not None:
        if os.getpid() == shared:
            time.sleep(0.05)
        done.extend(piece)
    return os.getpid(), done


def test_dealt_work_goes_to_the_process_that_is_free_and_each_starts_with_its_own_run() -> None:
    """A page listing the whole archive costs a hundred others, and on a shared machine one core
    may run at half speed: equal parts left one process idle while the other finished (0.3 s of
    a new edition's build at 100,000 articles). Dealt a piece at a time, the free process takes
    pieces from the end of the other's run; each still starts with its own, in order."""
    items = list(range(40))
    results = parallel.fan_out_dealt(_slow_here, os.getpid(), items, 2, piece=2)
    (mine, slow), (theirs, fast) = results
    assert mine == os.getpid() and theirs != mine
    assert sorted(slow + fast) == items  # each item once
    assert slow == list(range(len(slow)))  # the start of its own run, in order
    assert fast[:20] == list(range(20, 40))  # its own run first, then what it took from the other's end
    assert len(fast) > 30, (slow, fast)
    assert fast[20:22] == [18, 19] and sorted(fast[20:]) == list(range(len(slow), 20))  # from the end


def test_dealt_work_in_one_process_comes_in_the_same_pieces() -> None:
    """One process is dealt its items a piece at a time too: what it holds for a piece (the
    article bodies of a piece of pages) stays as small as with two."""
    assert parallel.fan_out_dealt(lambda shared, take: [take(), take(), take()], None, [1, 2, 3], 1, piece=2) == [
        [[1, 2], [3], None]]


def test_one_worker_runs_in_this_process() -> None:
    assert parallel.fan_out(_pids_and_items, "x", [1, 2], 1) == [(os.getpid(), "x", [1, 2])]


def test_threshold_forks_only_work_worth_forking_for() -> None:
    assert parallel.workers_for(10, 1.0, 2) == 1  # 10 ms of work
    assert parallel.workers_for(1000, 1.0, 2) == 2
    assert parallel.workers_for(1000, 1.0, 1) == 1
    assert parallel.workers_for(1, 1000.0, 4) == 1


def test_a_plain_thread_stops_forking_but_the_markdown_watchdog_does_not() -> None:
    MarkdownRenderer().convert("*a*")  # starts the watchdog thread
    assert parallel.can_fork()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.can_fork()  # a fork could inherit a lock that thread holds
    finally:
        stop.set()
        other.join()
    assert parallel.can_fork()


def test_builds_fan_out_after_markdown_has_been_rendered(make_site, monkeypatch, tmp_path: Path) -> None:
    calls: list[tuple[str, int]] = []
    real = parallel.start_parts  # every fan-out (fan_out, fan_out_parts, start_dealt) starts its workers there

    def counting(work, shared, parts, **options):  # type: ignore[no-untyped-def]
        calls.append((work.__name__, len(parts)))
        return real(work, shared, parts, **options)

    monkeypatch.setattr(parallel, "start_parts", counting)
    monkeypatch.setattr(parallel, "WORTH_FORKING_MS", 0)
    monkeypatch.setenv("EPAPER_JOBS", "2")
    build_ok(make_site(two_editions()))
    assert ("_parse_files", 2) in calls and ("_render_part", 2) in calls, calls


def test_preview_rebuilds_fan_out_while_the_server_runs_threads(make_site, monkeypatch, tmp_path: Path) -> None:
    """The preview builds in a process forked before its threads: a rebuild after the server's
    threads started still forks workers (it used to fall back to one process)."""
    from epaper.serve.rebuild import Rebuilder

    record = tmp_path / "fan-outs.txt"
    real = parallel.start_parts

    def recording(work, shared, parts, **options):  # type: ignore[no-untyped-def]
        with open(record, "a", encoding="utf-8") as handle:
            handle.write(f"{work.__name__} {len(parts)} {os.getpid()}\n")
        return real(work, shared, parts, **options)

    monkeypatch.setattr(parallel, "start_parts", recording)  # every stage's fan-out goes through it
    monkeypatch.setattr(parallel, "WORTH_FORKING_MS", 0)
    monkeypatch.setenv("EPAPER_JOBS", "2")
    site = make_site(two_editions())
    rebuilder = Rebuilder(site, tmp_path / "preview", "http://127.0.0.1:8000", log=lambda line: None)
    stop = threading.Event()
    server_thread = threading.Thread(target=stop.wait)
    try:
        assert rebuilder.rebuild().ok  # forks the build process: no thread runs yet
        server_thread.start()
        record.write_text("", encoding="utf-8")
        edited = next(site.glob("content/*/*/*.md"))
        edited.write_text(edited.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
        assert rebuilder.rebuild({str(edited)}).ok
    finally:
        stop.set()
        server_thread.join()
        rebuilder.close()
    lines = record.read_text(encoding="utf-8").splitlines()
    assert any(line.split()[1] == "2" for line in lines), lines  # a stage forked two workers
    assert all(int(line.split()[2]) != os.getpid() for line in lines)  # in the build process, not here


def test_parse_workers_find_the_html_store_made_before_they_fork(make_site, monkeypatch) -> None:
    """Two parse workers making the HTML store at once: one was told it is locked and its share
    of the bodies was parsed again at render time. The load makes it before forking them."""
    import sqlite3

    from epaper.content import load
    seen: list[str] = []
    real = parallel.fan_out

    def fan_out(function, shared, items, workers):  # type: ignore[no-untyped-def]
        if function is load._parse_files and workers > 1:
            store = shared.store / "html.sqlite"
            with sqlite3.connect(store) as db:  # made, in write-ahead-log mode, before the fork
                seen.append(db.execute("PRAGMA journal_mode").fetchone()[0])
        return real(function, shared, items, workers)

    monkeypatch.setattr(parallel, "fan_out", fan_out)
    monkeypatch.setattr(load, "PARSE_MS", 1000.0)  # a small site parsed in two workers
    build_ok(make_site(two_editions()), jobs=2)
    assert seen == ["wal"]


def _editions(days: int = 8, each: int = 3) -> dict[str, str]:
    from conftest import EDITION, article

    files = {}
    for day in range(1, days + 1):
        date = f"2023-03-{day:02d}"
        files[f"content/2023/{date}/edition.yaml"] = EDITION.format(date=date, number=100 + day)
        for n in range(1, each + 1):
            files[f"content/2023/{date}/a{n}.md"] = article(f"第{day}期第{n}篇", page=1 + n % 2, section="yaowen")
    return files


def _forking_the_later_pages_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """For _editions(16, 1): the article pages and those listing the whole archive (about 30)
    rendered by the building process alone, the other pages (about 55) worth a worker."""
    monkeypatch.setattr(parallel, "WORTH_FORKING_MS", 20)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_render_parts_are_runs_of_editions_and_the_output_is_the_same_as_one_process(
        make_site, monkeypatch, tmp_path: Path) -> None:
    """A forked worker copies every page of memory whose objects it touches: each process's run of
    the render (parallel.Deal) is the pages of a run of editions (the archive was loaded in date
    order), the pages listing the whole archive go to the building process's own run, and the
    output does not change."""
    site = make_site(_editions())
    seen: list[list[list[str]]] = []
    real = parallel.start_dealt

    def recording(work, shared, items, workers, piece, **options):  # type: ignore[no-untyped-def]
        if work.__name__ == "_render_part":
            deal = parallel.Deal(items, workers, piece)  # the runs each process starts with
            seen.append([[job.path for job in items[deal._bounds[2 * run]:deal._bounds[2 * run + 1]]]
                         for run in range(workers)])
        return real(work, shared, items, workers, piece, **options)

    monkeypatch.setattr(parallel, "start_dealt", recording)
    monkeypatch.setattr(parallel, "WORTH_FORKING_MS", 0)
    _, two = build_ok(site, tmp_path / "two", jobs=2)
    _, one = build_ok(site, tmp_path / "one", jobs=1)
    # one deal: the article pages would need workers too, so none go on beside the index (never
    # three processes rendering at once: build._render_order)
    assert len(seen) == 1 and len(seen[0]) == 2, seen
    whole = [runs for runs in seen if "index.html" in runs[0] + runs[1]]
    assert len(whole) == 1 and {"index.html", "sitemap.xml", "archive/index.html"} <= set(whole[0][0])

    def day(path: str) -> int | None:
        found = [int(part[-2:]) for part in path.split("/") if part.startswith("2023-03-")]
        return found[0] if found else None

    for first, second in seen:
        assert abs(len(first) - len(second)) <= 1
        days = [[d for d in map(day, part) if d is not None] for part in (first, second)]
        assert days[0] and days[1] and max(days[0]) <= min(days[1]), days  # each a run of editions
        assert days[0] == sorted(days[0]) and days[1] == sorted(days[1])
    assert _tree(two) == _tree(one)


def test_with_search_the_index_is_made_while_a_worker_renders_the_pages_it_does_not_read(
        make_site, monkeypatch, tmp_path: Path) -> None:
    """A new edition at 100,000 articles renders its twenty article pages and 5,000 section
    pages (each shifts): the search index, which reads the article pages alone, is made while a
    worker renders the others (build.finish_render gathers them), and the output is the same."""
    from epaper import build as pipeline

    site = make_site(_editions(16, 1))
    seen: list[tuple[bool, list[str], list[str]]] = []
    real = pipeline.BuildState.index

    def index(self: pipeline.BuildState) -> None:
        assert self.writer is not None
        recorded = self.writer.manifest
        sections = [job.path for job in self.pages  # zonghe lists nothing: rendered with the archive-wide pages
                    if job.template == "section.html" and job.path.startswith("sections/yaowen/")]
        articles = [job.path for job in self.pages if job.template == "article.html" and job.path not in recorded]
        archive_wide = [path for path in ("index.html", "archive/index.html", "sitemap.xml") if path not in recorded]
        seen.append((self.rendering is not None and self.rendering.started is not None,
                     [path for path in sections if path in recorded], articles + archive_wide))
        real(self)

    monkeypatch.setattr(pipeline.BuildState, "index", index)
    _forking_the_later_pages_only(monkeypatch)
    result, two = build_ok(site, tmp_path / "two", jobs=2)
    assert seen == [(True, [], [])]  # a worker under way, no section page recorded yet; every article page
    # and the pages listing the whole archive recorded (this process renders those: rendering.archive_wide)
    assert {"sections/yaowen/index.html", "sections/yaowen/page/2/index.html"} <= set(result.rendered)
    assert len(seen) == 1
    monkeypatch.setattr(pipeline.BuildState, "index", real)
    _, one = build_ok(site, tmp_path / "one", jobs=1)
    assert _tree(two) == _tree(one)


def test_a_layout_error_on_a_page_the_worker_renders_meanwhile_names_its_line_and_keeps_the_live_site(
        make_site, monkeypatch) -> None:
    from conftest import build_errors

    site = make_site(_editions(16, 1))
    _, out = build_ok(site)
    live = _tree(out)
    (site / "layouts").mkdir(exist_ok=True)
    (site / "layouts/section.html").write_text('{% extends "base.html" %}\n{% block main %}\n{{ no_such.name }}\n'
                                              '{% endblock %}\n', encoding="utf-8")
    _forking_the_later_pages_only(monkeypatch)
    errors = build_errors(site, jobs=2)
    assert len(errors) == 1 and errors[0].startswith("layouts/section.html:3:"), errors
    assert _tree(out) == live


def test_a_build_failing_while_the_worker_renders_ends_the_worker(make_site, monkeypatch) -> None:
    import multiprocessing

    from epaper.output import search
    from epaper.site.render import Renderer

    site = make_site(_editions(16, 1))
    real = Renderer.render

    def slowly(self: Renderer, job: Any) -> bytes:  # the worker's pages take a while
        if job.template in ("edition.html", "page.html"):
            time.sleep(0.1)
        return real(self, job)

    def failing(*args: object, **options: object) -> None:
        assert multiprocessing.active_children()  # the render's worker, under way
        raise RuntimeError("the index failed")

    monkeypatch.setattr(Renderer, "render", slowly)
    monkeypatch.setattr(search, "update_index", failing)
    _forking_the_later_pages_only(monkeypatch)
    with pytest.raises(RuntimeError, match="the index failed"):
        build_ok(site, jobs=2)
    assert multiprocessing.active_children() == []
