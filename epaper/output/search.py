"""Search: the articles' pages indexed by Pagefind (from PyPI's `pagefind[extended]`, whose
binary segments Chinese) in shards by period, so that a publish indexes what changed, not
the archive (Pagefind has no incremental mode; one run holds every page it reads).

The shards, like an LSM tree's levels:
- the *fresh* shard, at pagefind/ itself (with Pagefind's scripts): the newest month's
  articles, and every article whose page changed since its period's shard was made;
- a *sealed* shard per closed year (pagefind/shard/2010/), made once and then kept byte for
  byte; a year of more than SHARD_PAGES articles is cut into parts of consecutive months
  (pagefind/shard/2010-01_06/), so that no Pagefind run holds more than about that many pages,
  and so are the closed months of the newest year (pagefind/shard/2011-01_03/: its last part is
  made again as each month closes).
A new edition re-indexes the fresh shard only; an edited old article moves to the fresh
shard and its stale copy in the sealed shard is listed in pagefind/shards.json's `hidden`
(its page id, which carries the shard's name, a hash of the shard's pages and the page's place
in date order: pagefind_order.compact_pages), which the search page drops from the results. A sealed
shard is made again (compacted) when more than COMPACT_AT of its articles are stale, and a year's parts
are folded into one shard when the year closes, if it fits in one. The search page merges the shards with
Pagefind's mergeIndex (one WebAssembly download; each shard adds its small metadata file and
the chunks the query needs) and ranks all results as one list, each word's score put on the
archive's scale with the shards' page counts in shards.json (assets/search-rank.js), and it
requires of every page the query's words that one index of the archive would (Pagefind leaves
out a word its index lacks, so each shard alone would require only the words it has). It searches
the newest shards first (shards.json's `steps`: about FIRST_PAGES pages, then twice as many at
each step while nothing is found) and shows their results while the older shards load; a
reader's first results then cost what those shards send, whatever the archive's size.

What each shard holds is remembered in the build cache (one file per output folder) and
trusted only while every file it names is in the live site with the same hash; otherwise
every shard is made again. Only articles are indexed (their template marks the body with
data-pagefind-body; drafts are not marked), so a shard is fed exactly its articles' pages."""
from __future__ import annotations

import contextlib
import gzip
import json
import marshal
import os
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from epaper import messages as M
from epaper.errors import Text
from epaper.output import beside
from epaper.output.cache import code_fingerprint, digest
from epaper.output.pagefind_order import compact_pages, stabilize

FOLDER = "pagefind/"
SHARDS = FOLDER + "shards.json"  # the sealed shards to merge and the page ids they must hide
SHARD_FOLDER = "shard/"  # under FOLDER
FRESH = ""  # the fresh shard's name
COMPACT_AT = 100  # stale articles (edited or deleted) a sealed shard may carry before it is made again
# The most articles a closed year's shard holds before the year is cut into parts: Pagefind's run
# holds its whole index, about 0.2 MiB an article page (a year of 7,300 articles: 1.6 GiB), so this
# bounds a build's memory for search whatever the paper's size or age (4,000: about 0.85 GiB).
SHARD_PAGES = 4000
FIRST_PAGES = 4000  # pages the search page searches first (the fresh shard, then the newest sealed ones)
STATE_VERSION = 3  # 2: in marshal; 3: a file a shard
# Pagefind's scripts and WebAssembly: only the fresh shard (the primary index) ships them.
_SCRIPTS = (".js", ".css", ".pagefind")


class SearchProblem(Exception):
    """Pagefind could not index the site."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise SearchProblem(M.NO_PAGEFIND()) from None
    return get_executable()


class Article(NamedTuple):
    """One published article's page, as the index sees it (a named tuple: a build makes one for
    each of the archive's 100,000 articles, where a frozen dataclass took 0.1 s to)."""

    path: str  # its output file, 2022-11-04/brief/index.html
    period: str  # its edition's month, 2022-11
    sha: str  # its HTML's hash: a new one means the indexed copy is stale

    @property
    def url(self) -> str:
        """The URL Pagefind gives the page (relative to the site root)."""
        return "/" + self.path.removesuffix("index.html")


