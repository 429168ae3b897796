"""_headers: the caching rules that Netlify and Cloudflare Pages (and hosts copying their
convention) read from the output folder.

Fingerprinted assets and Pagefind's content-named files may be cached forever; HTML,
feeds, sitemaps and Pagefind's entry files must be revalidated. The rules never overlap
for Cache-Control (Cloudflare Pages joins the values of every matching rule), so the
dated edition folders, which no short list of patterns can name, keep the hosts' own
default for them, which is to revalidate (max-age=0, must-revalidate)."""
from __future__ import annotations

import bisect

from epaper.output.search import FOLDER as SEARCH

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
SEARCH_HASHED = ("fragment/", "index/", "filter/")


def headers_file(paths: list[str], fingerprinted: list[str]) -> bytes:
    """The _headers file for a site whose output files are `paths`. Most rules are about the
    search index's files (100,000 of the 250,000 at 100,000 articles): they are taken from the
    sorted paths as one run and each one's folder is looked at once (0.26 s -> 0.1 s a build)."""
    ordered = sorted(paths)  # once, for every rule below (and the bisecting)
    search = ordered[bisect.bisect_left(ordered, SEARCH):bisect.bisect_left(ordered, _after(SEARCH))]
    folder_of = [path[: path.rfind("/") + 1] for path in search]
    forever = sorted(f"/{p}" for p in fingerprinted)
    indexes = _index_folders(folder_of)
    entry_folders = set(indexes)
    forever += [f"/{index}{folder}*" for index in indexes for folder in SEARCH_HASHED
                if _has_prefix(search, index + folder)]
    forever += [f"/{p}" for p in search if p.endswith(".pf_meta")]
    if _has_prefix(ordered, "media/"):
        forever.append("/media/*")  # image renditions, named by their source's hash and width
    short = ["/", "/index.html", "/404.html"]
    short += [f"/{p}" for p in ordered if "/" not in p and p.endswith((".xml", ".txt", ".json"))]
    short += [f"/{p}" for p, folder in zip(search, folder_of, strict=True)
              if folder in entry_folders and not p.endswith(".pf_meta")]
    short += [f"/{folder}/*" for folder in ("archive", "corrections", "sections", "series", "search", "sitemaps")
              if _has_prefix(ordered, folder + "/")]
    lines = ["# Written by epaper: caching for Netlify and Cloudflare Pages (paths from the output folder's root).",
             "/*", "  X-Content-Type-Options: nosniff", "  Referrer-Policy: strict-origin-when-cross-origin", ""]
    for rule in forever:
        lines += [rule, f"  Cache-Control: {IMMUTABLE}", ""]
    for rule in short:
        lines += [rule, f"  Cache-Control: {REVALIDATE}", ""]
    return "\n".join(lines).encode("utf-8")


def _after(prefix: str) -> str:
    """The first string after every string starting with `prefix` (`pagefind/` -> `pagefind0`)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _has_prefix(ordered: list[str], prefix: str) -> bool:
    """Whether a path of the sorted list starts with `prefix`: a search, not a scan (at 100,000
    articles with search, 250,000 paths scanned once for each of 87 shard folders took 1.6 s)."""
    at = bisect.bisect_left(ordered, prefix)
    return at < len(ordered) and ordered[at].startswith(prefix)


def _index_folders(folders: list[str]) -> list[str]:
    """The folders of the search index's shards (pagefind/, pagefind/shard/2010/), given the
    folder of each of its files: each has its entry files (revalidated: a shard compacted keeps
    its folder) and content-named subfolders."""
    found = set()
    for folder in set(folders):
        parent, _, name = folder[:-1].rpartition("/")
        found.add(parent + "/" if name + "/" in SEARCH_HASHED else folder)
    return sorted(found)
