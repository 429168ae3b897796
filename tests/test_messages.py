"""Errors and warnings in the editor's language (issue 14, point 3): every diagnostic has a message
id, every id a Chinese translation, and a Chinese paper's editors read them in Chinese."""
from __future__ import annotations

import ast
import os
import re
import string
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG, REPO, article, two_editions
from epaper import catalogs, messages
from epaper.errors import Diagnostic, Message, Text, messages_translations
from epaper.serve import Preview

pytest_plugins = ["browser"]

ED = "content/2022/2022-11-04/"
PACKAGE = REPO / "epaper"
ID = re.compile(r"^[EWPNU]\d{3}$")
# Calls that report a diagnostic, and the argument that must be a message id's Text.
REPORTERS = {"error": 2, "warning": 2, "Diagnostic": 2, "TemplateProblem": 2, "SearchProblem": 0,
             "NotRegular": 0, "YamlProblem": 1, "PdfProblem": 0, "UsageError": 0}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def broken_site(make_site: Callable[..., Path], config: str = CONFIG) -> Path:
    """A misspelt section (an error with did-you-mean), a misspelt key (a warning with
    did-you-mean) and a YAML syntax error (the library's own words after a translated lead)."""
    files = two_editions()
    files[ED + "bad-section.md"] = article("栏目写错", section="yaowne")
    files[ED + "bad-key.md"] = article("键写错", tittle="x")
    files[ED + "bad-yaml.md"] = "---\ntitle: 好\npage: [1\n---\n正文\n"
    return make_site(files, config=config)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "epaper", *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO)


# ---------------------------------------------------------------- every diagnostic has an id


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ".venv" not in p.parts)


def test_every_diagnostic_is_reported_with_a_message_id_not_with_text() -> None:
    """No `.error(path, line, "text")`, `Diagnostic(…, f"…")` or `raise TemplateProblem(…, "…")`:
    the message argument is never a string made on the spot (mypy checks it is a Text, and a Text
    is made only by calling a Message of epaper/messages.py)."""
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            index = REPORTERS.get(name)
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            if isinstance(argument, (ast.Constant, ast.JoinedStr, ast.BinOp)) and not (
                    isinstance(argument, ast.Constant) and not isinstance(argument.value, str)):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}(…) given text, not a message id")
    assert not found, "\n".join(found)


def test_messages_are_declared_only_in_the_messages_module_with_unique_well_formed_ids() -> None:
    declared = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Message":
                assert path.name in ("messages.py", "errors.py"), \
                    f"{path.relative_to(REPO)}:{node.lineno}: declare messages in epaper/messages.py"
    for value in vars(messages).values():
        if isinstance(value, Message):
            assert ID.match(value.id), value
            assert declared.setdefault(value.id, value) is value, f"{value.id} is used for two messages"
            assert value.section, f"{value.id} has no docs/errors.md section"