@dataclass
class Shard:
    """One Pagefind index as built: the articles it holds and its files in the output."""

    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # url -> (HTML hash, Pagefind page id)
    files: dict[str, str] = field(default_factory=dict)  # output path -> hash
    key: str = ""  # what it was made from (the fresh shard: kept while its articles are the same)


@dataclass
class Plan:
    """What a build does with each shard: make it from these articles, or keep it."""

    make: dict[str, list[Article]]  # shard name -> its articles (FRESH: the fresh shard)
    keep: dict[str, Shard]  # sealed shards kept as they are


def shard_names(counts: Mapping[str, int], newest: str, shard_pages: int = SHARD_PAGES) -> dict[str, str]:
    """Each period's shard, given how many articles each period (month) has: the newest month
    is the fresh shard; a closed year is one shard (`2010`) or, when it has more than
    `shard_pages` articles, parts of consecutive months (`2010-01_06`, `2010-07_12`), each of at
    most `shard_pages` articles unless one month alone has more; the closed months of the newest
    year are parts the same way (`2011-01_04`), the last of them made again as each month closes
    (a run of at most `shard_pages` pages, once a month). Cut greedily from January, so a part,
    once full, keeps its months when later ones come and when the year closes; a part is only cut
    anew when a month of it changes its count, and the plan then moves what no longer fits, like
    any edit."""
    names: dict[str, str] = {}
    years: dict[str, list[str]] = {}
    for period in sorted(counts):
        if period == newest:
            names[period] = FRESH
        else:
            years.setdefault(period[:4], []).append(period)
    for year, months in years.items():
        if year < newest[:4] and sum(counts[m] for m in months) <= shard_pages:
            names.update((m, year) for m in months)
            continue
        parts: list[list[str]] = []
        size = 0
        for month in months:
            if not parts or size + counts[month] > shard_pages:
                parts.append([])
                size = 0
            parts[-1].append(month)
            size += counts[month]
        for part in parts:
            name = f"{part[0]}_{part[-1][5:]}"
            names.update((m, name) for m in part)
    return names


def plan(articles: list[Article], state: Mapping[str, Shard], compact_at: int = COMPACT_AT,
         shard_pages: int = SHARD_PAGES) -> Plan:
    """Which shards to make and which to keep, given the shards built before (`state`)."""
    newest = max(a.period for a in articles)
    counts: dict[str, int] = {}
    for article in articles:
        counts[article.period] = counts.get(article.period, 0) + 1
    names = shard_names(counts, newest, shard_pages)
    groups: dict[str, list[Article]] = {}
    for article in articles:
        groups.setdefault(names[article.period], []).append(article)
    make: dict[str, list[Article]] = {}
    keep: dict[str, Shard] = {}
    fresh = list(groups.pop(FRESH, []))
    for name, members in sorted(groups.items()):
        old = state.get(name)
        if old is None:
            make[name] = members
            continue
        current = {a.url: a.sha for a in members}
        moved = [a for a in members if old.entries.get(a.url, ("", ""))[0] != a.sha]
        stale = [url for url, (sha, _) in old.entries.items() if current.get(url) != sha]
        if len(stale) > compact_at:
            make[name] = members
        else:
            keep[name] = old
            fresh.extend(moved)
    make[FRESH] = sorted(fresh, key=lambda a: a.path)
    return Plan(make, keep)


def members_key(articles: list[Article]) -> str:
    """What a shard is made from: its pages and their hashes, and the Pagefind that indexes them."""
    text = "\n".join(f"{a.path} {a.sha}" for a in sorted(articles, key=lambda a: a.path))
    return digest(f"{_recipe()}\n{text}".encode())


def _recipe() -> str:
    try:
        version = metadata.version("pagefind-bin-extended")
    except metadata.PackageNotFoundError:
        version = "?"
    return f"{code_fingerprint()} pagefind {version}"


