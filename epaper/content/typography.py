"""Chinese copy-editing of an article's text: what `check` warns about and `fix` rewrites.

AutoCorrect (autocorrect-py) does the copy-editing; a few rules it lacks in 2.14 are added
here, each small: a half-width ; or a : , ! ? that its patterns miss (after a closing quote,
before a digit), half-width parentheses and straight quotes in Chinese text, and the print
style of no space between Chinese and Latin letters or digits (AutoCorrect only adds spaces).

Only what readers read is touched: the title, kicker, subtitle and caption values in the front
matter and the Markdown body's text. Keys, code, URLs, link targets, HTML and Markdown syntax
are masked before the rules run, and each change the rules make is mapped back to the bytes
it came from, so every other byte of the file stays as it was (comments, quoting, CRLF, BOM).
Check and fix share this one computation: what check reports is exactly what fix changes."""
from __future__ import annotations

import difflib
import functools
import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import autocorrect_py

from epaper import messages as M
from epaper.content.yamlutil import load_yaml
from epaper.errors import Diagnostic
from epaper.errors import Text as MessageText
from epaper.model import Typography

FIELDS = ("title", "kicker", "subtitle", "caption")  # front matter values readers read as text
BOM = "\ufeff"

_LETTER = ("\u2e80-\u2fdf\u3005\u3007\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
           "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")  # Han, kana, hangul: no punctuation
_OPEN = "“‘《「『（【〈〔"
_CLOSE = "”’》」』）】〉〕。，、；：！？"
_CJK = re.compile(f"[{_LETTER}]")
_FULL = MappingProxyType({",": "，", ";": "；", ":": "：", "!": "！", "?": "？"})
_ASCII_PUNCT = ",;:!?."
BREAK = "\n"  # stands for what separates text (a table cell's |, a full-width space): never changed
CODE = "x"  # stands for code and URLs in the text the rules see: a word, never changed


@dataclass(frozen=True)
class Change:
    """One rewrite in one line of the file: the line's characters [start, end) become `new`."""

    line: int  # 1-based, as the build counts lines
    start: int
    end: int
    new: str
    before: str  # the changed stretch with a little context, as printed
    after: str
    reason: MessageText


# ------------------------------------------------------------------ the rules

def _configure(settings: Typography) -> None:
    """AutoCorrect keeps one configuration per process: named before each use, every rule each
    time, and loaded only when it differs from the one loaded last (a load takes 0.3 ms: 3 s of
    CPU in a cold build of 10,000 articles, when every article asked for the same rules)."""
    space = int(settings.space_between_cjk_and_latin)
    rules = {
        "space-word": space, "space-punctuation": space, "space-bracket": space, "space-backticks": space,
        "space-dash": 0, "space-dollar": 0, "fullwidth": int(settings.fullwidth),
        "no-space-fullwidth": int(settings.no_space_fullwidth),
        "no-space-fullwidth-quote": int(settings.no_space_fullwidth),
        "halfwidth-word": int(settings.halfwidth_word),
        "halfwidth-punctuation": int(settings.halfwidth_punctuation), "spellcheck": 0,
    }
    _load_config(json.dumps({"rules": rules}))


@functools.lru_cache(maxsize=1)  # the configuration AutoCorrect holds: each _configure goes through here
def _load_config(config: str) -> None:
    autocorrect_py.load_config(config)  # type: ignore[attr-defined]  # not in its stubs


def correct(text: str, settings: Typography) -> str:
    """The text as the rules would have it (BREAK and CODE characters are left where they are)."""
    _configure(settings)
    return _correct(text, settings)


def _correct(text: str, settings: Typography) -> str:
    """correct() once AutoCorrect is configured."""
    for _ in range(4):  # AutoCorrect and the added rules each see the other's result
        before = text
        text = "\n".join(autocorrect_py.format(part) if part.strip() else part for part in text.split("\n"))
        if settings.fullwidth:
            text = _parentheses(_punctuation(text))
        if settings.quotes:
            text = _quotes(text)
        if not settings.space_between_cjk_and_latin and " " in text:  # its lookbehinds scan every character
            text = _NO_SPACE.sub("", text)
        if text == before:
            break
    return text


def _is(char: str, kind: str) -> bool:
    return bool(char) and (bool(_CJK.match(char)) or char in kind)