def test_no_name_in_the_messages_module_is_declared_twice() -> None:
    """A second `NAME = Message(…)` silently replaces the first: its id would leave the catalog."""
    tree = ast.parse((PACKAGE / "messages.py").read_text(encoding="utf-8"))
    names = [target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_every_declared_message_is_used() -> None:
    """A message no code reports is a stale id in the catalog and in docs/errors.md."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in _sources() if p.name != "messages.py")
    names = {name for name, value in vars(messages).items() if isinstance(value, Message)}
    aliases = {name for name in names if getattr(messages, name).id in ("P001", "P002")}  # used by errors.py
    unused = sorted(n for n in names - aliases if not re.search(rf"\bM\.{n}\b", code))
    assert not unused, f"declared but never reported: {unused}"


# ---------------------------------------------------------------- every id translated and documented


def test_every_message_id_has_a_chinese_translation_with_the_same_fields() -> None:
    translations = catalogs.load("zh-CN", "messages")
    missing, broken = [], []
    for message in messages.all_messages():
        chinese = translations.pgettext(message.id, message.template)
        if chinese == message.template and message.template not in ("{name}", "PDF"):
            missing.append(message.id)
        elif fields(chinese) != fields(message.template):
            broken.append(f"{message.id}: {fields(chinese)} != {fields(message.template)}")
    assert not missing, f"no Chinese translation (or a stale one, marked fuzzy): {missing}"
    assert not broken, "\n".join(broken)


def test_english_is_the_templates_themselves() -> None:
    translations = messages_translations("en")
    for message in messages.all_messages():
        assert translations.pgettext(message.id, message.template) == message.template


def test_docs_errors_md_lists_every_id_in_both_languages_and_is_up_to_date() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "errors_doc.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    doc = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    translations = catalogs.load("zh-CN", "messages")
    for message in messages.all_messages():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{message.id}` |")), None)
        assert row is not None, f"{message.id} is not in docs/errors.md"
        chinese = translations.pgettext(message.id, message.template).replace("{{", "{").replace("}}", "}")
        assert chinese in row.replace("\\|", "|")


# ---------------------------------------------------------------- how a diagnostic is shown


def test_a_diagnostic_is_shown_as_path_line_message_and_id_in_each_language() -> None:
    warning = Diagnostic("content/a.md", 5, messages.UNKNOWN_KEY(key="tittle", suggestion=messages.SUGGESTION(
        name="title")), warning=True)
    assert warning.shown() == 'content/a.md:5: warning: unknown key "tittle:" is ignored (did you mean "title"?) [W209]'
    assert warning.shown(messages_translations("zh-CN")) == \
        "content/a.md:5: 警告：未知的键“tittle:”，已忽略（是不是“title”？） [W209]"
    assert str(warning) == 'content/a.md:5: warning: unknown key "tittle:" is ignored (did you mean "title"?)'


def test_traditional_chinese_sites_fall_back_to_the_simplified_catalog() -> None:
    text = messages.NO_ARTICLES()
    assert text.render(messages_translations("zh-TW")) == text.render(messages_translations("zh-CN"))
    assert text.render(messages_translations("zh-TW")) != str(text)


def test_a_translation_that_does_not_fit_its_fields_falls_back_to_english(tmp_path: Path) -> None:
    po = tmp_path / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgctxt "E102"\nmsgid "cannot be read: {reason}"\nmsgstr "无法读取：{原因}"\n', encoding="utf-8")
    broken = catalogs.load("zh-CN", "messages", (tmp_path,))
    assert messages.CANNOT_READ(reason="Permission denied").render(broken) == "cannot be read: Permission denied"


def test_a_text_survives_the_build_record_and_the_pdf_check_cache_as_plain_data() -> None:
    text = messages.UNKNOWN_SECTION(slug="x", suggestion=messages.SUGGESTION(name="y"), declared="y")
    assert Text.from_plain(text.plain()) == text
    assert Text.from_plain([list(p) if isinstance(p, tuple) else p for p in text.plain()]) == text  # from JSON


# ---------------------------------------------------------------- the terminal


def test_check_of_a_chinese_site_prints_its_errors_and_warnings_in_chinese(make_site: Callable[..., Path]) -> None:
    site = broken_site(make_site)
    done = cli("check", "--site", str(site))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[:3] == [
        f"{ED}bad-key.md:4: 警告：未知的键“tittle:”，已忽略（是不是“title”？） [W209]",
        f"{ED}bad-section.md:4: 未知的栏目“yaowne”（是不是“yaowen”？）；用到的每个栏目都必须在 config.yaml "
        "中声明（已声明：yaowen, zonghe） [E501]",
        f"{ED}bad-yaml.md:3: YAML 语法错误：while parsing a flow sequence; did not find expected ',' or ']' [E203]",
    ]


def test_messages_en_gives_the_same_diagnostics_in_english(make_site: Callable[..., Path]) -> None:
    site = broken_site(make_site)
    done = cli("check", "--site", str(site), "--messages", "en")
    assert done.returncode == 1
    assert done.stderr.splitlines()[:3] == [
        f'{ED}bad-key.md:4: warning: unknown key "tittle:" is ignored (did you mean "title"?) [W209]',
        f'{ED}bad-section.md:4: unknown section "yaowne" (did you mean "yaowen"?); every section used must be '
        "declared in config.yaml (declared: yaowen, zonghe) [E501]",
        f"{ED}bad-yaml.md:3: YAML syntax error: while parsing a flow sequence; did not find expected ',' or ']' "
        "[E203]",
    ]


def test_an_english_site_gets_english_and_messages_zh_cn_gives_chinese(make_site: Callable[..., Path]) -> None:
    site = broken_site(make_site, config=CONFIG.replace("language: zh-CN", "language: en"))
    english = cli("check", "--site", str(site)).stderr
    assert 'unknown section "yaowne" (did you mean "yaowen"?)' in english and "栏目" not in english
    chinese = cli("check", "--site", str(site), "--messages", "zh-CN").stderr
    assert "未知的栏目“yaowne”（是不是“yaowen”？）" in chinese


def test_a_config_yaml_with_errors_still_chooses_the_language(make_site: Callable[..., Path]) -> None:
    site = make_site(two_editions(), config=CONFIG.replace("Asia/Shanghai", "Mars/Base"))
    done = cli("build", "--site", str(site))
    assert done.returncode == 1
    assert "config.yaml:4: “timezone:”“Mars/Base”不是已知的时区，例如 Asia/Shanghai [E606]" in done.stderr


def test_the_warnings_of_an_up_to_date_build_are_printed_again_in_the_chosen_language(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    files = two_editions()
    files[ED + "bad-key.md"] = article("键写错", tittle="x")
    site = make_site(files)
    out = tmp_path / "out"
    first = cli("build", "--site", str(site), "--out", str(out))
    assert first.returncode == 0 and "警告：未知的键“tittle:”" in first.stderr
    again = cli("build", "--site", str(site), "--out", str(out), "--messages", "en")  # from the build record
    assert "is up to date" in again.stderr
    assert f'{ED}bad-key.md:4: warning: unknown key "tittle:" is ignored (did you mean "title"?) [W209]' \
        in again.stderr


def test_messages_must_be_a_language_tag() -> None:
    done = cli("check", "--messages", "../x")
    assert done.returncode == 2 and "not a language tag" in done.stderr


# ---------------------------------------------------------------- the preview's overlay


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def test_the_preview_reports_in_the_sites_language_and_marks_warnings(make_site: Callable[..., Path]) -> None:
    site = broken_site(make_site)
    lines: list[str] = []
    preview = Preview(site, port=0, log=lines.append, poll=0.05, quiet=0.15)
    try:
        preview.start()
        status = preview.rebuilder.status
        assert not status.ok
        assert any("未知的栏目“yaowne”（是不是“yaowen”？）" in line and line.endswith("[E501]")
                   for line in status.errors)
        assert status.warnings == (f"{ED}bad-key.md:4: 警告：未知的键“tittle:”，已忽略（是不是“title”？） [W209]",)
        assert status.warnings[0] in lines and status.errors[0] in lines  # the terminal too
        assert re.fullmatch(r"\d\d:\d\d:\d\d 首次构建：2 个错误，还没有可提供的成功构建（\d+ 毫秒）", lines[-1])
    finally:
        preview.stop()
    english = Preview(site, port=0, log=lines.append, poll=0.05, quiet=0.15, messages="en")
    try:
        english.start()
        assert english.rebuilder.status.warnings[0].endswith('warning: unknown key "tittle:" is ignored '
                                                             '(did you mean "title"?) [W209]')
    finally:
        english.stop()


def test_in_chromium_the_overlay_of_a_chinese_site_shows_chinese_errors_and_marked_warnings(
        make_site: Callable[..., Path], chromium_page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = chromium_page  # type: ignore[assignment]
    files = two_editions()
    files[ED + "bad-key.md"] = article("键写错", tittle="x")
    site = make_site(files)
    preview = Preview(site, port=0, log=lambda line: None, poll=0.05, quiet=0.15)
    try:
        preview.start()
        page.goto(preview.url)
        expect(page.locator("h1, .masthead").first).to_be_visible()
        path = site / ED / "bad-key.md"
        path.write_text(path.read_text(encoding="utf-8").replace("page: 1", "page: 1\nsection: yaowne"),
                        encoding="utf-8")
        overlay = page.locator("#epaper-error-overlay")
        expect(overlay).to_be_visible(timeout=15000)
        error = overlay.locator("li.error")
        warning = overlay.locator("li.warning")
        expect(error).to_have_count(1)
        expect(error).to_contain_text("未知的栏目“yaowne”（是不是“yaowen”？）")
        expect(error).to_contain_text("[E501]")
        expect(warning).to_have_count(1)
        expect(warning).to_contain_text("警告：未知的键“tittle:”，已忽略（是不是“title”？）")
        expect(overlay.locator("h2")).to_have_text("构建失败")
        colours = warning.evaluate("li => getComputedStyle(li).borderLeftColor"), \
            error.evaluate("li => getComputedStyle(li).borderLeftColor")
        assert colours[0] != colours[1]  # a warning looks unlike an error
        page.screenshot(path=str(os.environ.get("EPAPER_SCREENSHOT") or tmp_path / "overlay-zh.png"))
    finally:
        preview.stop()


def test_fix_says_what_it_did_not_fix_in_the_sites_language(make_site: Callable[..., Path]) -> None:
    files: dict[str, str | bytes] = dict(two_editions())
    files[ED + "gbk.md"] = article("标题", body="他说,好").encode("gb18030")
    site = make_site(files)
    chinese = cli("fix", "--site", str(site)).stderr
    assert f"{ED}gbk.md:1: 未修改：不是 UTF-8 文本 [N903]" in chinese.splitlines()
    english = cli("fix", "--site", str(site), "--messages", "en").stderr
    assert f"{ED}gbk.md:1: not fixed: is not UTF-8 text [N903]" in english.splitlines()


# ---------------------------------------------------------------- usage errors and the commands' reports


def test_a_usage_error_of_a_chinese_site_is_printed_in_chinese_and_in_english_with_messages_en(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site(two_editions())
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    chinese = cli("build", "--site", str(site), "--out", str(a_file))
    assert chinese.returncode == 2
    assert chinese.stderr.splitlines() == [f"epaper: --out {a_file.resolve()} 是文件，不是文件夹 [U114]"]
    english = cli("build", "--site", str(site), "--out", str(a_file), "--messages", "en")
    assert english.returncode == 2
    assert english.stderr.splitlines() == [f"epaper: --out {a_file.resolve()} is a file, not a folder [U114]"]
    missing = cli("new", "article", "--site", str(site), "--edition", "2030-01-01", "--page", "1", "xin")
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "epaper: 没有 2030-01-01 的一期；请先创建：python build.py new edition 2030-01-01 [U110]"]
    missing_en = cli("new", "article", "--site", str(site), "--edition", "2030-01-01", "--page", "1", "xin",
                     "--messages", "en")
    assert missing_en.stderr.splitlines() == [
        "epaper: there is no edition of 2030-01-01; create it first: python build.py new edition 2030-01-01 [U110]"]


def test_a_usage_error_puts_translated_parts_into_its_message(make_site: Callable[..., Path]) -> None:
    site = make_site(two_editions())
    done = cli("new", "article", "--site", str(site), "--edition", "2022-11-04", "--page", "1", "Bad_Slug")
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["epaper: “Bad_Slug”不是有效的 slug：它只能包含小写 ASCII 字母、数字和连字符 [U109]"]


def test_the_builds_summary_line_is_in_the_sites_language(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site(two_editions())
    out = tmp_path / "out"
    first = cli("build", "--site", str(site), "--out", str(out))
    assert first.returncode == 0
    assert re.fullmatch(rf"已构建 \d+ 个页面，输出到 {re.escape(str(out))}：渲染 \d+ 个；文件新增 \d+ 个，更改 0 个，"
                        r"删除 0 个", first.stderr.splitlines()[-1])
    again = cli("build", "--site", str(site), "--out", str(out))
    assert again.stderr.splitlines()[-1] == f"{out} 已是最新"
    english = cli("build", "--site", str(site), "--out", str(tmp_path / "en"), "--messages", "en")
    assert re.fullmatch(rf"built \d+ pages into {re.escape(str(tmp_path / 'en'))}: \d+ rendered; files \d+ added, "
                        r"0 changed, 0 removed", english.stderr.splitlines()[-1])


def test_a_count_shown_in_english_is_singular_for_one_and_chinese_has_one_form() -> None:
    from epaper.errors import count
    assert str(messages.RENDERED(pages=count(1, messages.ONE_PAGE, messages.PAGES))) == "1 page rendered"
    assert str(messages.RENDERED(pages=count(3, messages.ONE_PAGE, messages.PAGES))) == "3 pages rendered"
    zh = messages_translations("zh-CN")
    assert messages.RENDERED(pages=count(1, messages.ONE_PAGE, messages.PAGES)).render(zh) == "渲染了 1 个页面"
    assert messages.FIXED(changes=count(1, messages.ONE_CHANGE, messages.CHANGES), files=1, articles=4).render(zh) \
        == "修正：4 篇文章中的 1 篇，共 1 处修改"


def test_a_machine_failure_is_named_in_the_editors_language(make_site: Callable[..., Path], tmp_path: Path) -> None:
    import errno

    from epaper.output.failure import failure_text
    full = failure_text(OSError(errno.ENOSPC, "No space left on device", "/srv/public"))
    assert full.render(messages_translations("zh-CN")) == \
        "磁盘已满：/srv/public（No space left on device）；请腾出一些空间后重新构建"
    assert str(full) == "the disk is full: /srv/public (No space left on device); free some space and build again"
    site = make_site(two_editions())
    nowhere = tmp_path / "no-such-folder" / "changes.txt"
    done = cli("build", "--site", str(site), "--out", str(tmp_path / "out"), "--changes", str(nowhere))
    assert done.returncode == 74
    assert done.stderr.splitlines()[-1] == f"epaper: 无法读写：{nowhere}（No such file or directory）；请检查该路径"


def test_the_articles_a_correction_might_mean_are_named_in_the_editors_language(make_site) -> None:
    """The candidates of "no such article" read as the rest of the message: 《标题》（第 3 版）, listed with 、."""
    from conftest import CONFIG, EDITION, article
    from epaper.build import Options, build
    from epaper.errors import BuildError

    ed3, ed4 = "content/2022/2022-11-03/", "content/2022/2022-11-04/"
    site = make_site({
        ed3 + "edition.yaml": EDITION.format(date="2022-11-03", number=1),
        ed3 + "youdaizheng.md": article("全区优待证月底发放到位", page=1),
        ed3 + "youdaizheng-er.md": article("全区优待证发放进度", page=1),
        ed4 + "edition.yaml": EDITION.format(date="2022-11-04", number=2),
        ed4 + "gengzheng.md": article("更正启事", page=1, type="correction", corrects="2022-11-03/youdaizhen"),
    }, config=CONFIG)
    with pytest.raises(BuildError) as caught:
        build(Options(site=site, out=site / "public"))
    [problem] = [d for d in caught.value.diagnostics if not d.warning]
    chinese = problem.shown(catalogs.load("zh-CN", "messages"))
    assert "2022-11-03/youdaizheng《全区优待证月底发放到位》（第 1 版）" in chinese, chinese
    assert "（第 1 版）、2022-11-03/" in chinese and "(page" not in chinese, chinese
    assert "2022-11-03/youdaizheng 《全区优待证月底发放到位》 (page 1), 2022-11-03/" in str(problem)