def _prefix(name: str) -> str:
    return FOLDER if name == FRESH else f"{FOLDER}{SHARD_FOLDER}{name}/"


# ------------------------------------------------------------------ the state in the build cache

def read_state(path: Path, live: Mapping[str, str] | None) -> dict[str, Shard]:
    """The shards built before, each while the live site still has every file of it. One file a
    shard in the folder `path` names (a sealed shard's is written once, when it is made), each
    judged alone: one missing, damaged or of another version or recipe is made again."""
    folder = _state_folder(path)
    try:
        files = sorted(os.listdir(folder))
    except OSError:
        shards = _read_single(path)  # as builds before STATE_VERSION 3 kept them
    else:
        shards = {}
        recipe = _recipe()
        for file in files:
            if file.endswith(".marshal") and (shard := _read_shard(folder / file, recipe)) is not None:
                shards[shard[0]] = shard[1]
    if live is None:
        return {}
    present = live.items()  # a view: each shard's files checked against it in one step each
    return {name: shard for name, shard in shards.items() if shard.files.items() <= present}


def _read_shard(file: Path, recipe: str) -> tuple[str, Shard] | None:
    try:
        data = marshal.loads(file.read_bytes())
        if data.get("version") != STATE_VERSION or data.get("recipe") != recipe:
            return None
        name, entries, files, key = data["name"], data["entries"], data["files"], data["key"]
        if (_shard_file(name) != file.name or not isinstance(entries, dict) or not isinstance(files, dict)
                or not isinstance(key, str)):
            return None
    except Exception:  # damaged or of another version: made again
        return None
    return name, Shard(entries, files, key)  # marshal's own dicts: no copies of 100,000 entries


def _read_single(path: Path) -> dict[str, Shard]:
    """The shards in one file (STATE_VERSION 2): kept, so that a big archive's sealed shards are
    not all made again after an upgrade; written the new way at the end of that build."""
    try:
        data = marshal.loads(path.read_bytes())
        if data.get("version") != 2 or data.get("recipe") != _recipe():
            return {}
        shards = {name: Shard(entries, files, key) for name, (entries, files, key) in data["shards"].items()}
        if not all(isinstance(s.entries, dict) and isinstance(s.files, dict) for s in shards.values()):
            return {}
    except Exception:  # missing, damaged or of another version: every shard is made again
        return {}
    return shards


def write_state(path: Path, shards: Mapping[str, Shard], made: Collection[str] | None = None) -> None:
    """Each shard in its own file of the folder `path` names, written beside and renamed: the
    shards `made` this build (None: all) and any whose file is not there; the files of shards
    no longer in the index removed. A sealed shard's entries are a year's articles, its file
    written once; the fresh shard's is small: at 100,000 articles writing all of them was
    0.2 s of every build. A killed build leaves some shards' files old, each judged alone by
    the live site's hashes then (read_state)."""
    folder = _state_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {_shard_file(name): name for name in shards}
    recipe = _recipe()
    for file, name in sorted(wanted.items()):
        target = folder / file
        if made is not None and name not in made and target.exists():
            continue
        shard = shards[name]
        data = {"version": STATE_VERSION, "recipe": recipe, "name": name, "key": shard.key,
                "entries": dict(sorted(shard.entries.items())), "files": dict(sorted(shard.files.items()))}
        beside.put(target, marshal.dumps(data))
    for file in os.listdir(folder):
        if file not in wanted:
            with contextlib.suppress(OSError):  # a folder put there: not the state's
                (folder / file).unlink()
    path.unlink(missing_ok=True)  # the one file of STATE_VERSION 2


def _state_folder(path: Path) -> Path:
    return path.with_suffix("")


def _shard_file(name: str) -> str:
    """A shard's file in the state folder: its name (the fresh shard's, empty, as `fresh`)."""
    return f"{name or 'fresh'}.marshal"


# ------------------------------------------------------------------ the build's index

