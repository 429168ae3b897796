"""Every word and mark the theme prints comes from the paper's language (issue 14, points 2 and 4):
gettext catalogs per language, joined with that language's own marks, a site's catalog over the
theme's, and an English sample paper that reads as English."""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
import sys
import warnings
from io import BytesIO
from pathlib import Path

import jinja2
import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from bs4 import BeautifulSoup, Comment, XMLParsedAsHTMLWarning
from jinja2.runtime import Context

from conftest import CONFIG, REPO, article, build_errors, build_ok, soup, two_editions, write_files
from epaper.model import SiteData
from epaper.site.i18n import install_quick_gettext
from epaper.site.render import _Context

_spec = importlib.util.spec_from_file_location("update_catalogs", REPO / "scripts" / "update_catalogs.py")
assert _spec and _spec.loader
update_catalogs = importlib.util.module_from_spec(_spec)
sys.modules["update_catalogs"] = update_catalogs
_spec.loader.exec_module(update_catalogs)

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"  # ideographs and CJK/full-width marks
HALF_WIDTH_BESIDE_CJK = re.compile(f"[{CJK}][,:;()]|[,:;()][{CJK}]")
SPACE_BESIDE_FULL_WIDTH = re.compile("[ \u00a0][《（：；，。、“]|[》）：；，。、”][ \u00a0]")


def copy_site(source: Path, target: Path) -> Path:
    """A site's sources in a scratch folder, so building writes no cache into the repository."""
    target.mkdir(parents=True)
    for name in ("config.yaml", "content", "layouts", "static"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).exists():
            shutil.copy(source / name, target / name)
    return target


def text_files(out: Path) -> list[Path]:
    """The output a reader or a crawler reads as text (Pagefind's binary index aside)."""
    return sorted(p for p in out.rglob("*") if p.suffix in (".html", ".xml", ".json", ".txt")
                  and not p.relative_to(out).as_posix().startswith("pagefind/"))


def strings_of(path: Path) -> list[str]:
    """Every text node and attribute value of a page or feed, but what the editors wrote in full:
    article bodies (HTML and feed content) and JSON-LD, which only restate front matter."""
    with warnings.catch_warnings():  # feeds and sitemaps too: their text nodes are what matters
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for node in doc.select(".article-body, content, script[type='application/ld+json']"):
        node.decompose()
    found = [str(s) for s in doc.find_all(string=True) if not isinstance(s, Comment)]
    for tag in doc.find_all(True):
        for value in tag.attrs.values():
            found.extend(value if isinstance(value, list) else [str(value)])
    return found


def editors_words(site: SiteData) -> list[str]:
    """What the editors wrote that the theme shows inside its own sentences, longest first."""
    config = site.config
    words = {config.title, config.publisher, config.cn_number}
    words |= {s.name for s in config.sections.values()} | {s.name for s in config.series.values()}
    for edition in site.editions:
        words |= {p.name for p in edition.pages}
        for item in edition.articles:
            words |= {item.title, item.kicker, item.subtitle, item.summary, item.byline, item.caption,
                      item.credit, item.dateline, *item.authors}
    return sorted((w for w in words if w), key=len, reverse=True)


# ------------------------------------------------------------------ English


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(REPO / "examples" / "english", tmp_path_factory.mktemp("english") / "site")
    return build_ok(site, strict=True)[1]


def test_the_english_sample_reads_in_english(english: Path) -> None:
    story = soup(english, "2024-03-04/bridge-reopens/")
    assert story.find("html")["lang"] == "en"
    assert story.select_one(".byline").get_text(" ", strip=True) == "By Ann Lee and Bob Ray"
    assert story.select_one(".masthead-edition").get_text(" ", strip=True) == "Monday, 4 March 2024 No. 101 2 pages today"
    assert story.select_one(".print-source").contents[0] == "The Riverside Courier, 4 March 2024, Page 1"
    assert story.select_one(".correction-notice").get_text(" ", strip=True) == \
        "This article was corrected on 6 March 2024: Correction: the cost of the bridge repairs"
    fix = soup(english, "2024-03-06/correction-bridge/")
    assert " ".join(fix.select_one(".corrects").get_text().split()) == \
        "This corrects: “Old mill bridge reopens after two years of repairs”, 4 March 2024, Page 1"
    listed = soup(english, "corrections/").select_one("p.corrects").get_text(" ", strip=True)
    assert listed == "Corrects: “Old mill bridge reopens after two years of repairs” (4 March 2024, Page 1)"
    edition = soup(english, "2024-03-06/")
    assert edition.find("meta", attrs={"name": "description"})["content"] == (
        "The Riverside Courier Wednesday, 6 March 2024 No. 103: "
        "Flood defences on the east bank will be finished by autumn")
    assert [t.get_text() for t in edition.select(".tag")] == ["Brief", "Correction"]
    archive = soup(english, "archive/")
    assert archive.select_one("table.month caption").get_text(" ", strip=True) == "March 2024 3 editions"
    status = soup(english, "search/").select_one(".search-status")
    assert status["data-count-one"] == "{n} article found for “{q}”"
    assert status["data-count"] == "{n} articles found for “{q}”"


