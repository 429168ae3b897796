"""Every content mistake an editor can make gives `PATH:LINE: message`, all at once."""
from __future__ import annotations

import pytest

from conftest import (
    CONFIG,
    EDITION,
    article,
    build_errors,
    build_ok,
    check_errors,
    run_cli,
    two_editions,
)

ED = "content/2022/2022-11-04/"


def errors_for(make_site, extra: dict[str, str | bytes], **options) -> list[str]:
    files = two_editions()
    files.update(extra)
    return build_errors(make_site(files), **options)


def test_malformed_front_matter_is_reported_at_the_parsers_line(make_site) -> None:
    lines = errors_for(make_site, {ED + "bad.md": "---\ntitle: 好\npage: [1\n---\n正文\n"})
    assert len(lines) == 1 and lines[0].startswith(ED + "bad.md:3: YAML syntax error")


def test_malformed_edition_yaml_is_reported_at_its_line(make_site) -> None:
    lines = errors_for(make_site, {ED + "edition.yaml": "date: 2022-11-04\npages:\n  - {number: 1\n  - x\n"})
    assert len(lines) == 1 and lines[0].startswith(ED + "edition.yaml:3: YAML syntax error"), lines


def test_file_without_front_matter(make_site) -> None:
    assert errors_for(make_site, {ED + "plain.md": "只是正文\n"}) == [
        ED + "plain.md:1: has no front matter: an article starts with a line '---', then its keys "
        "(title:, page: …), then another '---'"]


def test_unclosed_front_matter(make_site) -> None:
    assert errors_for(make_site, {ED + "open.md": "---\ntitle: 好\npage: 1\n\n正文\n"}) == [
        ED + "open.md:1: front matter is not closed: add a line '---' after its last key"]


def test_missing_required_keys_are_reported_at_line_one(make_site) -> None:
    lines = errors_for(make_site, {
        ED + "untitled.md": "---\npage: 1\n---\n正文\n",
        ED + "nowhere.md": "---\ntitle: 无版\n---\n正文\n",
        "content/x/edition.yaml": "number: 3\n",
        "content/x/a.md": article("甲"),
    })
    assert lines == [
        ED + 'nowhere.md:1: an article needs "page:"',
        ED + 'untitled.md:1: an article needs "title:"',
        'content/x/edition.yaml:1: an edition needs "date:"',
        'content/x/edition.yaml:1: an edition needs "pages:"',
    ]


def test_wrong_types_are_reported_at_the_keys_line(make_site) -> None:
    lines = errors_for(make_site, {
        ED + "types.md": "---\ntitle: [一, 二]\npage: 第一版\norder: 1\ndraft: maybe\n---\n",
    })
    assert lines == [
        ED + 'types.md:2: "title:" must be text, not a list',
        ED + 'types.md:3: "page:" must be a whole number, not "第一版"',
        ED + 'types.md:5: "draft:" must be true or false, not "maybe"',
    ]


def test_page_the_edition_does_not_have(make_site) -> None:
    lines = errors_for(make_site, {ED + "p9.md": article("九版", page=9)})
    assert lines == [ED + "p9.md:3: page 9 is not a page of the edition 2022-11-04 "
                     f"(its pages: 1, 2; see {ED}edition.yaml)"]


def test_two_editions_with_one_date(make_site) -> None:
    lines = errors_for(make_site, {
        "content/copy/edition.yaml": EDITION.format(date="2022-11-04", number=9),
        "content/copy/a.md": article("副本"),
    })
    assert lines == [f"content/copy/edition.yaml:1: two editions have the date 2022-11-04: this one and {ED}edition.yaml"] \
        or lines == [f"{ED}edition.yaml:1: two editions have the date 2022-11-04: this one and content/copy/edition.yaml"]


def test_edition_without_articles(make_site) -> None:
    lines = errors_for(make_site, {"content/empty/edition.yaml": EDITION.format(date="2022-11-05", number=3)})
    assert lines == ["content/empty/edition.yaml:1: this edition has no articles: add a .md file beside edition.yaml"]