def update_index(articles: list[Article], live: Mapping[str, str] | None, staging: Path, out: Path,
                 state_path: Path, compact_at: int | None = None, shard_pages: int | None = None,
                 meanwhile: Callable[[], object] | None = None) -> Iterator[tuple[str, bytes] | tuple[list[str], None]]:
    """Every file of the new index as (output path, bytes), and the files kept from the live site
    as ([output path, ...], None), a kept shard's at once, in a stable order; remembers the
    shards in `state_path` at the end.
    `staging` holds this build's pages; only the articles of the shards made again are read.
    Every Pagefind run ends before the first file is given: a failing one leaves no half index.
    `meanwhile` is called while the first Pagefind run goes on (the caller's work that needs
    the processor this process would leave idle), not at all when Pagefind need not run."""
    state = read_state(state_path, live)
    todo = plan(articles, state, COMPACT_AT if compact_at is None else compact_at,
                SHARD_PAGES if shard_pages is None else shard_pages)
    shards: dict[str, Shard] = dict(todo.keep)
    old_fresh = state.get(FRESH)
    if old_fresh is not None and old_fresh.key == members_key(todo.make[FRESH]):
        shards[FRESH] = old_fresh  # the same articles as last time: Pagefind need not run
        del todo.make[FRESH]
    kept = sorted(shards)
    with _scratch(out) as tmp:
        bundles: dict[str, Path] = {}
        for n, (name, members) in enumerate(sorted(todo.make.items())):
            bundles[name] = index_pages(staging, tmp / f"{n}", members, meanwhile=meanwhile)
            meanwhile = None
        for name, bundle in bundles.items():
            members = todo.make[name]
            compact_pages(bundle, name)  # short ids, unique across shards: hiding one never hides another
            stabilize(bundle)
            ids = page_ids(bundle)
            shard = Shard({a.url: (a.sha, ids.get(a.url, "")) for a in members}, key=members_key(members))
            for path, data in shard_files(bundle, name):
                shard.files[path] = digest(data)
                yield path, data
            shards[name] = shard
    for name in kept:
        yield sorted(shards[name].files), None  # a sealed shard's thousands of files at once
    yield SHARDS, shards_file(shards, articles)
    write_state(state_path, shards, made=set(bundles))


