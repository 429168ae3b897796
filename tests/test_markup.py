"""The Markdown step's shortcut: texts no inline pattern can match are passed over, and the
HTML is the same as Python-Markdown's own inline step gives, whatever the text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from epaper.content import markup
from epaper.content.markup import MarkdownRenderer

_PIECES = ["本报讯", "记者", "中文段落没有任何标记。", "Latin words", " ", "  \n", "\n", "\n\n", "**粗体**", "*强调*",
           "_下划线_", "__x__", " * ", "`代码`", "``", "\\*", "\\", "[链接](http://a.cn)", "[^1]", "[^1]: 注释内容",
           "![图](a.png)", "[x][y]", "[y]: http://y.cn", "<http://a.cn>", "<a@b.cn>", "<b>粗</b>", "<", "&amp;", "&",
           "> ", "- ", "1. ", "    缩进代码", "```\n代码块\n```", "| a | b |\n|---|---|\n| 1 | 2 |", "#", "## 标题",
           "\u3000", "……", "——", "“引号”",
           # what the block shortcut looks for: a line a block processor takes, or not quite
           "===", "---", "***", "___", "- - -", "+ 项", "12. ", "12.", "2022年", "[ref]: http://r.cn", "[ref]",
           "[^a]: 脚注", " 缩进一格", "   三格", "\t", "|", "a|b", ">", "=", "#标题", "\n\n1. 一\n2. 二", "* 项\n"]


def _both(text: str, unsafe_html: bool) -> tuple[str, str]:
    fast = MarkdownRenderer(unsafe_html).convert(text, dateline="本报讯")
    needs, blocks = markup._PATTERN_NEEDS, markup._BLOCKS_BEFORE_PARAGRAPH
    try:
        markup._PATTERN_NEEDS = {}  # type: ignore[assignment]  # an unknown pattern: the shortcut is off
        markup._BLOCKS_BEFORE_PARAGRAPH = ()  # and the block shortcut
        slow = MarkdownRenderer(unsafe_html).convert(text, dateline="本报讯")
    finally:
        markup._PATTERN_NEEDS, markup._BLOCKS_BEFORE_PARAGRAPH = needs, blocks
    return fast, slow


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), st.booleans())
@settings(max_examples=300, deadline=None)
def test_texts_without_markdown_syntax_are_passed_over_and_the_html_is_the_same(text: str, unsafe_html: bool) -> None:
    fast, slow = _both(text, unsafe_html)
    assert fast == slow


def test_the_sample_papers_articles_convert_the_same_with_the_shortcut() -> None:
    articles = sorted((REPO / "content").rglob("*.md"))
    assert len(articles) >= 5
    for path in articles:
        body = path.read_text(encoding="utf-8").split("\n---", 1)[-1]
        for unsafe_html in (False, True):
            fast, slow = _both(body, unsafe_html)
            assert fast == slow, path


def test_the_block_shortcut_takes_plain_paragraphs_and_knows_every_block_processor() -> None:
    """Most blocks of an article go straight to the paragraph; a processor added to the renderer
    (an extension) must be named in _BLOCKS_BEFORE_PARAGRAPH, or the shortcut turns itself off."""
    for unsafe_html in (False, True):
        renderer = MarkdownRenderer(unsafe_html)
        assert renderer._md is not None
        shortcut = renderer._md.parser.blockprocessors["plain_paragraph"]
        assert shortcut.test(None, "中文段落，没有标记。\n第二行2022年。")  # type: ignore[arg-type]
        assert shortcut.known
        for block in ("# 标题", "正文\n===", "> 引文", "- 项", "1. 项", "    代码", "[a]: http://a.cn", "a | b"):
            assert not shortcut.test(None, block), block  # type: ignore[arg-type]


def test_the_shortcut_knows_every_inline_pattern_the_renderer_has() -> None:
    """A pattern added to the renderer (an extension) must be named in _PATTERN_NEEDS, or the
    shortcut quietly turns itself off."""
    for unsafe_html in (False, True):
        md = MarkdownRenderer(unsafe_html)._md
        assert md is not None
        known = [name for name in markup._PATTERN_NEEDS if name in md.inlinePatterns]
        assert len(known) == len(md.inlinePatterns)
