"""Fingerprinted static assets: CSS and JavaScript under assets/ get a content hash in
their file name (assets/epaper.css -> assets/epaper.3f2a9c1e.css), so a CDN and the
readers' browsers may keep them forever; templates name them through `asset()`.

Other static files (favicon.svg, images, fonts) keep their names."""
from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path

FINGERPRINTED = (".css", ".js")
FOLDER = "assets/"


def fingerprinted(rel: str, content: bytes) -> str:
    """The output name of a static file: hashed for CSS and JS under assets/, else unchanged."""
    stem, ext = posixpath.splitext(rel)
    if not rel.startswith(FOLDER) or ext not in FINGERPRINTED:
        return rel
    return f"{stem}.{hashlib.blake2b(content, digest_size=4).hexdigest()}{ext}"


def output_names(static_files: dict[str, Path]) -> dict[str, tuple[str, bytes]]:
    """Static file path -> (output path, bytes), in a stable order."""
    found = {}
    for rel, source in sorted(static_files.items()):
        content = source.read_bytes()
        found[rel] = (fingerprinted(rel, content), content)
    return found


def immutable(names: dict[str, tuple[str, bytes]]) -> list[str]:
    """The output paths whose names change whenever their bytes do."""
    return sorted(out for rel, (out, _) in names.items() if out != rel)