def shards_file(shards: Mapping[str, Shard], articles: list[Article]) -> bytes:
    """pagefind/shards.json: the sealed shards' folders (relative to pagefind/) for mergeIndex, newest
    first; the page ids of stale copies they still hold, which the search page drops; and each
    shard's number of pages, which the search page needs to rank the shards' results as one
    index would (search-rank.js)."""
    current = {a.url: a.sha for a in articles}
    live_ids: set[str] = set()
    stale_ids: set[str] = set()
    pages: dict[str, int] = {}  # for the archive-wide ranking
    for name in sorted(shards):  # one pass over the archive's entries
        count = 0
        for url, (sha, page_id) in shards[name].entries.items():
            (live_ids if current.get(url) == sha else stale_ids).add(page_id)
            count += page_id != ""
        pages[name] = count
    hidden = stale_ids - live_ids
    sealed = sorted((name for name in shards if name != FRESH), reverse=True)
    data = {"shards": [f"{SHARD_FOLDER}{name}/" for name in sealed], "steps": shard_steps(pages, sealed),
            "hidden": sorted(hidden), "pages": pages}
    return (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8")


def shard_steps(pages: Mapping[str, int], sealed: list[str]) -> list[int]:
    """How many of the sealed shards (newest first) the search page has merged at each step of a
    first search, the last step all of them: the first step until, with the fresh shard, about
    FIRST_PAGES pages, each next one about twice the pages of the one before. The page searches
    a step's shards, and while they find nothing merges the next step's; the first results show
    while the rest of the archive loads, then every shard's, ranked as one list, replace them.
    Each shard costs a reader its metadata and a chunk a word (about 0.1 MB at 4,000 pages:
    BENCHMARKS.md): doubling bounds what a word only older articles have costs before its first
    results to about twice what the shards down to it send, in a few round trips."""
    steps: list[int] = []
    total, bound = pages.get(FRESH, 0), FIRST_PAGES
    for count, name in enumerate(sealed):
        if total >= bound:
            steps.append(count)
            bound = 2 * total
        total += pages.get(name, 0)
    if not steps or steps[-1] != len(sealed):
        steps.append(len(sealed))
    return steps


@contextmanager
def _scratch(out: Path) -> Iterator[Path]:
    """Pagefind's folders: `.public.pagefind/` beside the output, not in /tmp, so that one a
    killed build left behind is found and removed by the next build of that output (which
    holds the output's lock: no other build is using it)."""
    folder = out.parent / f".{out.name}.pagefind"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def index_pages(staging: Path, tmp: Path, members: list[Article],
                meanwhile: Callable[[], object] | None = None) -> Path:
    """Index these articles' pages with Pagefind (linked from `staging` into a scratch folder, so
    that Pagefind reads them and only them); the bundle's folder, byte-stable. `meanwhile`: called
    while Pagefind runs."""
    binary = executable()
    pages, bundle = tmp / "site", tmp / "pagefind"
    for article in members:
        target = pages / article.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(staging / article.path, target)
        except OSError:
            shutil.copyfile(staging / article.path, target)
    _pagefind(binary, pages, bundle, meanwhile)
    shutil.rmtree(pages, ignore_errors=True)
    return bundle


def _pagefind(binary: Path, pages: Path, bundle: Path, meanwhile: Callable[[], object] | None = None) -> None:
    """One Pagefind run over the folder `pages` into `bundle`, made byte-stable; `meanwhile()`
    is called while it runs (Pagefind is stopped if that raises)."""
    try:
        process = subprocess.Popen([str(binary), "--site", str(pages), "--output-path", str(bundle), "--silent"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except (OSError, subprocess.SubprocessError) as exc:  # not runnable
        raise SearchProblem(M.PAGEFIND_CANNOT_RUN(detail=str(exc))) from None
    with process:  # its pipes closed and the process waited for, however this ends
        try:
            if meanwhile is not None:
                meanwhile()
            stdout, stderr = process.communicate(timeout=3600)
        except subprocess.TimeoutExpired as exc:  # over an hour
            raise SearchProblem(M.PAGEFIND_CANNOT_RUN(detail=str(exc))) from None
        finally:
            if process.returncode is None:
                process.kill()
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        raise SearchProblem(M.PAGEFIND_FAILED(detail=detail[-1] if detail else str(process.returncode)))
    stabilize(bundle)  # same pages, same bytes


def make_index(site: Path, out: Path) -> Iterator[tuple[str, bytes]]:
    """One index of every page in the folder `site`, as (output path, bytes): the fresh shard alone
    with a shards.json that merges nothing. For the preview, which indexes its pages in the
    background after each build and keeps no shards between runs."""
    binary = executable()
    with _scratch(out) as tmp:
        bundle = tmp / "pagefind"
        _pagefind(binary, site, bundle)
        compact_pages(bundle, FRESH)
        stabilize(bundle)
        yield from shard_files(bundle, FRESH)
    yield SHARDS, shards_file({}, [])


def shard_files(bundle: Path, name: str) -> Iterator[tuple[str, bytes]]:
    """The files of a shard's bundle as (output path, bytes); the fresh shard also ships Pagefind's
    scripts and WebAssembly, which the merged shards use."""
    prefix = _prefix(name)
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        rel = path.relative_to(bundle).as_posix()
        if name != FRESH and "/" not in rel and rel.endswith(_SCRIPTS):
            continue
        yield prefix + rel, path.read_bytes()


def page_ids(bundle: Path) -> dict[str, str]:
    """Each indexed URL's Pagefind page id (its fragment's name: what a search result's `id` is)."""
    ids: dict[str, str] = {}
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        body = data[data.index(b"{"):]
        ids[json.loads(body)["url"]] = path.name.removesuffix(".pf_fragment")
    return ids
