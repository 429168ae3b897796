"""Keep the diagnostics' catalog and docs/errors.md in step with epaper/messages.py.

    .venv/bin/python scripts/errors_doc.py          # rewrite both
    .venv/bin/python scripts/errors_doc.py --check  # exit 1 when either is out of date (a test runs this)

The catalog (epaper/locales/zh_Hans/LC_MESSAGES/messages.po) gets an entry per message id
(msgctxt = the id, msgid = the English template): new ids come in untranslated, removed ids go,
and an entry whose English changed keeps its old translation marked fuzzy, which the loader
leaves out until a translator checks it. docs/errors.md gets, at its end, the table of every id
in English and Chinese, made from the same two sources.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.pofile import escape, read_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from epaper.errors import Message  # noqa: E402
from epaper.messages import all_messages  # noqa: E402

CATALOG = ROOT / "epaper" / "locales" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
DOC = ROOT / "docs" / "errors.md"
BEGIN = "<!-- Every message by id: written by scripts/errors_doc.py from epaper/messages.py and the catalog. -->"
END = "<!-- End of the messages written by scripts/errors_doc.py. -->"
HEADER = '''# Chinese (simplified) diagnostics of epaper: msgctxt is the message id (docs/errors.md).
# Zh-TW and other traditional-script sites use this catalog too until a zh_Hant one exists.
msgid ""
msgstr ""
"Project-Id-Version: epaper\\n"
"Language: zh_Hans\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
'''


def translations(text: str) -> dict[str, tuple[str, str, bool]]:
    """id -> (the English it translates, the translation, fuzzy) as a catalog's text has them."""
    catalog = read_po(io.BytesIO(text.encode("utf-8")))
    return {str(e.context): (str(e.id), str(e.string or ""), bool(e.fuzzy)) for e in catalog if e.id and e.context}


def catalog_text(messages: list[Message], known: dict[str, tuple[str, str, bool]]) -> str:
    entries = [HEADER]
    for message in messages:
        english, chinese, fuzzy = known.get(message.id, (message.template, "", False))
        fuzzy = fuzzy or (english != message.template and bool(chinese))
        flags = "#, fuzzy, python-brace-format\n" if fuzzy else "#, python-brace-format\n"
        entries.append(f"\n#. {message.section}\n{flags}msgctxt {escape(message.id)}\n"
                       f"msgid {escape(message.template)}\nmsgstr {escape(chinese)}\n")
    return "".join(entries)


def _cell(text: str) -> str:
    """A template as the editor reads it: literal braces single ({{date: …}} is {date: …})."""
    text = text.replace("{{", "{").replace("}}", "}").replace("|", "\\|")
    return f"`{text}`" if text else "(not translated)"


def doc_text(current: str, messages: list[Message], known: dict[str, tuple[str, str, bool]]) -> str:
    """docs/errors.md with its generated part (at the end) made again."""
    lines = [BEGIN, "", "## Every message by id", "",
             "Each message has an id, printed at the end of its line: `PATH:LINE: message [E203]`, "
             "`PATH:LINE: warning: message [W209]` (E: an error, W: a warning). The messages are "
             "printed in the language of the site's `language:` (zh-* in Chinese, anything else in "
             "English); `--messages en` or `--messages zh-CN` on `build`, `check`, `serve`, `fix` and "
             "`areas` chooses. A traditional-script site (zh-TW) gets the simplified Chinese messages "
             "until a zh_Hant catalog exists. `{name}` stands for what the message fills in; P-ids are "
             "parts that other messages put in their `{fields}`, N-ids lines of a command's report.", ""]
    section = None
    for message in messages:
        if message.section != section:
            section = message.section
            lines += ["", f"### {section}", "", "| Id | English | 中文 |", "|---|---|---|"]
        chinese = known.get(message.id, ("", "", False))
        shown = chinese[1] if chinese[0] == message.template and not chinese[2] else ""
        lines.append(f"| `{message.id}` | {_cell(message.template)} | {_cell(shown)} |")
    lines += ["", END, ""]
    head = current.split(BEGIN)[0].rstrip("\n")
    return head + "\n\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether the files are up to date")
    args = parser.parse_args(argv)
    messages = all_messages()
    known = translations(CATALOG.read_text(encoding="utf-8")) if CATALOG.exists() else {}
    catalog = catalog_text(messages, known)
    doc = doc_text(DOC.read_text(encoding="utf-8"), messages, translations(catalog))  # as it will be written
    stale = [path for path, text in ((CATALOG, catalog), (DOC, doc))
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run python scripts/errors_doc.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in ((CATALOG, catalog), (DOC, doc)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0



if __name__ == "__main__":
    sys.exit(main())
