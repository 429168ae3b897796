"""`epaper fix`: rewrites in place what the typography check reports, and prints each change.

Only the changes typography.plan finds are made, each to the characters it came from; the
front matter is parsed again afterwards and must give back every other value as it was,
else the file is left alone. Files are replaced atomically (as `areas` does)."""
from __future__ import annotations

import sys
from gettext import NullTranslations
from pathlib import Path

from epaper import messages as M
from epaper.content import typography
from epaper.content.article import split_front_matter
from epaper.content.config import load_config
from epaper.content.load import find_editions
from epaper.content.reader import SiteReader
from epaper.content.rewrite import plain, replace_file
from epaper.content.yamlutil import load_yaml
from epaper.errors import Diagnostic, Diagnostics, Text, UsageError, count
from epaper.model import Typography


def run(site: Path, paths: list[Path], translations: NullTranslations | None = None) -> int:
    """Fix the articles named (files or folders; default: all of content/). 0, or 1 after content errors."""
    diags = Diagnostics()
    reader = SiteReader(site, diags)
    config = load_config(reader)
    if config is None:
        for diagnostic in diags.errors:
            print(diagnostic.shown(translations), file=sys.stderr)
        return 1
    files = [f"{folder.rel}/{name}" for folder in find_editions(reader) for name in folder.articles]
    chosen = _chosen(site, files, paths)
    changed_files = changes = 0
    for rel in chosen:
        path = site / rel
        data = reader.read(path)  # refuses a FIFO, a device, a link out of the site (an error each)
        if data is None or path.is_symlink():
            if data is not None:
                print(Diagnostic(rel, 1, M.NOT_FIXED_LINK()).shown(translations), file=sys.stderr)
            continue
        done = fix_file(path, rel, config.typography, data, translations)
        if done is None:
            continue
        changes += done
        changed_files += bool(done)
    for diagnostic in diags.items:
        print(diagnostic.shown(translations), file=sys.stderr)
    print(M.FIXED(changes=count(changes, M.ONE_CHANGE, M.CHANGES), files=changed_files, articles=len(chosen))
          .render(translations), file=sys.stderr)
    return 1 if diags.has_errors() else 0


def _chosen(site: Path, files: list[str], paths: list[Path]) -> list[str]:
    if not paths:
        return files
    root = site.resolve()
    chosen: list[str] = []
    for path in paths:
        absolute = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not absolute.exists():
            raise UsageError(M.NO_SUCH_PATH(path=str(path)))
        try:
            rel = absolute.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(M.NOT_IN_SITE(path=str(path), site=str(site))) from None
        found = [f for f in files if f == rel or rel in (".", "") or f.startswith(rel + "/")]
        if not found:
            raise UsageError(M.NO_ARTICLE_THERE(path=str(path)))
        chosen.extend(f for f in found if f not in chosen)
    return chosen


def fix_file(path: Path, rel: str, settings: Typography, data: bytes | None = None,
             translations: NullTranslations | None = None) -> int | None:
    """Rewrite one article (its bytes `data` when already read), printing `PATH:LINE: before ->
    after` per change; the number of changes, or None when the file was left alone (said why)."""
    if data is None:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        print(Diagnostic(rel, 1, M.NOT_FIXED_UTF8()).shown(translations), file=sys.stderr)
        return None
    changes = typography.plan(text, settings)
    if not changes:
        return 0
    result = typography.apply(text, changes)
    problem = _front_matter_problem(text, result, {c.line for c in changes})
    if problem:
        print(Diagnostic(rel, 1, M.NOT_FIXED(problem=problem)).shown(translations), file=sys.stderr)
        return None
    replace_file(path, result.encode("utf-8"))
    shown = typography.shown(changes)
    for change in shown:
        print(f"{rel}:{change.line}: {change.before} -> {change.after}")
    return len(shown)


def _next_key(starts: dict[str, int], line: int) -> float:
    """The line of the key after the one on `line`: a block scalar's lines lie between them."""
    return min((n for n in starts.values() if n > line), default=float("inf"))


def _front_matter_problem(before: str, after: str, lines: set[int]) -> Text | None:
    """Why the rewritten front matter does not read back as it was (but the fixed values), or None."""
    old, new = (split_front_matter(t.lstrip(typography.BOM).replace("\r\n", "\n").replace("\r", "\n"))[0]
                for t in (before, after))
    old_data, old_problem = load_yaml(old or "", first_line=2)
    new_data, new_problem = load_yaml(new or "", first_line=2)
    if old_problem or not isinstance(old_data, dict):
        return None  # the build reports it; the body can still be fixed
    if new_problem or not isinstance(new_data, dict):
        return M.FRONT_MATTER_WOULD_NOT_PARSE()
    starts = getattr(old_data, "lines", {})
    for key in set(old_data) | set(new_data):
        fixed = key in typography.FIELDS and key in starts and any(
            starts[key] <= n < _next_key(starts, starts[key]) for n in lines)  # its line, or its block's
        if not fixed and plain(old_data.get(key)) != plain(new_data.get(key)):
            return M.KEY_WOULD_CHANGE(key=key)
        if fixed and not isinstance(new_data.get(key), str):
            return M.KEY_WOULD_NOT_BE_TEXT(key=key)
    return None




