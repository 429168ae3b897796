"""Chinese typography: check warns at PATH:LINE, fix rewrites only the text, byte for byte elsewhere."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFIG, EDITION, REPO, build_ok, check_errors, examples, run_cli
from epaper.build import Options, check
from epaper.content.typography import apply, correct, plan
from epaper.model import Typography

ED = "content/2022/2022-11-04/"
FIELD_CJK = re.compile(r"[\u3400-\u9fff][,:;][\u3400-\u9fff]")

# A file with everything fix must leave alone: comments, quoting, keys, code, URLs, link targets, HTML.
TRICKY = (
    "---\n"
    "# 注释,不改\n"
    'title: "我区融资担保,助小支农" # 标题,注释\n'
    "kicker: '引题:测试'\n"
    "subtitle: 副题;说明\n"
    "byline: 记者,不查\n"
    "slug: tricky\n"
    "page: 1\n"
    "---\n"
    "正文,中文`代码,不改`测试[链接,文字](https://x.example/a,b \"标题,不改\")，结尾。\n"
    "\n"
    "网址 https://x.example/路径 不改,这里改。他说\"你好\"。共有 100 人。\n"
    "\n"
    "```\n"
    "代码块,不改\n"
    "```\n"
    "\n"
    "<div>HTML,不改</div>\n"
    "\n"
    "![图片,说明](photo.jpg)\n"
    "\n"
    "注释[^1]在此,完。\n"
    "\n"
    "[^1]: 注释,说明。\n"
)
FIXED = (
    "---\n"
    "# 注释,不改\n"
    'title: "我区融资担保，助小支农" # 标题,注释\n'
    "kicker: '引题：测试'\n"
    "subtitle: 副题；说明\n"
    "byline: 记者,不查\n"
    "slug: tricky\n"
    "page: 1\n"
    "---\n"
    "正文，中文`代码,不改`测试[链接，文字](https://x.example/a,b \"标题,不改\")，结尾。\n"
    "\n"
    "网址https://x.example/路径 不改，这里改。他说“你好”。共有100人。\n"
    "\n"
    "```\n"
    "代码块,不改\n"
    "```\n"
    "\n"
    "<div>HTML,不改</div>\n"
    "\n"
    "![图片，说明](photo.jpg)\n"
    "\n"
    "注释[^1]在此，完。\n"
    "\n"
    "[^1]: 注释，说明。\n"
)


def jpeg() -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "gray").save(buffer, "JPEG")
    return buffer.getvalue()


def site_with(make_site, text: str | bytes, config: str = CONFIG, name: str = "site") -> Path:
    return make_site({ED + "edition.yaml": EDITION.format(date="2022-11-04", number=1),
                      ED + "tricky.md": text, ED + "photo.jpg": jpeg()}, config=config, name=name)


def test_the_rules_read_as_a_chinese_paper_prints() -> None:
    rules = Typography()
    assert correct("发放到位,他说:好的;是吗?(测试)结束", rules) == "发放到位，他说：好的；是吗？（测试）结束"
    assert correct("“两湖”,为 2%,累计 7月至10月", rules) == "“两湖”，为2%，累计7月至10月"
    assert correct("他说\"你好\"，ＡＢＣ１２３", rules) == "他说“你好”，ABC123"
    assert correct("上午11:30开会, Hello, world.", rules) == "上午11:30开会，Hello, world."
    spaced = Typography(space_between_cjk_and_latin=True)
    assert correct("使用Python3开发", spaced) == "使用 Python3 开发"
    assert correct("使用 Python3 开发", rules) == "使用Python3开发"


def test_fix_changes_only_the_text_and_a_second_fix_nothing(make_site, capsys) -> None:
    site = site_with(make_site, TRICKY)
    assert run_cli("fix", "--site", str(site)) == 0
    assert (site / ED / "tricky.md").read_text(encoding="utf-8") == FIXED
    out = capsys.readouterr().out
    assert f"{ED}tricky.md:3: 我区融资担保,助小支农 -> 我区融资担保，助小支农" in out
    assert all(re.match(rf"{ED}tricky.md:\d+: .+ -> .+", line) for line in out.splitlines())
    assert run_cli("fix", "--site", str(site)) == 0
    assert capsys.readouterr().out == ""
    assert (site / ED / "tricky.md").read_text(encoding="utf-8") == FIXED


def test_fix_keeps_crlf_and_a_bom(make_site) -> None:
    data = b"\xef\xbb\xbf" + TRICKY.replace("\n", "\r\n").encode()
    site = site_with(make_site, data)
    assert run_cli("fix", "--site", str(site), str(site / ED / "tricky.md")) == 0
    assert (site / ED / "tricky.md").read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()


def test_plan_and_apply_round_trip_every_line_end() -> None:
    for end in ("\n", "\r\n", "\r"):
        text = TRICKY.replace("\n", end)
        fixed = apply(text, plan(text, Typography()))
        assert fixed == FIXED.replace("\n", end)
        assert plan(fixed, Typography()) == []


def test_check_warns_at_the_line_of_the_text_and_strict_fails(make_site) -> None:
    site = site_with(make_site, TRICKY)
    warnings = [str(d) for d in check(Options(site=site)).diagnostics.warnings]
    lines = sorted({int(w.split(":")[1]) for w in warnings if "typography:" in w})
    assert lines == [3, 4, 5, 10, 12, 20, 22, 24], warnings
    assert f'{ED}tricky.md:5: warning: typography: "副题;说明" should be "副题；说明" ' \
        "(half-width punctuation in Chinese text); epaper fix rewrites it" in warnings
    assert any("typography:" in e for e in check_errors(site, strict=True))


def test_typography_block_turns_rules_off_and_misspelt_rules_are_errors(make_site) -> None:
    quiet = site_with(make_site, TRICKY, CONFIG + "typography: {check: false}\n", name="quiet")
    assert not [d for d in check(Options(site=quiet)).diagnostics.warnings if "typography" in d.message]
    spaced = site_with(make_site, "---\ntitle: 使用Python开发\npage: 1\n---\n正文。\n",
                       CONFIG + "typography:\n  space_between_cjk_and_latin: true\n", name="spaced")
    warnings = [str(d) for d in check(Options(site=spaced)).diagnostics.warnings]
    assert any('"使用Python开发" should be "使用 Python 开发"' in w for w in warnings), warnings
    bad = site_with(make_site, TRICKY, CONFIG + "typography:\n  fullwidht: false\n", name="bad")
    assert check_errors(bad) == ['config.yaml:12: unknown key "fullwidht:" in "typography:" (did you mean '
                                 '"fullwidth"?); the rules are check, space_between_cjk_and_latin, fullwidth, '
                                 "quotes, no_space_fullwidth, halfwidth_word, halfwidth_punctuation"]


def test_sample_passes_strict_check_and_its_pages_have_no_half_width_marks_between_chinese(tmp_path) -> None:
    result = check(Options(site=REPO, strict=True))
    assert not result.diagnostics.warnings
    _, out = build_ok(REPO, out=tmp_path / "public")
    from bs4 import BeautifulSoup
    pages = list(out.glob("2022-*/*/index.html"))
    assert len(pages) > 8
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for part in soup.select("article, main h1, .article-body"):
            found = FIELD_CJK.search(part.get_text())
            assert not found, (page, found.group(0))


def test_markdown_syntax_is_kept_and_only_its_text_fixed() -> None:
    body = (
        "## 小标题,一\n"
        "> 引文,二\n"
        "- 列表,三 **重点**,四 <span title=\"属性,不改\">标签,五</span>\n"
        "1. 编号,六 &amp; 实体\n"
        "\n"
        "    缩进代码,不改\n"
        "\n"
        "<!--\n"
        "注释,不改\n"
        "-->\n"
        "[参考]: https://x.example/a,b \"标题,不改\"\n"
        "行尾两空格,七  \n"
        "邮箱 a,b@x.example 与 \\, 转义\n"
    )
    text = "---\ntitle: 标题\npage: 1\n---\n" + body
    fixed = apply(text, plan(text, Typography()))
    assert fixed.split("---\n", 2)[2] == (
        "## 小标题，一\n"
        "> 引文，二\n"
        "- 列表，三 **重点**，四 <span title=\"属性,不改\">标签，五</span>\n"
        "1. 编号，六 &amp; 实体\n"
        "\n"
        "    缩进代码,不改\n"
        "\n"
        "<!--\n"
        "注释,不改\n"
        "-->\n"
        "[参考]: https://x.example/a,b \"标题,不改\"\n"
        "行尾两空格，七  \n"
        "邮箱a,b@x.example与 \\, 转义\n"  # an address reads as a Latin word: no space by the site's rule
    )
    assert plan(fixed, Typography()) == []


def test_fix_takes_paths_of_the_site_and_refuses_others(make_site, tmp_path, capsys) -> None:
    site = site_with(make_site, TRICKY)
    assert run_cli("fix", "--site", str(site), str(site / "content/2022")) == 0
    assert (site / ED / "tricky.md").read_text(encoding="utf-8") == FIXED
    assert run_cli("fix", "--site", str(site), "--messages", "en", str(tmp_path / "nowhere.md")) == 2
    assert run_cli("fix", "--site", str(site), "--messages", "en", str(site / "config.yaml")) == 2
    err = capsys.readouterr().err
    assert "nowhere.md: no such file or folder" in err and "config.yaml: holds no article of the site" in err


PIECES = st.sampled_from([*"中文字，。：,.:;!?()\"' aB1２Ｃ`*[]_<>|#-", "](u)", "http://x.y/", "\u3000"])


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.lists(PIECES, max_size=20).map("".join), max_size=4), st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_a_second_fix_changes_nothing_whatever_the_text(lines, space, end) -> None:
    rules = Typography(space_between_cjk_and_latin=space)
    text = end.join(["---", "title: 标题", "page: 1", "---", *lines]) + end
    once = apply(text, plan(text, rules))
    assert once.count(end) == text.count(end)
    assert plan(once, rules) == []


def test_warnings_come_from_the_cache_for_an_unchanged_file_and_follow_the_settings(make_site, monkeypatch) -> None:
    site = site_with(make_site, TRICKY)
    time.sleep(0.2)  # not "racily" new (changed within the clock's tick): the cache may trust the files
    first = [str(d) for d in check(Options(site=site)).diagnostics.warnings]
    assert any("typography:" in w for w in first)
    with monkeypatch.context() as patched:  # an unchanged file is not read again: its warnings are cached
        patched.setattr("epaper.content.article.check_typography", lambda *a: pytest.fail("checked again"))
        assert [str(d) for d in check(Options(site=site)).diagnostics.warnings] == first
    config = site / "config.yaml"
    config.write_text(CONFIG + "typography: {check: false}\n", encoding="utf-8")
    assert not [d for d in check(Options(site=site)).diagnostics.warnings if "typography:" in d.message]
    config.write_text(CONFIG, encoding="utf-8")
    assert [str(d) for d in check(Options(site=site)).diagnostics.warnings] == first


BLOCK = (
    "---\n"
    "title: >-\n"
    "  我区融资担保,助小支农\n"
    "  #2号文件,照办\n"
    "\n"
    "subtitle: |\n"
    "    副题;说明\n"
    "byline: 记者,不查\n"
    "slug: block\n"
    "page: 1\n"
    "---\n"
    "正文。\n"
)


def test_titles_written_as_block_scalars_are_checked_and_fixed_a_line_at_a_time() -> None:
    """An editor's long title folded over lines (title: >-) is text readers read like any other:
    each of its lines is checked and fixed in place; keys after the block are not its text."""
    changes = plan(BLOCK, Typography())
    assert sorted({c.line for c in changes}) == [3, 4, 7]
    fixed = apply(BLOCK, changes)
    assert fixed == BLOCK.replace("担保,助", "担保，助").replace("文件,照", "文件，照").replace("副题;说", "副题；说")
    assert plan(fixed, Typography()) == []


def test_fix_rewrites_a_block_scalar_title_and_keeps_its_form(make_site, capsys) -> None:
    site = site_with(make_site, BLOCK)
    path = site / ED / "tricky.md"
    assert run_cli("fix", "--site", str(site), "--messages", "en") == 0
    assert path.read_text(encoding="utf-8").startswith("---\ntitle: >-\n  我区融资担保，助小支农\n  #2号文件，照办\n")
    assert f"{ED}tricky.md:3: 我区融资担保,助小支农 -> 我区融资担保，助小支农" in capsys.readouterr().out


_SYNTAX = st.lists(st.one_of(st.sampled_from([  # pieces of inline Markdown and of text, in any order
    "`code`", "``", "`", "<a>", "</b>", "<br/>", "<!-- 注 -->", "<https://x.cn>", "<", ">", "[^1]", "[链接](http://x.cn)",
    "![图](a.png)", "[x][y]", "[", "]", "(", ")", "!", "http://例子.cn/a", "https://x.cn/a?b=1", "ftp://f.cn",
    "www.example.com", "a.b@c.cn", "@", "\\*", "\\", "&amp;", "&#12;", "&#x4e2d;", "&", ";", "*", "__", "~~",
    "|", "\u3000", "中文", "，", "“", "”", "abc", " ", "1.5", "-", "+", ".", "x"]),
    st.text(alphabet="ah中 .,@:/", max_size=3)), max_size=25).map("".join)


@given(_SYNTAX)
@settings(max_examples=400, deadline=None)
def test_the_inline_scanners_shortcut_skips_only_places_where_no_markdown_syntax_starts(line: str) -> None:
    """The check's inline scanner first tests one character class; with or without that test it
    finds the same syntax (an alternative added with a new first character must join the class)."""
    from epaper.content import typography
    pattern = typography._INLINE.pattern
    shortcut = pattern[:pattern.index("(?:")]
    assert shortcut.startswith("(?=[")
    full = re.compile(pattern[len(shortcut):])
    assert [(m.span(), m.lastgroup) for m in typography._INLINE.finditer(line)] == \
        [(m.span(), m.lastgroup) for m in full.finditer(line)]
