"""Command line: `python build.py [build|check] …` and the `epaper` command."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from gettext import NullTranslations
from pathlib import Path
from typing import NoReturn

from epaper import build as pipeline
from epaper import messages as M
from epaper.content import scaffold
from epaper.content.config import LANGUAGE_TAG, written_language
from epaper.errors import BuildError, Diagnostic, Text, UsageError, count, messages_translations
from epaper.output.failure import EXIT_ENVIRONMENT, WriteFailure, failure_text
from epaper.output.lock import Locked


def _moment(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r} (e.g. 2022-11-04T06:00+08:00)") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="epaper", description="Build a newspaper's digital edition from Markdown.")
    sub = p.add_subparsers(dest="command", metavar="{build,check,fix,new,serve,areas,import}")
    b = sub.add_parser("build", help="build the site into the output folder (the default command)")
    c = sub.add_parser("check", help="validate the content, write nothing")
    for command in (b, c):
        command.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")
        _messages_option(command)
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument("--now", type=_moment, help="pretend it is this moment (for future editions)")
    b.add_argument("--out", type=Path, help="the output folder (default: SITE/public)")
    b.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    b.add_argument("--future", action="store_true", help="include editions whose publish time is still ahead")
    b.add_argument("--base-url", help="override config.yaml's base_url (e.g. for a preview host)")
    b.add_argument("--changes", type=Path, metavar="FILE",
                   help="write the URLs this build added, changed and removed (for a CDN purge)")
    b.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    b.add_argument("--no-wait", action="store_true",
                   help="exit with status 3 instead of waiting when another build is writing the output")
    fx = sub.add_parser("fix", help="rewrite the typography check's findings in titles, kickers, subtitles, "
                        "captions and bodies, in place")
    fx.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")
    _messages_option(fx)
    fx.add_argument("paths", type=Path, nargs="*", metavar="PATH",
                    help="articles or folders to fix (default: every article of the site)")
    n = sub.add_parser("new", help="write a skeleton edition or article")
    kinds = n.add_subparsers(dest="kind", required=True, metavar="{edition,article}")
    ne = kinds.add_parser("edition", help="content/YYYY/DATE/edition.yaml with the last edition's pages")
    ne.add_argument("date", type=_date, help="the edition's date, YYYY-MM-DD")
    na = kinds.add_parser("article", help="SLUG.md in an edition")
    na.add_argument("--edition", type=_date, required=True, help="the edition's date, YYYY-MM-DD")
    na.add_argument("--page", type=int, required=True, help="the printed page number")
    na.add_argument("--title", help="the headline (default: a placeholder)")
    na.add_argument("slug", help="lower-case ASCII letters, digits and hyphens")
    for command in (ne, na):
        command.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")
        _messages_option(command)
    s = sub.add_parser("serve", help="preview the site on localhost, rebuilding and reloading on every save")
    s.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    s.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    _messages_option(s)
    a = sub.add_parser("areas", help="write area: for articles without one, found on their page's PDF")
    a.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")
    a.add_argument("--date", type=_date, help="only the edition of this date, YYYY-MM-DD")
    _messages_option(a)
    i = sub.add_parser("import", help="start an edition from its page PDFs")
    sources = i.add_subparsers(dest="source", required=True, metavar="{pdf}")
    ip = sources.add_parser("pdf", help="edition.yaml and a draft per article from page PDFs, page 1 first")
    ip.add_argument("--date", type=_date, required=True, help="the edition's date, YYYY-MM-DD")
    ip.add_argument("--number", type=int, help="the issue number (期号)")
    ip.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")
    ip.add_argument("pdfs", type=Path, nargs="+", metavar="PAGE.pdf", help="the page PDFs, in page order")
    _messages_option(ip)
    return p


def _messages_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--messages", type=_language, metavar="LANG",
                         help="the language of errors and warnings: en or zh-CN (default: config.yaml's language)")


def _language(text: str) -> str:
    if not LANGUAGE_TAG.match(text):
        raise argparse.ArgumentTypeError(f"not a language tag: {text!r} (e.g. en or zh-CN)")
    return text


def translations_for(args: argparse.Namespace) -> NullTranslations:
    """The diagnostics' catalog: --messages, else the language of the site's config.yaml."""
    return messages_translations(getattr(args, "messages", None) or written_language(args.site))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def run() -> NoReturn:
    """The `epaper` command (and `python -m epaper`, `python build.py`): main(); after a build or
    a check the process then ends without tearing its heap down. A build holds the archive's
    records, plan and render state until it returns, and freeing them object by object took the
    interpreter 1.1-1.2 s at 100,000 articles, after the site was out; every file is written and
    closed by then. The preview (serve) and the other commands end as Python ends, and so does
    a build run under a profiler or tracer (cProfile prints when the program ends)."""
    args = _with_command(sys.argv[1:])
    code = main(args)
    if args[0] in ("build", "check") and sys.getprofile() is None and sys.gettrace() is None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
                stream.flush()
        os._exit(code)
    sys.exit(code)


def _with_command(args: Sequence[str]) -> list[str]:
    """The command line with its command: `python build.py` alone, or with options only, builds."""
    found = list(args)
    if not found or (found[0].startswith("-") and found[0] not in ("-h", "--help")):
        found.insert(0, "build")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _with_command(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(args_list)  # exits 2 on a wrong command line
    if args.command == "new":
        return _new(args)
    if args.command == "fix":
        return _fix(args)
    if args.command in ("areas", "import"):
        return _pdf_command(args)
    if args.command == "serve":
        from epaper.serve import serve_command
        return serve_command(args.site, args.host, args.port, args.drafts, args.messages)
    options = pipeline.Options(
        site=args.site, now=args.now, strict=args.strict,
        out=getattr(args, "out", None), drafts=getattr(args, "drafts", False),
        future=getattr(args, "future", False), base_url=getattr(args, "base_url", None),
        jobs=getattr(args, "jobs", 0), wait=not getattr(args, "no_wait", False),
    )
    translations = translations_for(args)
    try:
        if args.command == "check":
            result = pipeline.check(options)
            _print(result.diagnostics.warnings, translations)
            print(_count(result).render(translations), file=sys.stderr)
        else:
            result = pipeline.build(options)
            _print(result.diagnostics.warnings, translations)
            report = result.report
            assert report is not None
            if args.changes:
                base = result.site.config.base_url if result.site else ""
                text = "".join(line + "\n" for line in report.changes(base))
                args.changes.write_text(text, encoding="utf-8")
            out = str(options.out or options.site / "public")
            if result.up_to_date:
                print(M.UP_TO_DATE(out=out).render(translations), file=sys.stderr)
                return 0
            built = M.BUILT(pages=count(result.page_count, M.ONE_PAGE, M.PAGES), out=out,
                            rendered=len(result.rendered), added=len(report.added), changed=len(report.changed),
                            removed=len(report.removed))
            print(built.render(translations), file=sys.stderr)
        return 0
    except BuildError as exc:
        _print(exc.diagnostics, translations)
        errors = sum(1 for d in exc.diagnostics if not d.warning)
        summary = M.ONE_ERROR() if errors == 1 else M.ERRORS(count=errors)
        print(summary.render(translations), file=sys.stderr)
        return 1
    except UsageError as exc:
        print(exc.shown(translations), file=sys.stderr)
        return 2
    except WriteFailure as exc:
        print(f"epaper: {exc.text.render(translations)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except OSError as exc:  # outside the build's swap: the lock file, check's cache, --changes FILE
        print(f"epaper: {failure_text(exc).render(translations)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except Locked as exc:
        print(f"epaper: {exc.text.render(translations)} [{exc.text.id}]", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: say so plainly, details only on request
        if os.environ.get("EPAPER_DEBUG"):
            traceback.print_exc()
        live = getattr(exc, "epaper_live", False)  # set by failure.reported
        outcome = "the new site is live, but the build did not finish" if live else "the previous output is untouched"
        print(f"epaper: internal error ({type(exc).__name__}: {exc}); {outcome}. "
              "Run with EPAPER_DEBUG=1 for details and report it.", file=sys.stderr)
        return 70


def _new(args: argparse.Namespace) -> int:
    translations = translations_for(args)
    try:
        if args.kind == "edition":
            path = scaffold.new_edition(args.site, args.date)
        else:
            path = scaffold.new_article(args.site, args.edition, args.page, args.slug, args.title)
    except UsageError as exc:
        print(exc.shown(translations), file=sys.stderr)
        return 2
    print(M.WROTE(path=str(path)).render(translations), file=sys.stderr)
    return 0


def _fix(args: argparse.Namespace) -> int:
    from epaper.content import fix
    translations = translations_for(args)
    try:
        return fix.run(args.site, args.paths, translations)
    except UsageError as exc:
        print(exc.shown(translations), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"epaper: {failure_text(exc).render(translations)}", file=sys.stderr)
        return EXIT_ENVIRONMENT


def _pdf_command(args: argparse.Namespace) -> int:
    from .pdf import areas, importer
    translations = translations_for(args)
    try:
        if args.command == "import":
            return importer.run(args.site, args.date, args.pdfs, args.number, translations=translations)
        return areas.run(args.site, args.date, translations=translations)
    except UsageError as exc:
        print(exc.shown(translations), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: files already written are whole (each is replaced atomically)
        if os.environ.get("EPAPER_DEBUG"):
            traceback.print_exc()
        print(f"epaper: internal error ({type(exc).__name__}: {exc}). Run with EPAPER_DEBUG=1 for details "
              "and report it.", file=sys.stderr)
        return 70


def _print(diagnostics: list[Diagnostic], translations: NullTranslations) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.shown(translations), file=sys.stderr)


def _count(result: pipeline.Result) -> Text:
    site = result.site
    if site is None:
        return M.NOTHING_TO_CHECK()
    articles = sum(len(e.articles) for e in site.editions)
    return M.CHECKED(editions=len(site.editions), articles=articles, warnings=len(result.diagnostics.warnings))