def _punctuation(text: str) -> str:
    """A half-width , ; : ! ? beside Chinese text becomes full-width, with the spaces around it gone."""
    if not _HALF.search(text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char not in ",;:!?":
            out.append(char)
            i += 1
            continue
        left_adjacent = text[i - 1] if i else ""
        j = i + 1
        while j < len(text) and text[j] == " ":
            j += 1
        right = text[j] if j < len(text) else ""
        right_adjacent = text[i + 1] if i + 1 < len(text) else ""
        k = len(out)
        while k and out[k - 1] == " ":
            k -= 1
        left = out[k - 1] if k else ""
        repeated = left_adjacent in _ASCII_PUNCT and left_adjacent or right_adjacent in _ASCII_PUNCT and right_adjacent
        after_chinese = _is(left, _CLOSE)
        before_chinese = _is(right, _OPEN) and left_adjacent not in (" ", "") and left_adjacent not in _ASCII_PUNCT
        if repeated or not (after_chinese or before_chinese):
            out.append(char)
            i += 1
            continue
        del out[k:]
        out.append(_FULL[char])
        i = j
    return "".join(out)


_HALF = re.compile("[,;:!?]")
_PAIR = re.compile(r"\(([^()\n]*)\)")


def _parentheses(text: str) -> str:
    """(…) in Chinese text (Chinese inside, or right before or after it) becomes （…）."""
    if "(" not in text:  # most lines: no pair to look for (a regex scan of the line saved)
        return text

    def one(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if _CJK.search(m.group(1)) or _is(before, _CLOSE) or _is(after, _OPEN):
            return f"（{m.group(1)}）"
        return m.group(0)
    return _PAIR.sub(one, text)


_DOUBLE = re.compile(r'"([^"\n]*)"')
_SINGLE = re.compile(r"(?<![A-Za-z0-9])'([^'\n]*)'(?![A-Za-z0-9])")


def _quotes(text: str) -> str:
    """Straight quotes around Chinese text become “…” (and ‘…’)."""
    if '"' in text:  # the regexes' scans only where their quote is
        text = _DOUBLE.sub(lambda m: f"“{m.group(1)}”" if _CJK.search(m.group(1)) else m.group(0), text)
    if "'" in text:
        text = _SINGLE.sub(lambda m: f"‘{m.group(1)}’" if _CJK.search(m.group(1)) else m.group(0), text)
    return text


_NO_SPACE = re.compile(rf"(?<=[{_LETTER}]) +(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%]) +(?=[{_LETTER}])")


# ------------------------------------------------------------------ masking


class Text:
    """What the rules see of a stretch of a line, and where each character comes from.

    Kept as pieces (a run of the line's own characters, or one character standing for some
    syntax); the per-character lists are made only when a rule changes something, which most
    lines never do (making them for every line was half of the check's time)."""

    __slots__ = ("_pieces", "_spans", "_fixed")

    def __init__(self) -> None:
        self._pieces: list[tuple[str, int, int, bool]] = []  # (text, start, end, fixed)
        self._spans: list[tuple[int, int]] | None = None
        self._fixed: list[bool] | None = None

    def add(self, char: str, start: int, end: int, fixed: bool = False) -> None:
        """One character standing for line[start:end]."""
        self._pieces.append((char, start, end, fixed))
        self._spans = self._fixed = None

    def run(self, line: str, start: int, end: int) -> None:
        """line[start:end] as plain text, each character where it is."""
        if end > start:
            self._pieces.append((line[start:end], start, -1, False))  # end -1: a run
            self._spans = self._fixed = None

    def __bool__(self) -> bool:
        return bool(self._pieces)

    @property
    def string(self) -> str:
        """The characters the rules read, as one string."""
        return "".join(piece[0] for piece in self._pieces)

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Each character's [start, end) in the line."""
        if self._spans is None:
            spans: list[tuple[int, int]] = []
            for text, start, end, _ in self._pieces:
                if end == -1:
                    spans.extend(zip(range(start, start + len(text)), range(start + 1, start + len(text) + 1),
                                     strict=True))
                else:
                    spans.append((start, end))
            self._spans = spans
        return self._spans

    @property
    def fixed(self) -> list[bool]:
        """Characters no rule may change (code, URLs, escapes)."""
        if self._fixed is None:
            fixed: list[bool] = []
            for text, _, end, is_fixed in self._pieces:
                if end == -1:
                    fixed.extend([False] * len(text))
                else:
                    fixed.append(is_fixed)
            self._fixed = fixed
        return self._fixed


def _new_text() -> Text:
    return Text()


# A bare URL ends where Chinese text or punctuation starts (full-width letters and digits stay in it,
# so that fixing what follows a URL never makes the URL longer).
_NOT_URL = f"\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uffef“”‘’{_LETTER}"
_INLINE = re.compile(
    # Where no alternative can start (most of a Chinese line), one character class says so: the
    # alternatives themselves were tried at every character, a third of the check's time.
    r"(?=[`<\[!\\&*_~|\u3000A-Za-z0-9.+-])(?:"
    r"(?P<code>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<autolink><(?:https?|ftp|mailto):[^>\s]*>)"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<footnote>\[\^[^\]\s]+\])"
    r"|(?P<link>!?\[(?P<label>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\](?P<target>\([^()\s]*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
    r"|\[[^\]\n]*\]))"
    rf"|(?P<url>(?:https?|ftp)://[^\s<>{_NOT_URL}]+|www\.[A-Za-z0-9-]+\.[^\s<>{_NOT_URL}]+)"
    # an address starts where its characters start: tried inside a long word, it would be quadratic
    r"|(?P<email>(?<![A-Za-z0-9._+-])[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?P<escape>\\[!-/:-@\[-`{-~])"
    r"|(?P<entity>&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)"
    r"|(?P<mark>[*_~]+)"
    r"|(?P<pipe>\|)"
    r"|(?P<wide>\u3000+))"
)


