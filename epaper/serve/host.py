"""The preview's builds run in a process of their own, forked before the server starts its
threads: there, one thread only, the build may fork its workers (see parallel.py) and so
rebuilds as fast as `epaper build`. The server sends the build's Options and gets back
an Outcome, plain data that pickles (what the Rebuilder reports), never the site itself.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import signal
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from epaper import parallel
from epaper.build import Options, build
from epaper.errors import BuildError, Diagnostic, Text, UsageError
from epaper.output.failure import WriteFailure, failure_text
from epaper.output.writer import WriteReport


@dataclass
class Outcome:
    """What one build did, as the preview reports it."""

    kind: str  # "built", "errors" (content or layout errors), "usage" or "internal"
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors and warnings
    report: WriteReport | None = None
    up_to_date: bool = False
    rendered: int = 0
    message: str = ""  # for "usage" and "internal"
    text: Text | None = None  # a usage error's message id, shown in the editor's language
    details: str = ""  # an internal error's traceback, shown with EPAPER_DEBUG=1


def run_build(options: Options) -> Outcome:
    """Build and describe the outcome; never raises (a bug of ours becomes an "internal" outcome)."""
    try:
        result = build(options)
    except BuildError as exc:
        return Outcome("errors", list(exc.diagnostics))
    except UsageError as exc:
        return Outcome("usage", message=str(exc), text=exc.text)
    except WriteFailure as exc:
        return Outcome("usage", message=str(exc), text=exc.text)
    except OSError as exc:  # the machine's problem (a full disk), named as such
        text = failure_text(exc)
        return Outcome("usage", message=str(text), text=text)
    except Exception as exc:
        return Outcome("internal", message=f"{type(exc).__name__}: {exc}", details=traceback.format_exc())
    return Outcome("built", list(result.diagnostics.warnings), result.report, result.up_to_date,
                   len(result.rendered))


class BuildHost:
    """A forked process that runs builds one at a time on request, for the preview's lifetime.
    Where forking is not safe (already threaded) or the process dies, builds run in-process."""

    def __init__(self) -> None:
        self._connection: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if parallel.can_fork():
            context = multiprocessing.get_context("fork")
            self._connection, theirs = context.Pipe()
            # Not a daemon: daemonic processes may not start the build's own workers.
            self._process = context.Process(target=_serve, args=(theirs, self._connection), name="epaper-builds")
            self._process.start()
            theirs.close()
            # Ended before multiprocessing joins its children at exit, which would otherwise wait forever.
            self._finalizer = multiprocessing.util.Finalize(self, BuildHost._end, (self._connection, self._process),
                                                            exitpriority=10)

    @property
    def forked(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def build(self, options: Options) -> Outcome:
        if self._connection is not None and self.forked:
            try:
                self._connection.send(options)
                outcome: Outcome = self._connection.recv()
                return outcome
            except (EOFError, OSError):  # the build process died: go on without it
                self.close()
        return run_build(Options(**{**options.__dict__, "jobs": 1}))

    def close(self) -> None:
        """Ask the build process to end, then make sure it has."""
        if self._connection is not None and self._process is not None:
            self._finalizer()  # runs _end once
        self._connection = None
        self._process = None

    @staticmethod
    def _end(connection: Connection, process: multiprocessing.process.BaseProcess) -> None:
        with contextlib.suppress(OSError):
            connection.send(None)
        connection.close()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


def _serve(connection: Connection, parents: Connection) -> None:
    """In the build process: build for each Options received until None (or the server's end)."""
    parents.close()  # the server's end of the pipe: only the server keeps it, so its exit is our EOF
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle: it ends us by closing
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the server's handler (it would print a traceback here)
    try:
        while True:
            try:
                options = connection.recv()
            except (EOFError, OSError):
                break
            if options is None:
                break
            connection.send(run_build(options))
    finally:
        connection.close()
