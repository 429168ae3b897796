"""One way for every stage to fan work out over processes (parsing, rendering, images).

Workers are forked, so they inherit what they need (the resolved site, the templates)
without it being pickled: `fan_out` hands `shared` to each child as an argument of the
forked process, never through a module global. Only results travel back, pickled.

Forking is only safe from a process with one thread: a fork copies locks that another
thread may hold. `can_fork()` says so, and a stage then runs in-process; the dev server
runs its builds in a process it forked before starting its threads (serve/host.py), so
its rebuilds fan out like any build.

One threshold rule for all stages: fork only when the work, as estimated from a
stage's cost per item, is long enough to pay for starting the workers.
"""
from __future__ import annotations

import functools
import gc
import multiprocessing
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

WORTH_FORKING_MS = 150.0  # serial work (estimated) below which forking costs more than it saves


class WorkerFailed(RuntimeError):
    """A worker process died or raised something that could not be sent back."""


def can_fork() -> bool:
    """True when forked workers are safe here: fork exists and this process runs no thread but
    its main one and threads marked fork-safe (see `mark_fork_safe`)."""
    return "fork" in multiprocessing.get_all_start_methods() and all(
        thread is threading.main_thread() or getattr(thread, "epaper_fork_safe", False)
        for thread in threading.enumerate())


def mark_fork_safe(thread: threading.Thread) -> threading.Thread:
    """Mark a helper thread whose state a forked child does not need and resets itself
    (os.register_at_fork): its presence does not keep the stages from forking workers."""
    thread.epaper_fork_safe = True  # type: ignore[attr-defined]
    return thread


def workers_for(items: int, cost_ms: float, jobs: int) -> int:
    """How many processes `items` pieces of work costing about `cost_ms` each deserve: 1 unless
    the whole is worth forking for, else at most `jobs` (and never more than the items)."""
    if jobs <= 1 or items < 2 or items * cost_ms < WORTH_FORKING_MS or not can_fork():
        return 1
    return min(jobs, items)


def fan_out(work: Callable[[S, Sequence[T]], R], shared: S, items: Sequence[T], workers: int) -> list[R]:
    """work(shared, part) for `workers` interleaved parts of `items` (part i is items[i::workers]):
    see fan_out_parts."""
    if workers <= 1:
        return [work(shared, items)]
    return fan_out_parts(work, shared, [items[part::workers] for part in range(workers)])


def fan_out_parts(work: Callable[[S, Sequence[T]], R], shared: S, parts: Sequence[Sequence[T]],
                  frozen: bool | None = None) -> list[R]:
    """work(shared, part) for each of `parts`: the first in this process, each other in a forked
    one; the results in part order (start_parts, then its finish at once)."""
    return start_parts(work, shared, parts, frozen=frozen).finish()


def start_parts(work: Callable[[S, Sequence[T]], R], shared: S, parts: Sequence[Sequence[T]],
                frozen: bool | None = None) -> Started[R]:
    """Fork a process for each of `parts` but the first, which this process works when
    `finish()` is called on the answer: meanwhile it may do other work (build.py indexes for
    search while the render's worker goes on). A worker process costs memory (each copies the
    pages of the inherited heap it touches: at 100,000 articles, half a gigabyte), so this
    process works too instead of waiting for them; a stage may arrange its parts itself
    (rendering.py keeps the pages that touch the whole archive in this process's). An exception
    in a worker is raised by finish(). `frozen`: True when the caller has frozen the heap itself
    (None: ask the collector, whose count walks every frozen object: 80 ms at 100,000 articles)."""
    started: Started[R] = Started(work, shared, parts[0] if parts else [])
    if len(parts) <= 1:
        return started
    context = multiprocessing.get_context("fork")
    started.frozen_before = frozen or gc.get_freeze_count() > 0  # the build froze its loaded site: leave that to it
    gc.freeze()  # the collector would otherwise touch (and so copy) every inherited object in each child
    try:
        for part in parts[1:]:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_child, args=(work, shared, part, send), daemon=True)
            child.start()
            send.close()
            started.children.append((child, receive))
    except BaseException:
        started.stop()
        raise
    return started


class Started(Generic[R]):
    """Workers forked by start_parts, and this process's part still to work."""

    def __init__(self, work: Callable[[Any, Sequence[Any]], R], shared: Any, own: Sequence[Any]) -> None:
        self.work, self.shared, self.own = work, shared, own
        self.children: list[tuple[Any, Any]] = []  # (process, the pipe its result comes by)
        self.frozen_before = True  # nothing frozen by start_parts (no worker forked)

    def finish(self) -> list[R]:
        """This process's part worked, then the workers' results gathered: all in part order."""
        try:
            own = _own_part if self.children else _plain  # alone: the collector as the caller has it
            results: list[R] = [own(self.work, self.shared, self.own)]
            for child, receive in self.children:
                try:
                    ok, value = receive.recv()  # before join: a big result would block the child's exit
                except EOFError:
                    child.join()
                    code = child.exitcode
                    raise WorkerFailed(f"a worker process ended without a result (exit code {code})") from None
                if not ok:
                    raise value if isinstance(value, BaseException) else WorkerFailed(str(value))
                results.append(value)
            return results
        finally:
            self.stop()

    def stop(self) -> None:
        """The workers ended (at once, if still working: the build failed meanwhile) and waited for."""
        children, self.children = self.children, []
        try:
            for child, receive in children:
                if child.is_alive():  # before its pipe is closed: a worker sending its result would say it broke
                    child.terminate()
                child.join()
                receive.close()
        finally:
            if not self.frozen_before:
                gc.unfreeze()
                self.frozen_before = True


