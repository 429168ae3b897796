"""Extract the theme's messages from its layouts and bring every catalog up to date.

Run it after changing a layout's words, then translate what it marks new (an empty msgstr)
or fuzzy in `epaper/theme/locales/<locale>/LC_MESSAGES/theme.po` and read `git diff`:

    .venv/bin/python scripts/update_catalogs.py            # update every catalog
    .venv/bin/python scripts/update_catalogs.py --init ja  # start a catalog for another language
    .venv/bin/python scripts/update_catalogs.py --check    # exit 1 if a catalog is behind

What is extracted is set in babel.cfg (the layouts, with the Jinja options the Renderer uses,
and epaper/site/i18n.py). The msgids are English: an English site reads them as they are.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
LOCALES = REPO / "epaper" / "theme" / "locales"
DOMAIN = "theme"


def template() -> Catalog:
    """Every message the layouts (and i18n.py) use, with where and the translators' comments."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(domain=DOMAIN, project="epaper", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogs() -> list[Path]:
    return sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def render(catalog: Catalog) -> bytes:
    """The .po text, the same bytes for the same catalog (no dates that change on every run)."""
    catalog.last_translator = catalog.language_team = "epaper contributors"
    catalog.msgid_bugs_address = ""
    catalog.fuzzy = False  # a fuzzy header is a draft to gettext tools: these catalogs are in use
    catalog.header_comment = (f"# The default theme's words in {catalog.locale_identifier or 'this language'}: "
                              "what the layouts print, by English msgid.\n"
                              "# Update with scripts/update_catalogs.py; a site overrides messages in its own\n"
                              "# layouts/locales/<locale>/LC_MESSAGES/theme.po.")
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False, include_lineno=False)
    return buffer.getvalue()


def updated(po: Path, source: Catalog) -> bytes:
    """The catalog at `po` with the template's messages: new ones empty, gone ones dropped."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name, domain=DOMAIN)
    created = catalog.creation_date
    catalog.update(source, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()  # the git history keeps old translations
    catalog.creation_date = catalog.revision_date = created  # no timestamp churn in the diff
    return render(catalog)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def problems(po: Path, source: Catalog) -> list[str]:
    """What a reader of this language would see wrong: a message of the layouts with no
    translation (or a fuzzy one, which gettext ignores), or one that drops or invents a
    %(placeholder)s. Empty when the catalog is complete."""
    with po.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    found = []
    for message in source:
        if not message.id:
            continue
        shown = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        where = f"{po.parent.parent.name}: {shown!r}" + (f" ({message.context})" if message.context else "")
        entry = catalog.get(message.id, context=message.context)
        string = None if entry is None else entry.string
        strings = [str(t or "") for t in string] if isinstance(string, (tuple, list)) else [str(string or "")]
        if entry is None or entry.fuzzy or not all(strings):
            found.append(f"{where} has no translation")
            continue
        wanted = placeholders(shown)
        for text in strings:
            if placeholders(text) - wanted or (len(strings) == 1 and wanted - placeholders(text) - {"num"}):
                found.append(f"{where}: {text!r} has other placeholders than {sorted(wanted)}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", metavar="LOCALE", help="start a catalog for LOCALE (e.g. ja, zh_Hant)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a catalog is behind or incomplete")
    args = parser.parse_args(argv)
    source = template()
    if args.init:
        po = LOCALES / args.init / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            parser.error(f"{po.relative_to(REPO)} exists")
        po.parent.mkdir(parents=True)
        fresh = Catalog(locale=args.init, domain=DOMAIN, project="epaper", charset="utf-8")
        po.write_bytes(render(fresh))
    behind: list[str] = []
    incomplete = False
    for po in catalogs():
        text = updated(po, source)
        if text != po.read_bytes():
            behind.append(po.relative_to(REPO).as_posix())
            if not args.check:
                po.write_bytes(text)
        wrong = problems(po, source)
        for problem in wrong:
            print(f"{po.relative_to(REPO)}: {problem}", file=sys.stderr)
        incomplete = incomplete or bool(wrong)
    if args.check and behind:
        print("behind the layouts: " + ", ".join(behind) + " (run scripts/update_catalogs.py)", file=sys.stderr)
    return 1 if args.check and (behind or incomplete) else 0


if __name__ == "__main__":
    sys.exit(main())