def test_the_english_sample_has_no_chinese_word_or_mark_anywhere(english: Path) -> None:
    found = {}
    for path in text_files(english):
        for text in strings_of(path):
            hit = re.search(f"[{CJK}《》]", text)
            if hit:
                found.setdefault(path.relative_to(english).as_posix(), []).append(text.strip()[:80])
    assert found == {}


# ------------------------------------------------------------------ Chinese


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteData]:
    site = copy_site(REPO, tmp_path_factory.mktemp("sample") / "site")
    result, out = build_ok(site)
    assert result.site is not None
    return out, result.site


def test_the_chinese_sample_has_no_half_width_marks_beside_chinese(chinese: tuple[Path, SiteData]) -> None:
    """Each text node and attribute of every page, feed and sitemap, with the editors' own words
    replaced by one Chinese character: a half-width , : ; ( ) the theme puts beside them, or
    beside its own words, is found, and so is a space beside a full-width mark (Chinese sets
    none); one inside a title the editors wrote is theirs to fix."""
    out, site = chinese
    words = editors_words(site)
    found = {}
    for path in text_files(out):
        for text in strings_of(path):
            for word in words:
                text = text.replace(word, "字")
            if HALF_WIDTH_BESIDE_CJK.search(text) or SPACE_BESIDE_FULL_WIDTH.search(text):
                found.setdefault(path.relative_to(out).as_posix(), []).append(text.strip()[:80])
    assert found == {}
    page = soup(out, "2022-11-04/03/")
    assert page.find("meta", attrs={"name": "description"})["content"].startswith("金坛日报 2022年11月4日 第3版 经济：")
    assert page.select_one(".turn-hint").get_text() == "点击版面上的文章阅读；滚轮、双击或双指缩放；键盘 ← → 或左右滑动翻版"


def test_chinese_joins_names_and_quotes_titles_the_chinese_way(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/two.md"] = article("两位作者", page=1, authors="[张三, 李四]")
    files["content/2022/2022-11-04/three.md"] = article("三位作者", page=1, authors="[张三, 李四, 王五]")
    _, out = build_ok(make_site(files))
    assert soup(out, "2022-11-04/two/").select_one(".authors").get_text() == "作者 张三、李四"
    assert soup(out, "2022-11-04/three/").select_one(".authors").get_text() == "作者 张三、李四、王五"
    assert soup(out, "2022-11-04/gengzheng/").select_one(".corrects li a").get_text() == "《全区优待证月底发放到位》"
    assert soup(out, "corrections/").select_one("p.corrects").get_text() == \
        "更正对象：《全区优待证月底发放到位》（2022年11月3日 第1版）"
    notice = soup(out, "2022-11-03/youdaizheng/").select_one(".correction-notice").get_text(strip=True)
    assert notice == "本文已于2022年11月4日更正：更正启事"


def test_a_second_index_page_says_which_page_in_full_width_marks(make_site) -> None:
    files = two_editions()
    for n in range(3):
        files[f"content/2022/2022-11-04/more-{n}.md"] = article(f"笔谈补{n}", page=1, series="bitan")
    _, out = build_ok(make_site(files))
    second = soup(out, "series/bitan/page/2/")
    assert second.find("title").get_text() == "笔谈（第2页，共3页） · 测试日报"
    assert second.select_one(".pager span").get_text() == "第2页，共3页"


def test_taiwan_chinese_reads_traditional_with_taiwan_dates(make_site) -> None:
    config = CONFIG.replace("language: zh-CN", "language: zh-TW")
    _, out = build_ok(make_site(two_editions(), config=config))
    home = soup(out, "2022-11-04/")
    assert home.find("html")["lang"] == "zh-TW"
    nav = [a.get_text() for a in home.select(".site-nav a")]
    assert nav == ["最新一期", "要闻", "综合", "往期回顧", "更正"]  # section names are the editors'
    assert home.select_one(".masthead-edition time").get_text() == \
        format_date(dt.date(2022, 11, 4), "full", locale="zh_Hant_TW")  # 2022年11月4日 星期五
    assert home.select_one(".toc-title").get_text() == "本期目錄"
    assert [t.get_text() for t in home.select(".tag")] == ["簡訊", "更正"]
    text = home.get_text() + soup(out, "search/").get_text() + soup(out, "archive/").get_text()
    for simplified in ("往期回顾", "本期目录", "搜索", "栏目", "暂无"):
        assert simplified not in text
    assert "搜尋" in text
    assert soup(out, "2022-11-04/brief/").select_one(".type-size-label").get_text() == "字級"
    notice = soup(out, "2022-11-03/youdaizheng/").select_one(".correction-notice").get_text(strip=True)
    assert notice == "本文已於2022年11月4日更正：更正启事"  # the correction's title is the editors'


# ------------------------------------------------------------------ overrides and the cache


def _site_po(entries: dict[str, str], locale: str = "zh_CN") -> dict[str, str]:
    body = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in entries.items())
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    return {f"layouts/locales/{locale}/LC_MESSAGES/theme.po": header + body}