def _inline(line: str, start: int, end: int, out: Text) -> None:
    """Markdown inline text of line[start:end] into `out`: syntax masked, text kept."""
    pos = start
    for m in _INLINE.finditer(line, start, end):
        out.run(line, pos, m.start())
        pos = m.end()
        kind = m.lastgroup
        if kind == "link" or (kind is None and m.group("link")):
            label_start = m.start("label")
            _inline(line, label_start, m.end("label"), out)  # the text (an image's: its caption) is read
        elif m.group("code") or m.group("autolink") or m.group("url") or m.group("email"):
            out.add(CODE, m.start(), m.end(), fixed=True)
        elif m.group("escape"):
            out.add(m.group("escape")[1], m.start(), m.end(), fixed=True)
        elif m.group("entity"):
            out.add(html.unescape(m.group("entity"))[:1] or CODE, m.start(), m.end(), fixed=True)
        elif m.group("pipe") or m.group("wide"):
            out.add(BREAK, m.start(), m.end(), fixed=True)
        # comment, tag, footnote reference, emphasis marks: not text, nothing added
    out.run(line, pos, end)


_PREFIX = re.compile(r"[ \t]{0,3}(?:#{1,6}(?=[ \t]|$)|>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])|\[\^[^\]\s]+\]:)[ \t]*")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_REFERENCE = re.compile(r"[ \t]{0,3}\[[^\]^][^\]]*\]:")
_HTML_BLOCK = re.compile(r"[ \t]{0,3}</?[A-Za-z]")


def _body_texts(lines: list[str], first: int) -> Iterator[tuple[int, Text]]:
    """(index in `lines`, its text) for each body line from `first` that holds Markdown text."""
    fence = ""
    in_html = in_comment = False
    previous_blank = True
    for index in range(first, len(lines)):
        line = lines[index]
        blank = not line.strip()
        if fence:
            if line.lstrip(" \t").startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if in_html:
            in_html = not blank
            previous_blank = blank
            continue
        fenced = _FENCE.match(line)
        if fenced:
            fence = fenced.group(1)
            continue
        if blank:
            previous_blank = True
            continue
        indented = line.startswith(("    ", "\t"))
        if (indented and previous_blank) or _REFERENCE.match(line):
            continue  # an indented code block; a link reference definition
        if line.lstrip().startswith("<!--") and "-->" not in line:
            in_comment = True
            continue
        if _HTML_BLOCK.match(line):
            in_html = True
            previous_blank = False
            continue
        previous_blank = False
        pos = 0
        while True:  # > - 1. ## and footnote labels, nested
            m = _PREFIX.match(line, pos)
            if not m or m.end() == pos:
                break
            pos = m.end()
        end = len(line.rstrip())
        while pos < end and line[pos] in " \t":
            pos += 1
        if pos >= end:
            continue
        text = _new_text()
        _inline(line, pos, end, text)
        yield index, text


_SCALAR = re.compile(r"(?P<key>[A-Za-z_]+)[ \t]*:[ \t]+")