def test_unknown_section_and_series_suggest_the_declared_ones(make_site) -> None:
    lines = errors_for(make_site, {
        ED + "sec.md": article("错栏目", section="yaowne", series="bitna"),
        "content/y/edition.yaml": "date: 2022-11-06\npages:\n  - {number: 1, section: zonghee}\n",
        "content/y/a.md": article("甲"),
    })
    assert lines == [
        f'{ED}sec.md:4: unknown section "yaowne" (did you mean "yaowen"?); every section used must be declared '
        "in config.yaml (declared: yaowen, zonghe)",
        f'{ED}sec.md:5: unknown series "bitna" (did you mean "bitan"?); every series used must be declared '
        "in config.yaml (declared: bitan)",
        'content/y/edition.yaml:3: unknown section "zonghee" (did you mean "zonghe"?); every section used '
        "must be declared in config.yaml (declared: yaowen, zonghe)",
    ]


def test_correction_without_original_names_the_closest_articles(make_site) -> None:
    lines = errors_for(make_site, {ED + "gengzheng.md": article(
        "更正启事", page=2, type="correction", corrects="2022-11-03/youdaizhen")})
    assert len(lines) == 1
    assert lines[0].startswith(f"{ED}gengzheng.md:5: corrects 2022-11-03/youdaizhen: no such article; the closest are: "
                               "2022-11-03/youdaizheng 《全区优待证月底发放到位》")


def test_correction_by_title_not_found_names_the_closest(make_site) -> None:
    lines = errors_for(make_site, {ED + "gengzheng.md": article(
        "更正启事", page=2, type="correction", corrects="{date: 2022-11-03, title: 全区优待证发放}")})
    assert len(lines) == 1 and "no such article; the closest are: 2022-11-03/youdaizheng" in lines[0]
    assert lines[0].startswith(f"{ED}gengzheng.md:5: corrects 2022-11-03 《全区优待证发放》")


def test_correction_of_itself_or_of_a_later_edition(make_site) -> None:
    lines = errors_for(make_site, {
        ED + "gengzheng.md": article("更正启事", page=2, type="correction", corrects="2022-11-04/gengzheng"),
        "content/2022/2022-11-03/early.md": article("先更正", page=2, type="correction",
                                                    corrects="2022-11-04/brief"),
    })
    assert lines == [
        "content/2022/2022-11-03/early.md:5: corrects 2022-11-04/brief: that article is in a later edition "
        "(2022-11-04); a correction follows the article it corrects",
        f"{ED}gengzheng.md:5: corrects 2022-11-04/gengzheng: a correction cannot correct itself",
    ]


def test_corrects_only_with_type_correction_and_required_there(make_site) -> None:
    lines = errors_for(make_site, {
        ED + "a.md": article("甲", corrects="2022-11-03/youdaizheng"),
        ED + "b.md": article("乙", type="correction"),
    })
    assert lines == [
        f'{ED}a.md:4: "corrects:" is only for "type: correction"',
        f'{ED}b.md:4: "type: correction" needs "corrects:" naming the article it corrects '
        "(DATE/SLUG, or {date: …, page: …, title: …})",
    ]