def test_a_site_catalog_changes_the_theme_words_it_names(make_site) -> None:
    files = two_editions() | _site_po({"Archive": "过刊", "Page %(n)s": "%(n)s版"})
    _, out = build_ok(make_site(files))
    page = soup(out, "2022-11-04/")
    assert [a.get_text() for a in page.select(".site-nav a")][-2:] == ["过刊", "更正"]
    assert page.select_one(".page-strip .page-no").get_text() == "1版"
    assert page.select_one(".search-box button").get_text() == "搜索"  # the theme's, message by message


def test_an_english_site_catalog_overrides_the_english_msgids(make_site) -> None:
    files = two_editions() | _site_po({"By %(names)s": "Words by %(names)s"}, locale="en")
    files["content/2022/2022-11-04/two.md"] = article("Two", page=1, authors="[Ann Lee, Bob Ray]")
    _, out = build_ok(make_site(files, config=CONFIG.replace("language: zh-CN", "language: en")))
    assert soup(out, "2022-11-04/two/").select_one(".authors").get_text() == "Words by Ann Lee and Bob Ray"


def test_a_site_catalog_that_would_break_a_page_is_an_error_at_its_line(make_site) -> None:
    files = two_editions() | _site_po({"Archive": "过刊", "Page %(n)s": "第%(nn)s版"})
    assert build_errors(make_site(files)) == [
        'layouts/locales/zh_CN/LC_MESSAGES/theme.po:8: the translation of "Page %(n)s" does not fit its '
        "message (KeyError: 'nn'); it may use n"]


def test_a_site_catalog_gettext_cannot_read_is_an_error_at_its_line(make_site) -> None:
    files = two_editions() | {"layouts/locales/zh_CN/LC_MESSAGES/theme.po": 'msgid "Archive"\n过刊\n'}
    assert build_errors(make_site(files)) == [
        "layouts/locales/zh_CN/LC_MESSAGES/theme.po:2: cannot be read as a gettext catalog: '过刊' is not "
        "a msgid, msgstr, comment or quoted line"]


def test_an_edited_site_catalog_renders_every_page_again(make_site) -> None:
    site = make_site(two_editions() | _site_po({"Archive": "过刊"}))
    first, out = build_ok(site)
    write_files(site, _site_po({"Archive": "往期"}))
    second, _ = build_ok(site)
    assert sorted(second.rendered) == sorted(first.rendered) and len(second.rendered) == len(second.pages)
    assert "往期" in [a.get_text() for a in soup(out, "2022-11-04/").select(".site-nav a")]
    third, _ = build_ok(site)
    assert third.up_to_date or third.rendered == []


# ------------------------------------------------------------------ the catalogs (held back)