def _value_text(line: str, start: int) -> Text | None:
    """A one-line YAML scalar from `start` (plain, '…' or "…") as text, or None for any other form."""
    text = _new_text()
    first = line[start:start + 1]
    if first == '"':
        i = start + 1
        while i < len(line):
            char = line[i]
            if char == '"':
                return text if not line[i + 1:].strip() or line[i + 1:].lstrip().startswith("#") else None
            if char == "\\":
                escape = re.match(r'\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)', line[i:])
                if not escape:
                    return None
                value, _ = load_yaml(f'"{escape.group(0)}"')
                if not isinstance(value, str) or len(value) != 1:
                    return None
                text.add(value, i, i + len(escape.group(0)), fixed=True)
                i += len(escape.group(0))
                continue
            text.add(BREAK if char == "\u3000" else char, i, i + 1, fixed=char == "\u3000")
            i += 1
        return None  # the quote is not closed on this line
    if first == "'":
        i = start + 1
        while i < len(line):
            if line[i] == "'":
                if line[i + 1:i + 2] == "'":
                    text.add("'", i, i + 2, fixed=True)
                    i += 2
                    continue
                return text if not line[i + 1:].strip() or line[i + 1:].lstrip().startswith("#") else None
            text.add(BREAK if line[i] == "\u3000" else line[i], i, i + 1, fixed=line[i] == "\u3000")
            i += 1
        return None
    if not first or first in "|>[{&*!%@`#":  # block scalars, flow collections, anchors, tags
        return None
    comment = re.search(r"[ \t]#", line[start:])
    end = start + comment.start() if comment else len(line)
    end = start + len(line[start:end].rstrip())
    for i in range(start, end):
        text.add(BREAK if line[i] == "\u3000" else line[i], i, i + 1, fixed=line[i] == "\u3000")
    return text


_BLOCK = re.compile(r"[|>][-+1-9]{0,2}[ \t]*(?:#.*)?$")  # a block scalar's header: | or >, its indicators


def _front_texts(lines: list[str], close: int) -> Iterator[tuple[int, Text]]:
    """The readers' text of the front matter: each one-line value of FIELDS, and each line of one
    written as a block scalar (title: >- and the lines under it), a line at a time."""
    index = 1
    while index < close:
        m = _SCALAR.match(lines[index])
        index += 1
        if not m or m.group("key") not in FIELDS:
            continue
        line = lines[index - 1]
        if not _BLOCK.match(line[m.end():]):
            text = _value_text(line, m.end())
            if text is not None and text:
                yield index - 1, text
            continue
        while index < close and (not lines[index].strip() or lines[index][:1] in " \t"):
            yield from _block_line(index, lines[index])
            index += 1


def _block_line(index: int, line: str) -> Iterator[tuple[int, Text]]:
    """One line of a block scalar, from its indentation to its end: in a block, # is text."""
    start, end = len(line) - len(line.lstrip(" \t")), len(line.rstrip())
    if start >= end:
        return
    text = _new_text()
    for i in range(start, end):
        text.add(BREAK if line[i] == "\u3000" else line[i], i, i + 1, fixed=line[i] == "\u3000")
    yield index, text


# ------------------------------------------------------------------ changes


def _edits(text: Text, settings: Typography) -> list[tuple[int, int, str]]:
    """(start, end, new) in the line for what the rules change in `text`."""
    old = text.string
    new = _correct(old, settings)
    if new == old:
        return []
    edits: list[tuple[int, int, str]] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal" or any(text.fixed[i1:i2]):
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:  # one character for one: each where it is
            pieces = [(i, i + 1, new[j1 + i - i1]) for i in range(i1, i2) if old[i] != new[j1 + i - i1]]
        elif tag == "delete" or tag == "replace" and j1 == j2:
            pieces = [(i, i + 1, "") for i in range(i1, i2)]
        else:
            pieces = [(i1, i2, new[j1:j2])]
        for a, b, replacement in pieces:
            if a == b:  # an insertion: after the character before (or before the first)
                at = text.spans[a - 1][1] if a else text.spans[0][0]
                edits.append((at, at, replacement))
                continue
            spans = text.spans[a:b]
            if any(spans[k][1] != spans[k + 1][0] for k in range(len(spans) - 1)):
                continue  # Markdown syntax inside what would be replaced: left alone
            edits.append((spans[0][0], spans[-1][1], replacement))
    return edits


def _opcodes(old: str, new: str) -> Sequence[tuple[str, int, int, int, int]]:
    """difflib's opcodes from `old` to `new`. Most corrections swap one character for another
    (`,` for `，`): the same length, compared a character at a time, needs no SequenceMatcher,
    which was most of a build's time on an archive full of half-width commas."""
    if len(old) != len(new):
        return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    codes: list[tuple[str, int, int, int, int]] = []
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        tag = "equal" if a == b else "replace"
        if codes and codes[-1][0] == tag:
            codes[-1] = (tag, codes[-1][1], i + 1, codes[-1][3], i + 1)
        else:
            codes.append((tag, i, i + 1, i, i + 1))
    return codes


