"""Message catalogs: gettext `.po` files kept in the repository, compiled in memory when loaded.

Both the theme's words (domain "theme", used by `{% trans %}` in layouts) and the diagnostics
an editor reads (domain "messages") come from here, so one mechanism serves every language.
The `.po` sources are read with Babel and compiled to `.mo` bytes on load: no compiled file has
to be committed, installed or kept in step with its source.

Catalogs live in `<folder>/<locale>/LC_MESSAGES/<domain>.po`; a site or theme override passes
its own folder before the theme's, and its translations win message by message.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

PACKAGE_LOCALES = Path(__file__).resolve().parent / "locales"
SOURCE_LANGUAGE = "en"  # msgids are English: an English site needs no catalog to read right


def locale_candidates(language: str) -> list[str]:
    """Catalog folder names to try for a language tag, most specific first:
    zh-TW -> zh_Hant_TW, zh_TW, zh_Hant, zh; zh-CN -> zh_Hans_CN, zh_CN, zh_Hans, zh."""
    tag = language.replace("-", "_")
    names = [tag]
    try:
        parsed = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        parsed = None
    if parsed is not None:
        script = parsed.script
        if script is None and parsed.language == "zh":
            script = "Hant" if parsed.territory in {"TW", "HK", "MO"} else "Hans"
        parts = [parsed.language, script, parsed.territory]
        names += ["_".join(p for p in parts if p),
                  "_".join(p for p in (parsed.language, parsed.territory) if p),
                  "_".join(p for p in (parsed.language, script) if p), parsed.language]
    seen: list[str] = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return seen


def catalog_file(folder: Path, language: str, domain: str) -> Path | None:
    """The first existing `.po` for the language in one folder, or None."""
    for name in locale_candidates(language):
        po = folder / name / "LC_MESSAGES" / f"{domain}.po"
        if po.is_file():
            return po
    return None


PLACEHOLDER = re.compile(r"%\((\w+)\)")


@dataclass(frozen=True)
class Mistake:
    """An entry of a catalog that would break the page it is shown on: `unreadable` (a line
    gettext cannot read: `text` is that line) or `misfit` (a translation that does not format
    with its message's %(names)s: `text` is the msgid, `detail` the formatting error)."""

    line: int
    kind: str
    text: str
    detail: str = ""
    names: tuple[str, ...] = ()


def mistakes(po: Path) -> list[Mistake]:
    """Each entry of a catalog that would break the page it is shown on (a line gettext cannot
    read, a translation with a %(name)s its message lacks or a lone %). For a site's own catalog,
    checked before rendering; the caller words them (the messages live above this module)."""
    try:
        with po.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        return [Mistake(exc.lineno + 1, "unreadable", exc.line.strip())]
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = [str(i) for i in message.id] if isinstance(message.id, (list, tuple)) else [str(message.id)]
        names = {n for i in ids for n in PLACEHOLDER.findall(i)} | ({"num"} if len(ids) > 1 else set())
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for text in (str(s) for s in strings if s):
            try:
                text % {name: "" for name in names}
            except (KeyError, ValueError, TypeError) as exc:
                found.append(Mistake(message.lineno or 1, "misfit", ids[0], f"{type(exc).__name__}: {exc}",
                                     tuple(sorted(names))))
    return found


def compile_po(po: Path, domain: str) -> Translations:
    """Read a `.po` source and compile it in memory; fuzzy entries are left out, as msgfmt does."""
    with po.open("rb") as handle:
        catalog = read_po(handle, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def catalog_files(language: str, domain: str, folders: Sequence[Path] = (PACKAGE_LOCALES,)) -> list[Path]:
    """The `.po` files `load` reads, in the folders' order: what a render cache must hash."""
    return [po for po in (catalog_file(Path(f), language, domain) for f in folders) if po is not None]


def load(language: str, domain: str, folders: Sequence[Path] = (PACKAGE_LOCALES,)) -> NullTranslations:
    """The translations of `domain` for `language`, earlier folders overriding later ones message
    by message. NullTranslations (the English msgids) when no folder has a catalog."""
    found = catalog_files(language, domain, folders)
    if not found:
        return NullTranslations()
    *overrides, base = found
    translations = compile_po(base, domain)
    for po in reversed(overrides):
        override = compile_po(po, domain)
        override.add_fallback(translations)
        translations = override
    return translations