class Deal(Generic[T]):
    """`items` dealt to `workers` processes a piece at a time. Each has a run of the items to work
    from its start (the runs in order, of equal length: what a process touches stays together,
    as fan_out_parts' contiguous parts keep it); one whose run is done takes pieces from the end
    of the run with the most left. So the processes end together however the items' costs fall
    (a page listing the whole archive is worth a hundred others) and however busy each core is
    (on a shared machine, one may run at half speed). The runs' bounds are in shared memory,
    changed under its lock, made before the fork."""

    def __init__(self, items: Sequence[T], workers: int, piece: int) -> None:
        self.items, self.workers, self.piece = items, workers, max(1, piece)
        size = -(-len(items) // workers) if items else 0
        bounds = []
        for run in range(workers):
            bounds += [min(run * size, len(items)), min((run + 1) * size, len(items))]
        self._bounds = multiprocessing.get_context("fork").Array("q", bounds)  # start and end of each run

    def take(self, worker: int) -> Sequence[T] | None:
        """The next piece for `worker`: the start of its own run, else the end of the fullest one
        (None when every run is done)."""
        bounds, piece = self._bounds, self.piece
        with bounds.get_lock():
            start, end = bounds[2 * worker], bounds[2 * worker + 1]
            if start < end:
                bounds[2 * worker] = stop = min(start + piece, end)
                return self.items[start:stop]
            left = [bounds[2 * run + 1] - bounds[2 * run] for run in range(self.workers)]
            fullest = max(range(self.workers), key=left.__getitem__)
            if left[fullest] <= 0:
                return None
            start, end = bounds[2 * fullest], bounds[2 * fullest + 1]
            bounds[2 * fullest + 1] = begin = max(start, end - piece)
            return self.items[begin:end]


def fan_out_dealt(work: Callable[[S, Callable[[], Sequence[T] | None]], R], shared: S, items: Sequence[T],
                  workers: int, piece: int, frozen: bool | None = None) -> list[R]:
    """work(shared, take) in `workers` processes (this one and forked ones, as fan_out_parts),
    `take()` giving each process its next piece of `items` until it gives None (see Deal); the
    results in process order. For work whose items cost unevenly; one process works alone."""
    return start_dealt(work, shared, items, workers, piece, frozen).finish()


def start_dealt(work: Callable[[S, Callable[[], Sequence[T] | None]], R], shared: S, items: Sequence[T],
                workers: int, piece: int, frozen: bool | None = None) -> Started[R]:
    """fan_out_dealt's workers started (start_parts): this process takes its pieces at finish(),
    and the workers take from its run meanwhile when theirs are done."""
    if workers <= 1:
        pieces = iter([items[start:start + piece] for start in range(0, len(items), max(1, piece))])

        def alone(own: S, part: Sequence[int]) -> R:
            return work(own, lambda: next(pieces, None))

        return Started(alone, shared, [0])
    deal = Deal(items, workers, piece)

    def dealt(own: S, part: Sequence[int]) -> R:
        return work(own, lambda: deal.take(part[0]))

    functools.update_wrapper(dealt, work)  # named as the work, for whoever traces the fan-outs
    return start_parts(dealt, shared, [[worker] for worker in range(workers)], frozen=frozen)


def _plain(work: Callable[[S, Sequence[T]], R], shared: S, part: Sequence[T]) -> R:
    return work(shared, part)


def _own_part(work: Callable[[S, Sequence[T]], R], shared: S, part: Sequence[T]) -> R:
    """This process's part, with the collector on as in a worker (a stage may hold it off while it
    builds its own data; the work's garbage is the work's)."""
    collecting = gc.isenabled()
    gc.enable()
    try:
        return work(shared, part)
    finally:
        if not collecting:
            gc.disable()


def _child(work: Callable[[Any, Sequence[Any]], Any], shared: Any, part: Sequence[Any], send: Any) -> None:
    gc.enable()  # a stage may fork while its parent holds the collector off: a worker's garbage is its own
    try:
        outcome: tuple[bool, Any] = (True, work(shared, part))
    except BaseException as exc:  # sent back whole when it pickles, else as its traceback's text
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception:
        send.send((False, "".join(traceback.format_exception(outcome[1])) if not outcome[0]
                   else f"a worker's result could not be sent back: {traceback.format_exc()}"))
    finally:
        send.close()