def test_every_message_of_the_layouts_is_translated_in_every_catalog() -> None:
    """Extracts the layouts' messages now, as scripts/update_catalogs.py does: a layout that gains a
    word nobody translated fails here until each catalog has it (and the same placeholders)."""
    source = update_catalogs.template()
    assert len([m for m in source if m.id]) > 50
    pos = update_catalogs.catalogs()
    assert {p.parent.parent.name for p in pos} >= {"zh_Hans", "zh_Hant"}
    assert {p: update_catalogs.problems(p, source) for p in pos} == {p: [] for p in pos}


def test_the_catalog_check_names_a_new_untranslated_message_and_a_lost_placeholder() -> None:
    source = update_catalogs.template()
    grown = Catalog(domain="theme")
    for message in source:
        if message.id:
            grown.add(message.id, context=message.context)
    grown.add("Weather")
    zh = update_catalogs.LOCALES / "zh_Hans" / "LC_MESSAGES" / "theme.po"
    assert update_catalogs.problems(zh, grown) == ["zh_Hans: 'Weather' has no translation"]


def test_a_translation_that_drops_a_placeholder_is_named(tmp_path: Path) -> None:
    po = tmp_path / "xx" / "LC_MESSAGES" / "theme.po"
    write_files(tmp_path, {"xx/LC_MESSAGES/theme.po": 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                           '\nmsgid "Page %(n)s"\nmsgstr "Seite"\n'})
    source = Catalog(domain="theme")
    source.add("Page %(n)s")
    assert update_catalogs.problems(po, source) == ["xx: 'Page %(n)s': 'Seite' has other placeholders than ['n']"]


@pytest.mark.parametrize(("language", "title"), [("zh-CN", "返回正文第 1 处"), ("zh-TW", "返回正文第 1 處"),
                                                 ("en", "Back to the text of note 1")])
def test_a_footnotes_way_back_is_titled_in_the_papers_language(make_site, language: str, title: str) -> None:
    files = two_editions()
    files["content/2022/2022-11-04/note.md"] = article("注释", page=1, body="正文[^1]。\n\n[^1]: 注。")
    _, out = build_ok(make_site(files, config=CONFIG.replace("language: zh-CN", f"language: {language}")))
    assert soup(out, "2022-11-04/note/").select_one(".footnote-backref")["title"] == title


def test_the_remembered_gettext_says_what_jinjas_own_says_in_every_case() -> None:
    """install_quick_gettext looks each message up once: whatever a layout asks, with or without
    variables, escaped or not, %% marks, a message with HTML, `_` after a layout set its own
    gettext, the answer is Jinja's i18n extension's, twice over (the second from memory)."""

    catalog = Catalog(locale="zh_CN")
    catalog.add("Search", "搜索")
    catalog.add("No. %(n)s", "第%(n)s期")
    catalog.add("100%% <b>sure</b>", "百分之百%% <b>确定</b>")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(buffer)
    source = ("{{ _('Search') }}|{{ _('No. %(n)s', n='<i>') }}|{{ _('100%% <b>sure</b>') }}|{{ gettext('Search') }}"
              "|{% autoescape false %}{{ _('No. %(n)s', n='<i>') }}{{ _('100%% <b>sure</b>') }}{% endautoescape %}"
              "|{% for i in [1, 2] %}{{ _('Search') }}{{ gettext('No. %(n)s', n=i) }}{% endfor %}"
              "|{% for gettext in [upper] %}{{ _('in a loop') }}{% endfor %}{{ _('Search') }}"
              "|{% for i in [1] %}{% set gettext = upper %}{{ _('set in a loop') }}{% endfor %}{{ _('Search') }}"
              "|{% set held %}{% for i in [1] %}{{ _('Search') }}{% endfor %}{% endset %}{{ held }}"
              "|{% set gettext = upper %}{{ _('loud') }}|{{ _('Untranslated <x>') }}"
              "|{% for i in [1] %}{{ _('loud in a loop') }}{% endfor %}")

    def environment(quick: bool, context: type[Context] = Context) -> jinja2.Environment:
        env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        env.context_class = context
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        if quick:
            install_quick_gettext(env, translations)
        env.globals["upper"] = str.upper
        return env

    expected = environment(False).from_string(source).render()
    assert "第&lt;i&gt;期" in expected and "百分之百% <b>确定</b>" in expected and "LOUD" in expected
    assert "IN A LOOP" in expected and "SET IN A LOOP" in expected and "LOUD IN A LOOP" in expected
    for context in (Context, _Context):  # the renderer's context calls the quick gettext directly
        template = environment(True, context).from_string(source)
        assert template.render() == expected
        assert template.render() == expected  # from memory