_WIDE_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _reason(old: str, new: str, settings: Typography) -> MessageText:
    """Which rule a change follows, in words."""
    reasons = []
    if any(c in old for c in ",;:!?().") and any(c in new for c in "，；：！？（）。"):
        reasons.append(M.REASON_FULLWIDTH())
    if any(c in old for c in "\"'") and any(c in new for c in "“”‘’"):
        reasons.append(M.REASON_QUOTES())
    if _WIDE_ALNUM.search(old):
        reasons.append(M.REASON_HALFWIDTH_WORD())
    if any(c in old for c in "，；：！？（）。") and any(c in new for c in ",;:!?()."):
        reasons.append(M.REASON_HALFWIDTH_PUNCTUATION())
    if old.count(" ") > new.count(" ") and not reasons:
        if _NO_SPACE.search(old) and not settings.space_between_cjk_and_latin:
            reasons.append(M.REASON_EXTRA_SPACE())
        else:
            reasons.append(M.REASON_SPACE_FULLWIDTH())
    if old.count(" ") < new.count(" ") and not reasons:
        reasons.append(M.REASON_MISSING_SPACE())
    if not reasons:
        return M.REASON_OTHER()
    joined = reasons[-1]
    for reason in reversed(reasons[:-1]):
        joined = M.REASONS(first=reason, rest=joined)
    return joined


CONTEXT = 6  # characters shown either side of a change


def _changes(index: int, line: str, text: Text, edits: list[tuple[int, int, str]],
             settings: Typography) -> list[Change]:
    """The edits of one line, those close together shown as one change (with context from the text)."""
    first, last = text.spans[0][0], text.spans[-1][1]
    groups: list[list[tuple[int, int, str]]] = []
    for edit in sorted(edits):
        if groups and edit[0] - groups[-1][-1][1] <= CONTEXT:
            groups[-1].append(edit)
        else:
            groups.append([edit])
    changes = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        left, right = max(first, start - CONTEXT), min(last, end + CONTEXT)
        before = line[left:right]
        after = line[left:start]
        pos = start
        for a, b, new in group:
            after += line[pos:a] + new
            pos = b
        after += line[pos:right]
        mark_left = "…" if left > first else ""
        mark_right = "…" if right < last else ""
        for a, b, new in group:
            changes.append(Change(index + 1, a, b, new, mark_left + before + mark_right,
                                  mark_left + after + mark_right, _reason(before, after, settings)))
    return changes


def _split(text: str) -> tuple[list[str], list[str]]:
    """Lines without their ends, and the ends (\\n, \\r\\n, \\r or '' for the last)."""
    parts = re.findall(r"([^\r\n]*)(\r\n|\n|\r|$)", text)
    if parts and parts[-1] == ("", ""):
        parts.pop()
    return [p[0] for p in parts], [p[1] for p in parts]


def plan(text: str, settings: Typography) -> list[Change]:
    """Every change the rules make to an article's text (BOM taken off; any line ends)."""
    lines, _ = _split(text[1:] if text.startswith(BOM) else text)
    if not lines or lines[0].rstrip() != "---":
        return []
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return []
    changes: list[Change] = []
    _configure(settings)
    for index, found in [*_front_texts(lines, close), *_body_texts(lines, close + 1)]:
        edits = _edits(found, settings)
        if edits:
            changes.extend(_changes(index, lines[index], found, edits, settings))
    return changes


def apply(text: str, changes: list[Change]) -> str:
    """The text with the changes made; every other character as it was."""
    bom = BOM if text.startswith(BOM) else ""
    lines, ends = _split(text[len(bom):])
    for change in sorted(changes, key=lambda c: (c.line, c.start, c.end), reverse=True):
        line = lines[change.line - 1]
        lines[change.line - 1] = line[:change.start] + change.new + line[change.end:]
    return bom + "".join(line + end for line, end in zip(lines, ends, strict=True))


def shown(changes: list[Change]) -> list[Change]:
    """One change per group as printed (the edits of a group share their before and after)."""
    seen: set[tuple[int, str]] = set()
    result = []
    for change in sorted(changes, key=lambda c: (c.line, c.start)):
        key = (change.line, change.before)
        if key not in seen:
            seen.add(key)
            result.append(change)
    return result


def check(rel: str, text: str, settings: Typography) -> list[Diagnostic]:
    """A warning for each change `fix` would make, at its line."""
    if not settings.check:
        return []
    return [Diagnostic(rel, change.line, M.TYPOGRAPHY_CHANGE(before=change.before, after=change.after,
                                                             reason=change.reason), warning=True)
            for change in shown(plan(text, settings))]