def test_correction_of_a_draft_fails_unless_drafts_are_built(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-03/youdaizheng.md"] = article("全区优待证月底发放到位", draft="true")
    lines = build_errors(make_site(files))
    assert lines == [f"{ED}gengzheng.md:5: corrects 2022-11-03/youdaizheng: content/2022/2022-11-03/youdaizheng.md "
                     "is a draft, left out of the build; publish it or build with --drafts"]


def test_duplicate_slug_in_an_edition(make_site) -> None:
    lines = errors_for(make_site, {ED + "copy.md": article("重复", slug="brief")})
    assert lines == [f'{ED}copy.md:4: the slug "brief" is already used by {ED}brief.md in this edition; '
                     "both would be written to one URL"]


@pytest.mark.parametrize("slug", ["../x", "a/b", "two words", "Upper", "2022", "'a\\\\b'"])
def test_unsafe_slugs_are_refused(make_site, slug: str) -> None:
    lines = errors_for(make_site, {ED + "s.md": article("坏", slug=slug)})
    assert len(lines) == 1 and lines[0].startswith(f"{ED}s.md:4: \"slug: ") and "is not a valid slug" in lines[0]


def test_chinese_file_name_without_slug_asks_for_one(make_site) -> None:
    lines = errors_for(make_site, {ED + "新闻.md": article("新闻")})
    assert lines == [f'{ED}新闻.md:1: the file name "新闻.md" is not a valid slug: it may hold only lower-case ASCII '
                     'letters, digits and hyphens; add "slug:" to the front matter (for example slug: youdaizheng)']


def test_static_file_that_would_overwrite_a_page(make_site) -> None:
    files = {**two_editions(), "static/2022-11-04/index.html": "<p>x</p>"}
    assert check_errors(make_site(files, name="checked")) == [
        f"static/2022-11-04/index.html:1: would overwrite the page /2022-11-04/index.html made from {ED}edition.yaml"]
    lines = errors_for(make_site, {"static/2022-11-04/index.html": "<p>x</p>"})
    assert lines == [f"static/2022-11-04/index.html:1: would overwrite the page /2022-11-04/index.html made from "
                     f"{ED}edition.yaml"]


def test_gbk_file_is_named_as_gbk_at_the_line_of_the_first_bad_byte(make_site) -> None:
    text = article("好", body="第一行\n第二行").encode("gbk")
    lines = errors_for(make_site, {ED + "gbk.md": text})
    assert lines == [f"{ED}gbk.md:2: is not UTF-8 text (it looks like GBK (GB18030), the usual Chinese Windows "
                     "encoding: save it as UTF-8)"]


def test_bom_and_crlf_are_accepted_silently(make_site) -> None:
    files = two_editions()
    files[ED + "win.md"] = b"\xef\xbb\xbf" + article("视窗", body="经济\n发展").replace("\n", "\r\n").encode()
    result, out = build_ok(make_site(files))
    assert result.diagnostics.items == []
    assert "经济发展" in (out / "2022-11-04/win/index.html").read_text(encoding="utf-8")


def test_unknown_key_is_a_warning_with_did_you_mean_and_strict_makes_it_fatal(make_site) -> None:
    files = two_editions()
    files[ED + "typo.md"] = "---\ntittle: 好\ntitle: 好\npage: 1\n---\n"
    site = make_site(files)
    result, _ = build_ok(site)
    assert [str(w) for w in result.diagnostics.warnings] == [
        f'{ED}typo.md:2: warning: unknown key "tittle:" is ignored (did you mean "title"?)']
    assert build_errors(site, strict=True) == [
        f'{ED}typo.md:2: warning: unknown key "tittle:" is ignored (did you mean "title"?)']


def test_all_errors_of_a_run_are_reported_together(make_site) -> None:
    lines = errors_for(make_site, {
        ED + "a.md": "no front matter",
        "content/2022/2022-11-03/b.md": article("乙", page=7),
        ED + "c.md": article("丙", section="nope"),
    })
    assert [line.split(":")[0] for line in lines] == [
        "content/2022/2022-11-03/b.md", ED + "a.md", ED + "c.md"]


def test_errors_exit_1_and_print_path_line(make_site, capsys) -> None:
    site = make_site({**two_editions(), ED + "bad.md": "---\ntitle: [\n---\n"})
    assert run_cli("build", "--site", str(site), "--messages", "en") == 1
    err = capsys.readouterr().err
    assert f"{ED}bad.md:2: YAML syntax error" in err and "Traceback" not in err
    assert not (site / "public").exists()
    assert run_cli("check", "--site", str(site)) == 1


def test_wrong_command_line_exits_2(make_site) -> None:
    site = make_site(two_editions())
    assert run_cli("frobnicate") == 2
    assert run_cli("build", "--site", str(site), "--no-such-flag") == 2


def test_check_writes_nothing_and_catches_future_editions(make_site) -> None:
    files = two_editions()
    files["content/2099/edition.yaml"] = EDITION.format(date="2099-01-01", number=1)
    files["content/2099/a.md"] = article("未来", page=5)
    site = make_site(files)
    assert check_errors(site) == ["content/2099/a.md:3: page 5 is not a page of the edition 2099-01-01 "
                                  "(its pages: 1, 2; see content/2099/edition.yaml)"]
    assert not (site / "public").exists()


def test_config_errors_are_reported_with_the_content_errors_they_cause(make_site, capsys) -> None:
    config = "title: 报\nbase_url: epaper.example.com\ntimezone: Mars/Base\npaginate: 0\nsections: {a: b}\ntitel: x\n"
    site = make_site(two_editions(), config=config)
    lines = build_errors(site)
    assert lines[:4] == [
        'config.yaml:2: "base_url:" must be an absolute http(s) URL such as https://epaper.example.com/, '
        'not "epaper.example.com"',
        'config.yaml:3: "timezone:" "Mars/Base" is not a known time zone such as Asia/Shanghai',
        'config.yaml:4: "paginate:" must be a positive whole number, not 0',
        'config.yaml:5: "sections:" must be a list of {slug: …, name: …}',
    ]
    assert f'{ED}edition.yaml:4: unknown section "yaowen"; every section used must be declared in config.yaml ' \
        "(declared: none)" in lines
    assert run_cli("check", "--site", str(site), "--messages", "en") == 1
    assert 'config.yaml:6: warning: unknown key "titel:" is ignored (did you mean "title"?)' in capsys.readouterr().err


def test_missing_config_or_content(make_site) -> None:
    site = make_site({}, config=None)
    assert build_errors(site) == ["config.yaml:1: not found: a site is a folder with config.yaml and content/"]
    site = make_site({}, name="nocontent")
    assert build_errors(site) == ["content:1: not found: a site keeps its editions in content/"]


def test_yaml_is_loaded_safely_python_tags_are_refused(make_site, tmp_path) -> None:
    marker = tmp_path / "pwned"
    lines = errors_for(make_site, {
        ED + "evil.md": f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\npage: 1\n---\n"})
    assert len(lines) == 1 and lines[0].startswith(f"{ED}evil.md:2: YAML syntax error: could not determine a constructor")
    assert not marker.exists()


def test_sample_site_checks_clean_even_when_strict(capsys) -> None:
    from conftest import REPO
    assert run_cli("check", "--site", str(REPO), "--strict") == 0
    assert ": warning:" not in capsys.readouterr().err


def test_layout_errors_name_the_template_file_and_line(make_site) -> None:
    lines = errors_for(make_site, {"layouts/page.html": '{% extends "base.html" %}\n{% block main %}\n{% if %}\n'})
    assert len(lines) == 1 and lines[0].startswith("layouts/page.html:3: template syntax error"), lines
    site = make_site({**two_editions(), "layouts/404.html": "<p>\n{{ no_such_thing.title }}\n</p>\n"}, name="other")
    lines = build_errors(site)
    assert len(lines) == 1 and lines[0].startswith("layouts/404.html:2: error while rendering /404.html"), lines


def test_written_base_url_is_checked_even_when_the_command_line_overrides_it(make_site) -> None:
    site = make_site(two_editions(), config=CONFIG.replace("https://news.example.com/", "news.example.com"))
    assert build_errors(site, base_url="http://127.0.0.1:8000/") == [
        'config.yaml:2: "base_url:" must be an absolute http(s) URL such as https://epaper.example.com/, '
        'not "news.example.com"']
